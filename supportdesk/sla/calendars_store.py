"""BusinessCalendars built from configuration: the vendor defaults of settings.SUPPORTDESK, or an edited
CalendarConfig row. Built calendars are cached per (kind, version) in the process.

Decisions (SPEC §5): 24x7 never closes; Monday–Friday 24 hours has no holidays; business hours default to
settings.SUPPORTDESK["BUSINESS_HOURS"] Monday–Friday in VENDOR_ZONE, closed on VENDOR_HOLIDAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from supportdesk.revisions.cache import RevisionCache

from .calendars import BusinessCalendar, CalendarError, parse_interval
from .holiday_sources import holidays_for
from .models import CalendarConfig, CalendarKind

# Public holidays are expanded for these years (clocks live near "now"; custom dates have no limit).
HOLIDAY_YEARS = range(2000, 2101)

_cache: dict[str, BusinessCalendar] = {}


@dataclass(frozen=True)
class CalendarSettings:
    kind: str
    zone: str
    weekly: dict[str, list[str]]
    holidays_spec: str
    custom_holidays: tuple[date, ...]
    version: int
    edited: bool

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "zone": self.zone, "weekly": self.weekly, "holidays": self.holidays_spec,
                "custom_holidays": [d.isoformat() for d in self.custom_holidays], "version": self.version,
                "edited": self.edited}


def default_weekly(kind: str) -> dict[str, list[str]]:
    if kind == CalendarKind.ALWAYS:
        return {str(d): ["00:00-24:00"] for d in range(7)}
    if kind == CalendarKind.WEEKDAYS_24H:
        return {str(d): ["00:00-24:00"] for d in range(5)}
    hours = str(settings.SUPPORTDESK.get("BUSINESS_HOURS", "08:00-17:00"))
    return {str(d): [hours] for d in range(5)}


def default_settings(kind: str) -> CalendarSettings:
    holidays = str(settings.SUPPORTDESK.get("VENDOR_HOLIDAYS", "")) if kind == CalendarKind.BUSINESS_HOURS else ""
    return CalendarSettings(kind, str(settings.SUPPORTDESK["VENDOR_ZONE"]), default_weekly(kind), holidays, (), 0,
                            edited=False)


# Per process under the "sla_settings" revision (triggers on sla_calendarconfig and sla_metricrule,
# sla.0002): an edit is seen by the next read, in every process.
_settings: RevisionCache[CalendarSettings] = RevisionCache("sla_settings", limit=100)


def settings_for(kind: str) -> CalendarSettings:
    if kind not in CalendarKind.values:
        raise CalendarError("unknown_calendar", f"unknown calendar kind {kind!r}")
    return _settings.require(kind, lambda: _read_settings(kind))


def _read_settings(kind: str) -> CalendarSettings:
    row = CalendarConfig.objects.filter(kind=kind).first()
    if row is None:
        return default_settings(kind)
    return CalendarSettings(kind, row.zone, row.weekly or default_weekly(kind), row.holidays_spec,
                            tuple(date.fromisoformat(d) for d in row.custom_holidays), row.version, edited=True)


def all_settings() -> list[CalendarSettings]:
    return [settings_for(kind) for kind in CalendarKind.values]


def calendar_for(kind: str) -> BusinessCalendar:
    return build(settings_for(kind))


def build(cfg: CalendarSettings) -> BusinessCalendar:
    key = repr(sorted(cfg.to_json().items()))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    holidays: set[date] = set(cfg.custom_holidays)
    if cfg.holidays_spec and cfg.kind != CalendarKind.ALWAYS:
        holidays |= holidays_for(cfg.holidays_spec, HOLIDAY_YEARS)
    if cfg.kind == CalendarKind.ALWAYS:
        holidays = set()
    pattern = {int(day): list(intervals) for day, intervals in cfg.weekly.items()}
    calendar = BusinessCalendar.from_pattern(cfg.zone, pattern, holidays)
    _cache[key] = calendar
    return calendar


def validate_weekly(weekly: dict[str, list[str]]) -> dict[str, list[str]]:
    """Check a weekly pattern (raises CalendarError); returns it with string weekday keys."""
    out: dict[str, list[str]] = {}
    for day, intervals in weekly.items():
        if str(day) not in {str(d) for d in range(7)}:
            raise CalendarError("bad_interval", f"weekday must be 0..6 (Monday=0), got {day!r}")
        for text in intervals:
            parse_interval(text)
        if intervals:
            out[str(day)] = list(intervals)
    return out


def forget_cache() -> None:
    _cache.clear()
    _settings.clear()
