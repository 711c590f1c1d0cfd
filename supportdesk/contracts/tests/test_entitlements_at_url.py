"""Issue 2: "what was this client entitled to" at an instant through the API, with the offset's "+" written
unencoded in the URL (a query string decodes it to a space)."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.factories import ClientFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_given_a_plan_from_march_14_when_asked_at_an_instant_with_a_plus_offset_in_the_url_then_it_is_answered(
        as_person):
    client = ClientFactory(timezone_name="UTC")
    record_order(None, client=client, number="SOF-AT", kind="form", signed_on=date(2026, 3, 14),
                 effective_from=date(2026, 3, 14), lines=[LineInput(offering="premium")])
    http = as_person(StaffFactory(staff_roles=["agent"]))
    url = f"/api/v1/contracts/clients/{client.pk}/entitlements"
    # 2026-03-14T03:00+05:30 is still March 13 in UTC; 2026-03-14T09:00+05:30 is March 14
    before = http.get(f"{url}?at=2026-03-14T03:00:00+05:30")
    after = http.get(f"{url}?at=2026-03-14T09:00+05:30")
    encoded = http.get(url, {"at": "2026-03-14T09:00:00+05:30"})
    assert before.status_code == 200, before.content
    assert (before.json()["on"], before.json()["offerings"]) == ("2026-03-13", [])
    assert after.status_code == 200, after.content
    assert (after.json()["on"], "premium" in after.json()["offerings"]) == ("2026-03-14", True)
    assert encoded.json() == after.json()
    # And a value with no offset at all is still refused with a clear 422
    naive = http.get(f"{url}?at=2026-03-14T09:00:00")
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "naive_instant"
