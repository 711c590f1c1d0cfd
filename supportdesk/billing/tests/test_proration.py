"""Proration by days and the one rounding rule (half-up to the cent per line)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from supportdesk.billing.proration import days_in_month, prorate, to_cents

months = st.builds(date, st.integers(2020, 2030), st.integers(1, 12), st.just(1))
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@given(prices, months)
def test_proration_of_a_whole_month_equals_the_monthly_price(monthly, month):
    assert prorate(monthly, days_in_month(month), month) == monthly


@given(prices, months, st.lists(st.integers(1, 27), min_size=1, max_size=5, unique=True))
def test_the_parts_of_a_month_split_at_any_days_sum_to_the_monthly_price_within_half_a_cent_per_part(
        monthly, month, cut_days):
    # Given a month split at some days into consecutive parts
    cuts = sorted(cut_days)
    bounds = [month, *(month + timedelta(days=d) for d in cuts), month + timedelta(days=days_in_month(month))]
    parts = [prorate(monthly, (b - a).days, month) for a, b in zip(bounds, bounds[1:], strict=False)]
    # Then each part is rounded once, so the sum is within half a cent per part of the monthly price
    assert abs(sum(parts) - monthly) <= Decimal("0.005") * len(parts)


def test_rounding_is_half_up_to_the_cent():
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("2.345")) == Decimal("2.35")
    # 1000 for 10 of 30 days = 333.333... -> 333.33; 100.00 for 1 of 8 days -> 12.50
    assert prorate(Decimal("1000"), 10, date(2026, 9, 1)) == Decimal("333.33")
    assert prorate(Decimal("0.10"), 15, date(2026, 9, 1)) == Decimal("0.05")
