"""Models of the sla context."""
