"""Models of the oncall context."""
