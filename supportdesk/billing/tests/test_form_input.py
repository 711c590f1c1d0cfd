"""Bad input on the billing pages' forms comes back on the form with a message on the field, and nothing is
recorded: out-of-range years, and an exchange rate that the charge's currency makes meaningless (it was dropped)."""

from __future__ import annotations

import re

import pytest

from supportdesk.billing.models import BillableCharge, PriceListEntry
from supportdesk.billing.tests.factories import premium_only
from supportdesk.factories import StaffFactory


def field_error(page, field: str) -> str:  # noqa: ANN001
    """The error text shown under one field of a form rendered by web/_form.html."""
    html = page.content.decode().replace("&#x27;", "'")
    block = re.search(rf'data-field="{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field} on the page"
    return " ".join(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)))


CHARGE = {"form": "charge", "charge-kind": "travel_expense", "charge-description": "Flight", "charge-amount": "300.00",
          "charge-currency": "USD", "charge-rate": "", "charge-incurred_on": "2026-03-02"}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"charge-rate": "1.35"}, "rate", "the client's billing currency: no exchange rate applies"),
    ({"charge-rate": "abc"}, "rate", "the client's billing currency: no exchange rate applies"),
    ({"charge-incurred_on": "0001-01-01"}, "incurred_on", "0001-01-01 is outside the years 2 to 9998"),
    ({"charge-incurred_on": "9999-12-31"}, "incurred_on", "9999-12-31 is outside the years 2 to 9998"),
    ({"charge-incurred_on": "2026-13-45"}, "incurred_on", "Enter a valid date"),
])
def test_given_a_charge_with_a_bad_or_ignored_value_then_a_field_error_and_no_charge(db, as_person, data, field,
                                                                                     message):
    # Given a billing admin on a client billed in USD
    client = premium_only()
    http = as_person(StaffFactory(staff_roles=["billing"]))
    # When a charge is posted with the bad value
    page = http.post(f"/billing/clients/{client.pk}/", {**CHARGE, **data})
    # Then the charge form says so on the field and no charge is recorded
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert not BillableCharge.objects.filter(client=client).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_given_a_price_from_a_year_out_of_range_then_a_field_error_and_no_price(db, as_person, day):
    http = as_person(StaffFactory(staff_roles=["billing"]))
    prices = PriceListEntry.objects.count()
    page = http.post("/billing/prices/", {"form": "price", "price-offering": "maintenance", "price-currency": "USD",
                                          "price-effective_from": day, "price-monthly_price": "10.00"})
    assert page.status_code == 200
    assert f"{day} is outside the years 2 to 9998" in field_error(page, "effective_from")
    assert PriceListEntry.objects.count() == prices
