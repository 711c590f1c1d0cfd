"""R14 on orders: a 24/7 line over the cap needs a custom MRC approved by a manager."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import OrderLine
from supportdesk.errors import DomainError
from supportdesk.factories import ClientFactory, StaffFactory

START = date(2026, 1, 1)


def order(actor, users: int, price: str | None = None):  # noqa: ANN001, ANN201
    client = ClientFactory()
    return record_order(actor, client=client, number=f"SOF-T-{client.pk}", kind="form", signed_on=START,
                        effective_from=START, lines=[LineInput(offering="24/7 Support", user_count=users,
                                                               agreed_price=price)])


def test_over_the_cap_without_a_custom_price_is_refused(db):
    with pytest.raises(DomainError) as refused:
        order(StaffFactory(staff_roles=["manager"]), 101)
    assert refused.value.code == "contract.custom_price_required"
    assert "custom pricing is required" in refused.value.message.lower()
    assert refused.value.fields == {"lines[0].agreed_price": "custom MRC required"}
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize("role", ["agent", "billing", "tam"])
def test_a_custom_price_over_the_cap_needs_a_manager(db, role):
    with pytest.raises(DomainError) as refused:
        order(StaffFactory(staff_roles=[role]), 140, "2750.00")
    assert refused.value.code == "contract.custom_price_required"
    assert "manager" in refused.value.message


def test_a_manager_approves_a_custom_price_over_the_cap(db):
    boss = StaffFactory(staff_roles=["manager"])
    line = order(boss, 140, "2750.00").lines.get()
    assert (line.agreed_price, line.price_approved_by) == (Decimal("2750.00"), boss)


def test_at_or_under_the_cap_the_list_tier_price_needs_no_approval(db):
    line = order(None, 100).lines.get()
    assert line.agreed_price is None and line.price_approved_by is None


def test_an_addendum_raising_users_over_the_cap_also_needs_the_custom_price(db):
    client = ClientFactory()
    form = record_order(None, client=client, number="SOF-A", kind="form", signed_on=START, effective_from=START,
                        lines=[LineInput(offering="support-24x7", user_count=90)])
    with pytest.raises(DomainError) as refused:
        record_order(None, client=client, number="SOA-A", kind="addendum", amends=form, signed_on=date(2026, 5, 1),
                     effective_from=date(2026, 5, 1),
                     lines=[LineInput(action="change", target_line=form.lines.get().pk, user_count=120)])
    assert refused.value.code == "contract.custom_price_required"


def test_the_contracts_api_answers_422_naming_the_line_when_custom_pricing_is_required(db):
    from django.test import Client as HttpClient

    from supportdesk.factories import PASSWORD

    boss = StaffFactory(staff_roles=["manager"])
    client = ClientFactory()
    http = HttpClient()
    assert http.login(email=boss.email, password=PASSWORD)
    body = {"client_id": client.pk, "number": "SOF-API-1", "kind": "form", "signed_on": "2026-01-01",
            "effective_from": "2026-01-01", "lines": [{"offering": "24/7 Support", "user_count": 150}]}
    refused = http.post("/api/v1/contracts/orders", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "contract.custom_price_required"
    assert "lines[0].agreed_price" in refused.json()["error"]["fields"]
    body["lines"][0]["agreed_price"] = "3100.00"
    created = http.post("/api/v1/contracts/orders", body, content_type="application/json")
    assert created.status_code == 201, created.content
