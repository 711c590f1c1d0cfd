"""Models of the learning context."""
