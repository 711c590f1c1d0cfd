"""Ids posted by form buttons and radios, read without trusting them."""

from __future__ import annotations


def posted_id(value: object) -> int:
    """An id from a posted button or radio; 0 (found nowhere) when it is missing or not a number."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0  # '²'.isdigit() too
