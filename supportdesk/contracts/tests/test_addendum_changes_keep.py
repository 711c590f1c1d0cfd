"""SPEC §3: an addendum "changes the user count" and nothing is overwritten: a change line keeps what it does not
mention (the quantity, the user count) from the line it replaces, through the actions and the API."""

from __future__ import annotations

import json
from datetime import date

import pytest

from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.factories import ClientFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_given_a_line_of_two_when_an_addendum_changes_its_user_count_then_the_quantity_stays_two():
    client = ClientFactory()
    sof = record_order(None, client=client, number="SOF-Q", kind="form", signed_on=date(2026, 1, 1),
                       effective_from=date(2026, 1, 1),
                       lines=[LineInput(offering="support-24x7", user_count=20, quantity=2)])
    line = sof.lines.get()
    soa = record_order(None, client=client, number="SOA-Q", kind="addendum", amends=sof, signed_on=date(2026, 4, 1),
                       effective_from=date(2026, 4, 1),
                       lines=[LineInput(action="change", target_line=line.pk, user_count=30)])
    changed = soa.lines.get()
    assert (changed.user_count, changed.quantity) == (30, 2)
    [before] = entitlements_for(client, date(2026, 3, 31)).to_json()["lines"]
    [after] = entitlements_for(client, date(2026, 4, 1)).to_json()["lines"]
    assert (before["user_count"], before["quantity"]) == (20, 2)
    assert (after["user_count"], after["quantity"]) == (30, 2)


def test_given_a_change_through_the_api_that_names_only_the_user_count_then_the_quantity_stays(as_person):
    manager = StaffFactory(staff_roles=["manager"])
    http = as_person(manager)
    client = ClientFactory()
    form = {"client_id": client.pk, "number": "SOF-A", "signed_on": "2026-01-01", "effective_from": "2026-01-01",
            "lines": [{"offering": "support-24x7", "user_count": 40, "quantity": 3}]}
    created = http.post("/api/v1/contracts/orders", data=json.dumps(form), content_type="application/json")
    assert created.status_code == 201, created.content
    line_id = created.json()["lines"][0]["id"]
    addendum = {"client_id": client.pk, "number": "SOA-A", "kind": "addendum", "amends": "SOF-A",
                "signed_on": "2026-05-01", "effective_from": "2026-05-01",
                "lines": [{"action": "change", "target_line": line_id, "user_count": 50}]}
    response = http.post("/api/v1/contracts/orders", data=json.dumps(addendum), content_type="application/json")
    assert response.status_code == 201, response.content
    [changed] = response.json()["lines"]
    assert (changed["user_count"], changed["quantity"]) == (50, 3)
    new_line = {"client_id": client.pk, "number": "SOF-B", "signed_on": "2026-01-01", "effective_from": "2026-01-01",
                "lines": [{"offering": "maintenance"}]}
    assert http.post("/api/v1/contracts/orders", data=json.dumps(new_line),
                     content_type="application/json").json()["lines"][0]["quantity"] == 1
    for bad in (0, -1, "2", 1.5):
        refused = http.post("/api/v1/contracts/orders", content_type="application/json", data=json.dumps(
            {**new_line, "number": f"SOF-{bad}", "lines": [{"offering": "tam", "quantity": bad}]}))
        assert refused.status_code == 422 and "quantity" in json.dumps(refused.json()["error"]["fields"])
