"""R14: the 24/7 Support MRC by user tier, list prices by date, and quotes that say why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.billing import actions
from supportdesk.billing.pricing import offering_named, parse_user_count, price_for
from supportdesk.catalogue.models import Offering
from supportdesk.errors import DomainError, Forbidden

ON = date(2026, 3, 1)


@pytest.fixture
def support_24x7(db):  # noqa: ANN001, ANN201
    return Offering.objects.get(code="support-24x7")


@pytest.mark.parametrize(("users", "tier", "mrc"), [
    (1, 1, "500.00"), (10, 1, "500.00"), (11, 2, "600.00"), (20, 2, "600.00"), (21, 3, "700.00"),
    (35, 4, "800.00"), (91, 10, "1400.00"), (100, 10, "1400.00"),
])
def test_the_24x7_mrc_is_the_base_plus_a_step_per_further_tier_of_ten(support_24x7, users, tier, mrc):
    # Given the seeded tier rule (base 500 USD, step 100, tiers of 10, cap 100)
    # When a number of users is quoted
    quote = price_for(support_24x7, users, "USD", ON)
    # Then the tier and MRC follow R14, and the quote explains them
    assert (quote.tier, quote.mrc) == (tier, Decimal(mrc))
    assert quote.base == Decimal("500.00") and quote.step == Decimal("100.00")
    assert f"tier {tier}" in quote.explanation
    assert quote.to_json()["mrc"] == mrc


def test_one_hundred_users_is_still_the_last_tier_but_over_one_hundred_needs_custom_pricing(support_24x7):
    assert price_for(support_24x7, 100, "USD", ON).tier_label == "91–100 users"
    with pytest.raises(DomainError) as refused:
        price_for(support_24x7, 101, "USD", ON)
    assert refused.value.code == "billing.custom_price_required"
    assert "custom pricing is required" in refused.value.message.lower()
    assert refused.value.fields == {"users": "over the 100-user cap"}


@given(st.integers(min_value=1, max_value=99))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_mrc_never_decreases_as_users_grow_up_to_the_cap(db, users):
    offering = Offering.objects.get(code="support-24x7")
    assert price_for(offering, users, "USD", ON).mrc <= price_for(offering, users + 1, "USD", ON).mrc


@pytest.mark.parametrize("bad", [0, -1, "0", "-5", "1.5", 2.5, "abc", "", None, "1e3", True, 10**9, "NaN"])
def test_bad_user_counts_are_refused_naming_the_field(db, bad):
    with pytest.raises(DomainError) as refused:
        parse_user_count(bad)
    assert refused.value.status == 422
    assert refused.value.code == "billing.bad_user_count"
    assert "users" in refused.value.fields


def test_an_unknown_currency_is_refused(support_24x7):
    with pytest.raises(DomainError) as refused:
        price_for(support_24x7, 5, "ZZZ", ON)
    assert refused.value.code == "billing.unknown_currency" and "currency" in refused.value.fields


def test_a_flat_offering_quotes_its_list_price_in_force_on_the_date(db):
    # Given Premium's seeded price, and a billing admin's new price from July
    premium = offering_named("Premium Support")
    admin = actions.set_list_price(None, offering=premium, currency="USD", effective_from=date(2026, 7, 1),
                                   monthly_price="1650.00")
    assert admin.monthly_price == Decimal("1650.00")
    # Then a quote before July uses the old price and from July the new one
    assert price_for(premium, None, "USD", date(2026, 6, 30)).mrc == Decimal("1500.00")
    assert price_for(premium, None, "USD", date(2026, 7, 1)).mrc == Decimal("1650.00")


def test_a_billing_admin_edits_every_number_of_the_tier_rule(support_24x7):
    from supportdesk.factories import StaffFactory

    billing = StaffFactory(staff_roles=["billing"])
    actions.set_tier_pricing(billing, offering=support_24x7, currency="EUR", effective_from=date(2026, 6, 1),
                             tier_size="5", step="50.00", cap="40", base_mrc="300.00")
    quote = price_for(support_24x7, 12, "EUR", date(2026, 6, 1))
    assert (quote.tier, quote.mrc, quote.tier_label) == (3, Decimal("400.00"), "11–15 users")
    with pytest.raises(DomainError):
        price_for(support_24x7, 41, "EUR", date(2026, 6, 1))
    agent = StaffFactory(staff_roles=["agent"])
    with pytest.raises(Forbidden):
        actions.set_list_price(agent, offering=offering_named("premium"), currency="USD",
                               effective_from=date(2026, 6, 1), monthly_price="1.00")


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-1.00", "abc", "1.001"])
def test_bad_prices_are_refused_naming_the_field(db, bad):
    with pytest.raises(DomainError) as refused:
        actions.set_list_price(None, offering=offering_named("premium"), currency="USD",
                               effective_from=date(2026, 6, 1), monthly_price=bad)
    assert refused.value.fields == {"monthly_price": "amount >= 0"}
