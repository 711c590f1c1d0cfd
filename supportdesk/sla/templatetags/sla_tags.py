"""Template tags the ticket pages use to show SLA clocks: each clock with its due instant in the viewer's
zone, state, business time remaining or overrun, and its history (internal warnings for staff only)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template

from supportdesk.sla.queries import clock_views

register = template.Library()


@register.inclusion_tag("sla/_ticket_clocks.html", takes_context=True)
def ticket_clocks(context: dict, ticket: object) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    zone = viewer_zone(user)
    clocks = clock_views(user, ticket) if user is not None and getattr(user, "is_authenticated", False) else []  # type: ignore[arg-type]
    return {"ticket": ticket, "request": request, "clocks": clocks, "zone": zone, "zone_name": str(zone)}


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
