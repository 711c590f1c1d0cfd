"""The vendor's business hours: weekdays, SUPPORTDESK["BUSINESS_HOURS"] in VENDOR_ZONE, minus holidays.

The sla context's calendar engine (supportdesk/sla/calendars.py) was not on main when this was
written, so this module answers the one question on-call needs with zoneinfo and `holidays`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


def _hours() -> tuple[time, time]:
    start, end = str(settings.SUPPORTDESK["BUSINESS_HOURS"]).split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


@lru_cache(maxsize=16)
def _holiday_calendar(spec: str, year: int) -> holidays.HolidayBase:
    country, _, subdiv = spec.partition("-")
    return holidays.country_holidays(country, subdiv=subdiv or None, years=year)


def is_vendor_holiday(day: date) -> bool:
    spec = str(settings.SUPPORTDESK.get("VENDOR_HOLIDAYS") or "").strip()
    if not spec:
        return False
    return day in _holiday_calendar(spec, day.year)


def in_business_hours(at: datetime) -> bool:
    """True when `at` (an aware instant) falls on a vendor working day within business hours."""
    local = at.astimezone(ZoneInfo(str(settings.SUPPORTDESK["VENDOR_ZONE"])))
    if local.weekday() >= 5 or is_vendor_holiday(local.date()):
        return False
    start, end = _hours()
    return start <= local.time().replace(tzinfo=None) < end
