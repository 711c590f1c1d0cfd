"""R21 amounts stay within what an invoice holds (a line: 9,999,999,999.99, 12 digits; a total: 14 digits). Each
input is bounded on its own, but a product of bounded inputs was not: a list price of 9,999,999,999.99 times a
quantity of 1,000 failed the whole invoice run on PostgreSQL (numeric field overflow) and was stored by SQLite as an
invoice no page could read back. Now what can be refused at input is (an agreed price times its quantity, a tier
rule's top tier), and what cannot (a list price changed since the order) is a problem the run reports, while every
other client is still invoiced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supportdesk.billing import actions
from supportdesk.billing.invoicing import (
    MAX_INVOICE_TOTAL,
    DraftLine,
    MonthDraft,
    _refuse_what_no_invoice_holds,
)
from supportdesk.billing.models import Invoice, TierPricing
from supportdesk.billing.pricing import MAX_AMOUNT
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import MAX_QUANTITY, LineInput, record_order
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import Invalid
from supportdesk.factories import ClientFactory, StaffFactory

from .factories import YEAR_START, maintenance_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():  # noqa: ANN201
    return StaffFactory(staff_roles=["manager", "billing"])


def test_given_a_list_price_times_quantity_no_invoice_line_holds_when_the_month_is_run_then_a_problem_and_others_invoiced(
        manager):
    # Given a client holding 1,000 Maintenance lines in EUR, at a list price since raised to the most there is
    huge = ClientFactory(name="Colossal LLP")
    record_order(None, client=huge, number="SOF-HUGE", kind="form", signed_on=YEAR_START, effective_from=YEAR_START,
                 currency="EUR", lines=[LineInput(offering="maintenance", quantity=MAX_QUANTITY)])
    actions.set_list_price(manager, offering=Offering.objects.get(code="maintenance"), currency="EUR",
                           effective_from=YEAR_START, monthly_price=str(MAX_AMOUNT))
    # and another client at the usual USD list price
    usual = maintenance_only(name="Brightwater Family Law")
    # When March is invoiced
    result = actions.issue_month(manager, "2026-03")
    # Then the big client's invoice is a problem of the run, saying why, and nothing is written for it
    assert [problem for problem in result.problems if problem.startswith("Colossal LLP (EUR)")] == [
        f"Colossal LLP (EUR): Maintenance Support (order SOF-HUGE): {MAX_AMOUNT * MAX_QUANTITY} EUR is more than an "
        f"invoice line holds (at most {MAX_AMOUNT}); check its price and quantity."]
    assert not Invoice.objects.filter(client=huge).exists()
    # and the other client is invoiced as usual, and reads back
    invoice = Invoice.objects.get(client=usual)
    assert invoice.total == Decimal("400.00")
    assert [line.amount for line in invoice.lines.all()] == [Decimal("400.00")]


def test_given_lines_that_each_fit_but_not_their_total_then_the_currency_is_a_problem():
    # Given a draft of 101 lines of the most a line holds (a total over 14 digits)
    client = ClientFactory()
    draft = MonthDraft(client, date(2026, 3, 1))
    draft.lines_by_currency["USD"] = [
        DraftLine(kind="other", description=f"Line {n}", quantity=Decimal(1), unit_amount=MAX_AMOUNT, amount=MAX_AMOUNT)
        for n in range(101)]
    # When it is checked before writing
    _refuse_what_no_invoice_holds(draft)
    # Then the currency is a problem naming the total
    assert draft.problems["USD"] == (f"the invoice total of {MAX_AMOUNT * 101} USD is more than an invoice holds "
                                     f"(at most {MAX_INVOICE_TOTAL}); check the prices and quantities.")


def _order(http, client, price: str, quantity: int):  # noqa: ANN001, ANN202
    return http.post("/api/v1/contracts/orders", {
        "client_id": client.pk, "number": f"SOF-{price}-{quantity}", "kind": "form", "signed_on": "2026-01-01",
        "effective_from": "2026-01-01", "lines": [{"offering": "maintenance", "agreed_price": price,
                                                   "quantity": quantity}],
    }, content_type="application/json")


@pytest.mark.parametrize(("price", "quantity"), [(str(MAX_AMOUNT), 2), ("10000000.00", MAX_QUANTITY),
                                                 ("5000000000.00", 2)])
def test_given_an_agreed_price_times_quantity_over_what_a_line_holds_when_ordered_then_422_on_the_price(
        manager, as_person, price, quantity):
    client = ClientFactory()
    refused = _order(as_person(manager), client, price, quantity)
    assert refused.status_code == 422, refused.content
    error = refused.json()["error"]
    assert error["code"] == "contract.bad_price"
    assert error["fields"] == {"lines[0].agreed_price": f"price x quantity at most {MAX_AMOUNT}"}
    assert "more than an invoice line holds" in error["message"]
    assert not ServiceOrder.objects.filter(client=client).exists()


def test_given_an_agreed_price_times_quantity_of_exactly_the_most_a_line_holds_then_it_is_ordered_and_invoiced(
        manager, as_person):
    # Given an order of 1,000 at 9,999,999.99 (9,999,999,990.00 a month: it fits)
    client = ClientFactory()
    created = _order(as_person(manager), client, "9999999.99", MAX_QUANTITY)
    assert created.status_code == 201, created.content
    # When March is invoiced, then the line is on the invoice
    actions.issue_month(manager, "2026-03")
    assert Invoice.objects.get(client=client).total == Decimal("9999999990.00")


def _tiers(http, **rule):  # noqa: ANN001, ANN003, ANN202
    return http.post("/api/v1/billing/tiers", {"offering": "support-24x7", "currency": "USD",
                                               "effective_from": "2030-01-01", **rule}, content_type="application/json")


@pytest.mark.parametrize("rule", [
    {"tier_size": 10, "cap": 100, "step": "1111111111.01", "base_mrc": "0.99"},  # 0.99 + 9 x step: a cent over
    {"tier_size": 1, "cap": 1_000_000, "step": "10001.00", "base_mrc": "100.00"},  # 100 + 999,999 x 10,001
    {"tier_size": 1, "cap": 1_000_000, "step": str(MAX_AMOUNT), "base_mrc": str(MAX_AMOUNT)},
])
def test_given_a_tier_rule_whose_top_tier_no_invoice_line_holds_then_422_on_the_step(manager, as_person, rule):
    refused = _tiers(as_person(manager), **rule)
    assert refused.status_code == 422, refused.content
    error = refused.json()["error"]
    assert error["code"] == "billing.bad_tier_rule"
    assert list(error["fields"]) == ["step"]
    assert not TierPricing.objects.filter(effective_from=date(2030, 1, 1)).exists()


def test_given_a_tier_rule_whose_top_tier_is_exactly_the_most_then_it_is_kept_and_quoted(manager, as_person):
    http = as_person(manager)
    created = _tiers(http, tier_size=10, cap=100, step="1111111111.00", base_mrc="0.99")
    assert created.status_code == 201, created.content
    quote = http.get("/api/v1/billing/quote", {"offering": "support-24x7", "users": "100", "on": "2030-01-01"})
    assert quote.status_code == 200 and quote.json()["mrc"] == str(MAX_AMOUNT)


@pytest.mark.parametrize("size", ["²", "١٢", "9" * 5000, " 12x", "-3", "0", "10001"])
def test_given_a_tier_size_that_is_not_a_whole_number_from_1_to_10000_then_refused_naming_it(manager, size):
    with pytest.raises(Invalid) as refused:
        actions.set_tier_pricing(manager, offering=Offering.objects.get(code="support-24x7"), currency="USD",
                                 effective_from=date(2030, 1, 1), tier_size=size, step="100.00", cap=100,
                                 base_mrc="500.00")
    assert refused.value.code == "billing.bad_tier_rule"
    assert list(refused.value.fields) == ["tier_size"]


def test_given_a_superscript_tier_size_on_the_prices_page_then_the_form_says_so(manager, as_person):
    # Given the prices page; when a tier rule is posted with "²" as its size (it was a 500: "²".isdigit())
    page = as_person(manager).post("/billing/prices/", {
        "form": "tier", "tier-offering": "support-24x7", "tier-currency": "USD", "tier-effective_from": "2030-01-01",
        "tier-tier_size": "²", "tier-step": "100.00", "tier-cap": "100", "tier-base_mrc": "500.00"})
    # Then the page answers with the refusal on the form, and no rule is kept
    assert page.status_code == 200
    assert "tier size must be a whole number from 1 to 10,000" in page.content.decode()
    assert not TierPricing.objects.filter(effective_from=date(2030, 1, 1)).exists()
