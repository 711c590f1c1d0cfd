"""Public holidays from the `holidays` package, as local dates for a BusinessCalendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays as holidays_pkg

from supportdesk.sla.calendars import CalendarError

__all__ = ["holidays_for"]


def holidays_for(spec: str, years: Iterable[int]) -> frozenset[date]:
    """Holidays for "CA", "CA-ON", "GB-ENG", "US-NY"... in the given years.

    Observed days (e.g. a Monday after a Sunday holiday) are included, as the package reports
    them by default: that is the day the office is actually closed.
    """
    country, subdiv = _split(spec)
    year_list = sorted(set(years))
    try:
        table = holidays_pkg.country_holidays(country, subdiv=subdiv, years=year_list)
    except (NotImplementedError, KeyError, ValueError, AttributeError) as exc:
        raise CalendarError("unknown_holidays", f"unknown holiday calendar {spec!r}") from exc
    return frozenset(day for day in table if day.year in year_list)


def _split(spec: str) -> tuple[str, str | None]:
    if not isinstance(spec, str) or not spec.strip():
        raise CalendarError("unknown_holidays", f"unknown holiday calendar {spec!r}")
    country, dash, subdiv = spec.strip().upper().partition("-")
    if not country.isalpha() or (dash and not subdiv.isalnum()):
        raise CalendarError("unknown_holidays", f"unknown holiday calendar {spec!r}")
    return country, subdiv or None
