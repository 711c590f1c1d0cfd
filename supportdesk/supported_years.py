"""The years a typed date or instant may fall in, everywhere (web forms, API, CLI): 2 to 9998. At the ends of
Python's range (0001-01-01, 9999-12-31) a value overflows once it is moved between zones or a day on, which was a
500 on submit or a row that later pages could not show. (The SLA engine, which imports nothing of ours, keeps the
same bounds in `sla.calendars`.)"""

from __future__ import annotations

from datetime import UTC, date, datetime

FIRST_YEAR, LAST_YEAR = 2, 9998


def within_supported_years(value: date | datetime) -> bool:
    """A date, or an aware instant read in UTC (so that every zone can show it as a local date)."""
    try:
        year = value.astimezone(UTC).year if isinstance(value, datetime) and value.tzinfo else value.year
    except OverflowError:
        return False
    return FIRST_YEAR <= year <= LAST_YEAR
