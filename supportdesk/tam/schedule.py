"""Occurrences of a weekly or bi-weekly call, exact across DST changes (pure; no Django).

A call is defined in local wall-clock time of one zone; each occurrence is that local date and time
turned into an absolute instant, so it stays at 10:00 in its own zone and moves in other zones when
only one of the two changes its clocks. A local time that does not exist (inside a spring-forward
gap) is read with the offset before the change, i.e. moved forward by the gap; an ambiguous one
(fall-back) takes its first instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP_WEEKS = {"weekly": 1, "biweekly": 2}


def first_date(starts_on: date, weekday: int) -> date:
    return starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)


def local_dates(starts_on: date, weekday: int, cadence: str) -> Iterator[tuple[int, date]]:
    """(number, local date) of every occurrence from the series start, forever."""
    day, step, number = first_date(starts_on, weekday), timedelta(weeks=STEP_WEEKS[cadence]), 1
    while True:
        yield number, day
        day, number = day + step, number + 1


def instant(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of local `day` `at` in `zone`."""
    local = datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone), fold=0)
    return local.astimezone(UTC)


def occurrences(starts_on: date, weekday: int, cadence: str, at: time, zone: str,
                until: datetime) -> list[tuple[int, datetime]]:
    """(number, UTC start) of every occurrence starting before `until`."""
    result: list[tuple[int, datetime]] = []
    for number, day in local_dates(starts_on, weekday, cadence):
        start = instant(day, at, zone)
        if start >= until:
            return result
        result.append((number, start))
    return result  # pragma: no cover


def in_zone(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))
