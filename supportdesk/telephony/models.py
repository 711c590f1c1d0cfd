"""Models of the telephony context."""
