"""Money arithmetic shared by quotes and invoices: one rounding rule (half-up to the cent, per line)
and proration by days for partial months.

Rounding rule: a line's amount is `monthly x days_in_force / days_in_month`, computed exactly in
Decimal and then rounded once, half-up, to the cent. A whole month is therefore exactly the monthly
price; the parts of a month split into k pieces each round once, so together they differ from the
monthly price by at most half a cent per piece (k x 0.005).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_bounds(month_start: date) -> tuple[date, date]:
    """[first day, first day of the next month)."""
    first = month_start.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return first, following


def days_in_month(month_start: date) -> int:
    return calendar.monthrange(month_start.year, month_start.month)[1]


def overlap_days(start: date, end: date | None, month_start: date) -> tuple[date, date, int]:
    """The part of [start, end) inside the month, and its length in days (0 when disjoint)."""
    first, following = month_bounds(month_start)
    lo = max(start, first)
    hi = min(end, following) if end is not None else following
    return lo, hi, max((hi - lo).days, 0)


def prorate(monthly: Decimal, days: int, month_start: date) -> Decimal:
    """The amount for `days` days of a month, rounded half-up to the cent."""
    total_days = days_in_month(month_start)
    if days >= total_days:
        return to_cents(monthly)
    return to_cents(monthly * Decimal(days) / Decimal(total_days))
