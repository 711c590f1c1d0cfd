"""R2 bad input, as an outsider sends it to the API: a clear 4xx naming the field, nothing written."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import ServiceOrder
from supportdesk.factories import ClientFactory, StaffFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/orders"


def _form(client, number="SOF-1", signed=date(2026, 1, 10)):  # noqa: ANN001, ANN201
    return record_order(None, client=client, number=number, kind="form", signed_on=signed,
                        effective_from=date(2026, 2, 1), lines=[LineInput(offering="support-24x7", user_count=20)])


@pytest.fixture
def manager_http(as_person):  # noqa: ANN001, ANN201
    return as_person(StaffFactory(staff_roles=["manager"]))


def test_given_an_addendum_signed_before_its_form_was_signed_then_422_on_signed_on(manager_http):
    firm = ClientFactory()
    sof = _form(firm)
    refused = manager_http.post(URL, {
        "client_id": firm.pk, "number": "SOA-EARLY", "kind": "addendum", "amends": sof.number,
        "signed_on": "2026-01-05", "effective_from": "2026-03-01",
        "lines": [{"action": "change", "target_line": sof.lines.get().pk, "user_count": 30}],
    }, content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "contract.addendum_before_form"
    assert "signed_on" in refused.json()["error"]["fields"]
    assert not ServiceOrder.objects.filter(number="SOA-EARLY").exists()


@pytest.mark.parametrize("target", [987654, "foreign"])
def test_given_an_unknown_or_foreign_target_line_then_422_naming_the_line_field(manager_http, target):
    firm, other = ClientFactory(), ClientFactory()
    sof = _form(firm)
    target_id = _form(other, number="SOF-OTHER").lines.get().pk if target == "foreign" else target
    refused = manager_http.post(URL, {
        "client_id": firm.pk, "number": "SOA-X", "kind": "addendum", "amends": sof.number,
        "signed_on": "2026-03-01", "effective_from": "2026-03-01",
        "lines": [{"action": "end", "target_line": target_id}],
    }, content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "contract.unknown_target_line"
    assert "lines[0].target_line" in refused.json()["error"]["fields"]


@pytest.mark.parametrize("user_count", [True, 12.5, 12.0, "12"])
def test_given_a_user_count_that_is_not_a_json_whole_number_then_422_and_nothing_written(manager_http, user_count):
    firm = ClientFactory()
    refused = manager_http.post(URL, {
        "client_id": firm.pk, "number": "SOF-NOT-INT", "kind": "form", "signed_on": "2026-01-01",
        "effective_from": "2026-01-01", "lines": [{"offering": "support-24x7", "user_count": user_count}],
    }, content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert "lines.0.user_count" in refused.json()["error"]["fields"]
    assert not firm.orders.exists()


def test_given_an_offering_never_published_then_an_order_line_for_it_is_refused_not_recorded_empty(manager_http):
    Offering.objects.create(code="gold", name="Gold Support")  # e.g. added in the admin site, no version yet
    firm = ClientFactory()
    refused = manager_http.post(URL, {
        "client_id": firm.pk, "number": "SOF-GOLD", "kind": "form", "signed_on": "2026-01-01",
        "effective_from": "2026-01-01", "lines": [{"offering": "gold"}],
    }, content_type="application/json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "contract.unknown_offering"
    assert "lines[0].offering" in refused.json()["error"]["fields"]
    assert not firm.orders.exists()


def test_given_an_agreed_price_then_the_order_answer_says_who_approved_it(as_person):
    manager = StaffFactory(staff_roles=["manager"])
    firm = ClientFactory()
    created = as_person(manager).post(URL, {
        "client_id": firm.pk, "number": "SOF-AGREED", "kind": "form", "signed_on": "2026-01-01",
        "effective_from": "2026-01-01", "lines": [{"offering": "maintenance", "agreed_price": "350.00"},
                                                  {"offering": "tam"}],
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    lines = created.json()["lines"]
    assert [(line["agreed_price"], line["price_approved_by"]) for line in lines] == [
        ("350.00", manager.email), (None, None)]
