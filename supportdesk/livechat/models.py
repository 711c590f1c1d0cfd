"""Models of the livechat context."""
