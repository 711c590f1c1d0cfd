"""A clock's times from its start, target, pauses and calendar: due instant, warning instant, business time
used, remaining or overrun. No database access: the callers pass the calendar and the rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .calendars import BusinessCalendar
from .models import Clock

Pauses = list[tuple[datetime, datetime | None]]


def parse_pauses(raw: list) -> Pauses:
    return [(_dt(s), _dt(e) if e else None) for s, e in raw]


def dump_pauses(pauses: Pauses) -> list:
    return [[_iso(s), _iso(e) if e else None] for s, e in pauses]


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def schedule(clock: Clock, calendar: BusinessCalendar, warning_minutes: int) -> tuple[datetime | None, datetime | None]:
    """(due_at, warn_at): None while paused until further notice, or for best efforts."""
    if clock.target_minutes is None:
        return None, None
    pauses = parse_pauses(clock.pauses)
    target = timedelta(minutes=clock.target_minutes)
    due = calendar.due(clock.started_at, target, pauses)
    if due is None:
        return None, None
    return due, warning_instant(calendar, clock.started_at, due, warning_minutes)


def warning_instant(calendar: BusinessCalendar, start: datetime, due: datetime, warning_minutes: int) -> datetime | None:
    """When the warning goes out: `warning_minutes` of calendar (wall-clock) time before the due instant, moved
    to the next opening when that falls while the calendar is closed (a business-hours clock due Tuesday 08:10
    with a 15-minute lead warns at 08:00, never overnight), and never before the clock starts. None: no warning.

    The due instant lies inside an open period or at its closing, so the result is never after it."""
    if warning_minutes <= 0:
        return None
    return calendar.next_opening(max(due - timedelta(minutes=warning_minutes), start))


def used(clock: Clock, calendar: BusinessCalendar, until: datetime) -> timedelta:
    """Business time the clock has consumed from its start until `until` (paused time excluded)."""
    start = clock.started_at
    if until <= start:
        return timedelta(0)
    clipped = []
    for s, e in parse_pauses(clock.pauses):
        s2, e2 = max(s, start), min(e or until, until)
        if e2 > s2:
            clipped.append((s2, e2))
    return calendar.elapsed(start, until, clipped)


def balance(clock: Clock, calendar: BusinessCalendar, now: datetime) -> timedelta | None:
    """Business time remaining (positive) or overrun (negative), measured at the stop or now."""
    if clock.target_minutes is None:
        return None
    end = clock.stopped_at or now
    return timedelta(minutes=clock.target_minutes) - used(clock, calendar, end)


def whole_seconds(value: timedelta) -> int:
    return int(value.total_seconds())
