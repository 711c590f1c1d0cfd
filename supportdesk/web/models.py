"""Models of the web context."""
