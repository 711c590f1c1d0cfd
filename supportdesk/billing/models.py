"""Models of the billing context."""
