"""Models of the helpcenter context."""
