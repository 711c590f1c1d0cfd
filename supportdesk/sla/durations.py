"""Parse SLA targets such as "30m", "2h", "1h30m", "90s", "1d2h" into timedeltas.

A "d" is 24 hours of *business* time (the calendar decides when those hours run), not a
calendar day.
"""

from __future__ import annotations

import re
from datetime import timedelta

from supportdesk.sla.calendars import CalendarError

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


# The longest target the engine takes: ten years of a calendar's time, beyond any support objective. A
# calendar walks its open days, so an absurd target (99,999,999 days) would never finish computing.
MAX_TARGET = timedelta(days=3660)


def parse_duration(text: str) -> timedelta:
    """Parse ``[Nd][Nh][Nm][Ns]`` (units in that order, at least one); must be positive."""
    cleaned = text.strip().lower() if isinstance(text, str) else ""
    match = _DURATION.match(cleaned)
    if not cleaned or not match:
        raise CalendarError("bad_duration", f"bad duration {text!r}, expected e.g. 30m, 4h, 1h30m, 1d2h")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    try:
        value = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError as exc:
        raise CalendarError("bad_duration", f"duration {text!r} is too large") from exc
    if value <= timedelta(0):
        raise CalendarError("bad_duration", f"duration {text!r} must be positive")
    return value


def format_duration(value: timedelta) -> str:
    """Inverse of parse_duration for whole seconds: 5400 s -> '1h30m'."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
