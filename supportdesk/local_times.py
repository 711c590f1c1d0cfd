"""Local wall-clock times as people read and type them: one rule for pages, emails and forms.

Read: an instant is shown in a zone with the zone's abbreviation and UTC offset ("Sun 8 Mar 2026, 03:30 EDT
(UTC-04:00)"), so a time on a DST change day (01:30 happens twice on 2026-11-01 in Toronto) says which one.
Whose zone: a signed-in person's own (`User.timezone`, activated per request by
`web.middleware.ViewerTimezoneMiddleware`), the vendor's for anonymous pages and for invoices
(`settings.TIME_ZONE`), the zone an event or call was scheduled in where that zone is the point.

Typed: a local date and time in a named zone becomes an instant by `wall_clock_instant`: a time the clocks skip
(spring forward, 02:30 on 2026-03-08 in Toronto) is refused with `NonexistentLocalTime`, never shifted; a time
that happens twice (fall back, 01:30 on 2026-11-01 in Toronto) is its first occurrence (the summer-time one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.utils import timezone


class NonexistentLocalTime(ValueError):
    """A local time inside a spring-forward gap: it never shows on a clock in that zone."""


def zone_named(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The zone of an IANA name; `default` for an empty or unknown one (a folder such as "America" is OSError)."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(default)


def vendor_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def vendor_date(at: datetime) -> date:
    """The vendor's local date of an instant (invoice dates and numbers), whatever zone a request activated."""
    return at.astimezone(vendor_zone()).date()


def vendor_today() -> date:
    return vendor_date(timezone.now())


def person_zone(person: object) -> ZoneInfo:
    """A person's own zone (`User.timezone`); UTC when it is empty or not a zone."""
    return zone_named(getattr(person, "timezone", "") or "")


def shown(at: datetime, zone: ZoneInfo | str) -> str:
    """`at` as local time of `zone` with abbreviation and offset: "Sun 8 Mar 2026, 03:30 EDT (UTC-04:00)"."""
    local = at.astimezone(zone if isinstance(zone, ZoneInfo) else zone_named(zone))
    name = abbreviation(local)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}{' ' + name if name else ''} ({offset(local)})"


def shown_with_utc(at: datetime, zone: ZoneInfo | str) -> str:
    """`shown` plus the UTC time, for emails whose readers compare notes across zones."""
    return f"{shown(at, zone)}, {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation (EDT, GMT, BST), or "" for zones whose data has none (Asia/Dubai says "+04",
    which `offset` already spells)."""
    name = local.tzname() or ""
    return name if name.isalpha() else ""


def offset(local: datetime) -> str:
    delta = local.utcoffset()
    if delta is None:
        return "UTC"
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def wall_clock_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant of a wall-clock `local` (its tzinfo ignored) in `zone`. Skipped (spring forward): refused.
    Repeated (fall back): the first occurrence (fold=0)."""
    naive = local.replace(tzinfo=None)
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip that hour when daylight "
            "saving time starts. Choose another time.")
    return aware



class WallClockField(forms.DateTimeField):
    """A form's local date-time read as typed (no zone), for the view to place with `wall_clock_instant` in the
    zone the form names. Django would read it in the active zone, refusing an hour skipped *there*."""

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(UTC):  # UTC has no gaps or folds: the wall-clock value comes through unchanged
            result = super().to_python(value)
        return None if result is None else result.replace(tzinfo=None)
