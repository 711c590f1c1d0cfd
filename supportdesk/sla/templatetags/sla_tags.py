"""Template tags the ticket pages use to show SLA clocks: each clock with its due instant in the viewer's
zone, state, business time remaining or overrun, and its history (internal warnings for staff only)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone

from supportdesk.sla.queries import clock_views

register = template.Library()


@register.inclusion_tag("sla/_ticket_clocks.html", takes_context=True)
def ticket_clocks(context: dict, ticket: object) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    zone = viewer_zone(user)
    clocks = clock_views(user, ticket) if user is not None and getattr(user, "is_authenticated", False) else []  # type: ignore[arg-type]
    # Each view carries its clock's warn_at, so each countdown turns amber at its own warning instant.
    return {"ticket": ticket, "request": request, "clocks": clocks,
            "zone": zone, "zone_name": str(zone), "now": timezone.now()}


@register.simple_tag
def countdown_class(due_at: datetime | None, warn_at: datetime | None, state: str = "running",
                    now: datetime | None = None) -> str:
    """A countdown's look as the server renders it (app.js recomputes ok/warn/bad each second with the same rule):
    green until the clock's warning instant, amber from it up to and including the due instant, red once past due
    (as sla.service breaches: due_at < now) or breached; paused, met and stopped (no verdict) have their own looks."""
    if state in ("paused", "met", "stopped"):
        return state
    if state == "breached":
        return "bad"
    if due_at is None:
        return "none"
    now = now or timezone.now()
    if now > due_at:
        return "bad"
    return "warn" if warn_at is not None and now >= warn_at else "ok"


def viewer_zone(user: object) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        return ZoneInfo("UTC")


@register.filter
def business_duration(seconds: int | None) -> str:
    """1h05m style; '0m' for zero; '' for None."""
    if seconds is None:
        return ""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes:02d}m" if (days or hours) else f"{minutes}m"]
    return "".join(parts)


@register.filter
def target_label(minutes: int | None) -> str:
    if minutes is None:
        return "no target (best efforts)"
    return business_duration(minutes * 60)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@register.filter
def weekday_name(day: str | int) -> str:
    try:
        return WEEKDAYS[int(day)]
    except (ValueError, IndexError):
        return str(day)
