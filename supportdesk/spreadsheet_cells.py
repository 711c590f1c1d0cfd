"""CSV cells that are safe to open in a spreadsheet (OWASP CSV injection): every CSV export writes through it."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) gets a
    leading apostrophe, so it shows as text. Numbers and dates are written as they are (-100.00 stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
