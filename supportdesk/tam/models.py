"""Models of the tam context."""
