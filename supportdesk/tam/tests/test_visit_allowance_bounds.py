"""Planning an onsite visit (R10) looks for the lowest free place among those taken, never through every place the
plan allows: a plan version stored before onsite visits were bounded (0 to 365) with a huge allowance used to make
planning a visit build a list of every place (a hang, then a 500)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from supportdesk.catalogue.models import OfferingVersion
from supportdesk.contracts.models import OrderLine
from supportdesk.errors import Conflict
from supportdesk.tam import visits
from supportdesk.tam.models import OnsiteVisit, VisitStatus


def _allow_visits(client, allowed: int) -> None:  # noqa: ANN001
    """Store the client's plan version as one written before the bound, allowing that many visits a year."""
    version = OrderLine.objects.select_related("offering_version").get(order__client=client).offering_version
    assert version is not None
    OfferingVersion.objects.filter(pk=version.pk).update(
        features={**version.features, "onsite_visits_per_year": allowed})


@pytest.mark.parametrize("allowed", [10**6, 10**12, 2**63, 10**30])
def test_given_a_huge_stored_allowance_when_visits_are_planned_through_the_api_then_they_take_the_first_places(
        world, as_person, allowed):
    # Given a Premium client whose stored plan version allows a huge number of visits a year
    _allow_visits(world["own"], allowed)
    http = as_person(world["people"]["tam"])
    url = f"/api/v1/tam/clients/{world['own'].pk}/visits"
    started = time.monotonic()
    # When its TAM plans three visits in one contract year
    planned = [http.post(url, {"starts_on": f"2026-0{month}-01", "ends_on": f"2026-0{month}-02"},
                         content_type="application/json") for month in (3, 5, 7)]
    # Then each is planned at once in the next place (it used to enumerate every allowed place)
    assert [response.status_code for response in planned] == [201, 201, 201], planned[-1].content
    assert time.monotonic() - started < 2
    assert sorted(OnsiteVisit.objects.values_list("slot", flat=True)) == [1, 2, 3]


def test_given_a_huge_allowance_when_a_visit_is_cancelled_then_the_next_one_takes_its_place(world):
    tam, client = world["people"]["tam"], world["own"]
    _allow_visits(client, 10**12)
    planned = [visits.plan_visit(tam, client=client, starts_on=date(2026, month, 1), ends_on=date(2026, month, 1))
               for month in (3, 5, 7)]
    visits.set_visit_status(tam, planned[1], VisitStatus.CANCELLED)
    assert visits.plan_visit(tam, client=client, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 1)).slot == 2


def test_given_an_allowance_lowered_below_the_visits_taken_then_another_visit_is_still_refused(world):
    # Given two visits planned while the plan allowed three
    tam, client = world["people"]["tam"], world["own"]
    _allow_visits(client, 3)
    for month in (3, 5):
        visits.plan_visit(tam, client=client, starts_on=date(2026, month, 1), ends_on=date(2026, month, 1))
    # When the allowance is one and another visit is planned in that contract year
    _allow_visits(client, 1)
    # Then it is refused: a place above the allowance is never free
    with pytest.raises(Conflict) as refused:
        visits.plan_visit(tam, client=client, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1))
    assert "its plan allows 1" in refused.value.message
