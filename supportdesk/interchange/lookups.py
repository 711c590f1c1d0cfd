"""Turning what a person types (a client's name or id, a month, a choice) into values, or one clear refusal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.errors import Invalid

from .errors import InterchangeError


def client_named(user: Any, text: str, option: str = "--client") -> Client:
    """A client by exact name (any case), slug or id, among the clients `user` may see."""
    text = " ".join(str(text or "").split())
    by_id = text.isascii() and text.isdigit() and len(text) <= 18
    query = Q(name__iexact=text) | Q(slug=text) | (Q(pk=int(text)) if by_id else Q(pk=None))
    found = policy.visible_clients(user).filter(query).first() if text else None
    if found is None:
        raise Invalid(InterchangeError.UNKNOWN_CLIENT, f"{option}: no client {text!r} (give its name, slug or id)",
                      fields={option: "unknown client"})
    return found


def month_of(text: str, option: str = "--month") -> date:
    """The first day of a YYYY-MM month (billing's own month rule, so reports and invoice runs agree)."""
    from supportdesk.billing.actions import parse_month

    try:
        return parse_month(text)
    except Invalid:
        raise Invalid(InterchangeError.BAD_MONTH, f"{option}: {text!r} is not a month; use YYYY-MM, e.g. 2026-03",
                      fields={option: "YYYY-MM"}) from None


def choice(value: str, allowed: Iterable[str], option: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise Invalid(InterchangeError.BAD_CHOICE, f"{option}: {value!r} is not one of {', '.join(allowed)}",
                      fields={option: "unknown"})
    return value


def in_range(value: int, low: int, high: int, option: str) -> int:
    if not low <= value <= high:
        raise Invalid(InterchangeError.BAD_RANGE, f"{option} must be between {low} and {high}; got {value}",
                      fields={option: f"{low}..{high}"})
    return value
