"""Models of the intake context."""
