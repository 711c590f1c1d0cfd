"""R10 "a second is refused unless purchased": extra onsite visits bought by addendum add to the plan's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supportdesk.catalogue.actions import publish_version
from supportdesk.catalogue.features import Features, merge
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import Conflict
from supportdesk.tam import visits


def _buy_extra_visits(form: ServiceOrder, *, on: date, quantity: int) -> None:
    offering, _ = Offering.objects.get_or_create(code="onsite-visit", defaults={"name": "Additional onsite visit"})
    if not offering.versions.exists():
        publish_version(None, offering=offering, features={"extra_onsite_visits": 1}, effective_from=date(2020, 1, 1))
    record_order(None, client=form.client, number=f"SOA-{form.pk}-{on}-{quantity}", kind="addendum", signed_on=on,
                 effective_from=on, amends=form, currency=form.currency,
                 lines=[LineInput(offering="onsite-visit", quantity=quantity, agreed_price=Decimal("900.00"))])


def test_plan_limits_take_the_highest_line_but_purchased_visits_add_up_by_quantity():
    plan, other_plan = Features(onsite_visits_per_year=1), Features(onsite_visits_per_year=1)
    bought = Features(extra_onsite_visits=1)
    merged = merge([plan, other_plan, bought, bought], [1, 1, 2, 1])
    assert merged.onsite_visits_per_year == 1  # TAM and Premium together are still one visit
    assert merged.extra_onsite_visits == 3
    assert merged.onsite_visits_allowed == 4


def test_given_one_visit_in_the_plan_when_two_more_are_purchased_then_three_fit_in_the_year_and_a_fourth_is_refused(world):
    tam, client = world["people"]["tam"], world["own"]
    form = ServiceOrder.objects.get(client=client, kind="form")
    # Given the plan's one visit is taken
    visits.plan_visit(tam, client=client, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 3))
    with pytest.raises(Conflict) as refused:
        visits.plan_visit(tam, client=client, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1))
    assert "must be purchased" in refused.value.message
    # When an addendum buys two additional visits (one offering line, quantity 2)
    _buy_extra_visits(form, on=date(2026, 6, 1), quantity=2)
    assert entitlements_for(client, date(2026, 7, 1)).features.onsite_visits_allowed == 3
    # Then two more visits fit in this contract year, and a fourth is refused
    assert visits.plan_visit(tam, client=client, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1)).slot == 2
    assert visits.plan_visit(tam, client=client, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 1)).slot == 3
    with pytest.raises(Conflict):
        visits.plan_visit(tam, client=client, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 1))
