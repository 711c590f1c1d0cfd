"""R10: one onsite visit per contract year unless an addendum buys more; travel expenses billed at cost."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.billing.models import BillableCharge
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import Conflict, Invalid
from supportdesk.tam import visits
from supportdesk.tam.models import OnsiteVisit, VisitStatus

from .factories import HTML, PDF, PNG, SVG, extra_visit_addendum


def test_contract_years_run_from_the_first_forms_anniversary(world):
    client = world["own"]  # form effective 2026-01-01
    assert visits.contract_year(client, date(2026, 12, 31)) == (date(2026, 1, 1), date(2027, 1, 1))
    assert visits.contract_year(client, date(2027, 1, 1)) == (date(2027, 1, 1), date(2028, 1, 1))
    assert visits.anniversary(date(2024, 2, 29), 2025) == date(2025, 2, 28)
    with pytest.raises(Invalid):
        visits.contract_year(client, date(2025, 6, 1))


def test_a_second_visit_in_the_same_contract_year_is_refused(world):
    tam = world["people"]["tam"]
    first = visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 8),
                              attendees=["CIO", "IT lead"])
    assert first.slot == 1 and first.contract_year_start == date(2026, 1, 1)
    with pytest.raises(Conflict) as refused:
        visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 14))
    assert refused.value.code == "tam.visit_limit"
    assert "2026-01-01 to 2027-01-01" in refused.value.message
    # The next contract year has its own visit
    assert visits.plan_visit(tam, client=world["own"], starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 11)).slot == 1
    # A cancelled visit frees its slot
    visits.set_visit_status(tam, first, VisitStatus.CANCELLED)
    assert visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 14)).slot == 1


def test_an_addendum_that_buys_a_second_visit_allows_it(world):
    tam = world["people"]["tam"]
    form = ServiceOrder.objects.get(client=world["own"], kind="form")
    extra_visit_addendum(form, on=date(2026, 6, 1))
    visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 2))
    second = visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2))
    assert second.slot == 2
    with pytest.raises(Conflict):
        visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 2))


def test_the_database_refuses_two_live_visits_in_one_slot(world):
    from django.db import IntegrityError, transaction

    visit = visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 7),
                              ends_on=date(2026, 12, 7))
    with pytest.raises(IntegrityError), transaction.atomic():
        OnsiteVisit.objects.create(client=visit.client, contract_year_start=visit.contract_year_start, slot=1,
                                   starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 9))


def test_end_before_start_is_refused(world):
    with pytest.raises(Invalid) as refused:
        visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 9),
                          ends_on=date(2026, 12, 7))
    assert refused.value.fields == {"ends_on": "before starts_on"}


def test_given_a_visit_in_the_last_year_the_calendar_holds_when_planned_through_the_api_then_a_clear_422(
        world, as_person):
    # Given the client's TAM and a visit in December 9999 (its contract year would end in 10000)
    http = as_person(world["people"]["tam"])
    # When it is planned through the API
    response = http.post(f"/api/v1/tam/clients/{world['own'].pk}/visits",
                         {"starts_on": "9999-12-01", "ends_on": "9999-12-02"}, content_type="application/json")
    # Then it is refused naming the field, not a server error, and nothing is planned
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "tam.bad_dates"
    assert response.json()["error"]["fields"] == {"starts_on": "too far ahead"}
    assert not OnsiteVisit.objects.exists()


@pytest.fixture
def visit(world):  # noqa: ANN001, ANN201
    return visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 7),
                             ends_on=date(2026, 12, 8))


def test_an_expense_in_the_contract_currency_becomes_a_billable_charge_at_cost(world, visit):
    expense = visits.add_expense(world["people"]["tam"], visit, category="lodging", amount="412.50", currency="usd",
                                 incurred_on=date(2026, 12, 7), receipt=io.BytesIO(PDF), receipt_name="hotel.pdf")
    charge = BillableCharge.objects.get(source_ref=f"expense:{expense.pk}")
    assert (charge.kind, charge.amount, charge.currency, charge.client) == ("travel_expense", Decimal("412.50"),
                                                                            "USD", world["own"])
    assert expense.receipt.name.startswith("tam/receipts/") and "hotel" not in expense.receipt.name
    assert expense.receipt_type == "application/pdf"
    # and billing gets the receipt with the charge: the next invoice's line is at cost with the receipt
    from supportdesk.billing.invoicing import draft_month

    assert charge.receipt.name == expense.receipt.name
    line = next(d for d in draft_month(world["own"], date(2026, 12, 1)).lines_by_currency["USD"]
                if d.source_ref == f"expense:{expense.pk}")
    assert (line.amount, line.explanation) == (Decimal("412.50"), "at cost (receipt attached)")


def test_an_expense_in_another_currency_needs_an_exchange_rate(world, visit):
    tam = world["people"]["tam"]
    with pytest.raises(Invalid) as refused:
        visits.add_expense(tam, visit, category="airfare", amount="800", currency="EUR", incurred_on=date(2026, 12, 6))
    assert refused.value.code == "tam.exchange_rate_required"
    assert "USD" in refused.value.message and "exchange_rate" in refused.value.fields
    assert not BillableCharge.objects.exists()
    expense = visits.add_expense(tam, visit, category="airfare", amount="800", currency="EUR",
                                 incurred_on=date(2026, 12, 6), exchange_rate="1.0825")
    assert (expense.billed_amount, expense.billed_currency) == (Decimal("866.00"), "USD")
    assert expense.charge.amount == Decimal("866.00")


@pytest.mark.parametrize("content,code", [(HTML, "tam.receipt_type"), (SVG, "tam.receipt_type"), (b"", "tam.empty_file")])
def test_receipts_are_typed_by_their_bytes(world, visit, content, code):
    with pytest.raises(Invalid) as refused:
        visits.add_expense(world["people"]["tam"], visit, category="meals", amount="20", currency="USD",
                           incurred_on=date(2026, 12, 7), receipt=io.BytesIO(content), receipt_name="receipt.pdf")
    assert refused.value.code == code


def test_receipts_over_the_size_limit_are_refused(world, visit, monkeypatch):
    monkeypatch.setattr(visits, "MAX_RECEIPT_BYTES", 100)
    with pytest.raises(Invalid) as refused:
        visits.add_expense(world["people"]["tam"], visit, category="meals", amount="20", currency="USD",
                           incurred_on=date(2026, 12, 7), receipt=io.BytesIO(PNG + b"\x00" * 100))
    assert refused.value.code == "tam.receipt_too_large"


def test_bad_amounts_and_currencies_are_refused(world, visit):
    tam = world["people"]["tam"]
    for amount in ("-5", "0", "abc", "NaN"):
        with pytest.raises(Invalid) as refused:
            visits.add_expense(tam, visit, category="meals", amount=amount, currency="USD", incurred_on=date(2026, 12, 7))
        assert refused.value.code == "tam.bad_amount"
    with pytest.raises(Invalid):
        visits.add_expense(tam, visit, category="meals", amount="5", currency="XXQ", incurred_on=date(2026, 12, 7))
    with pytest.raises(Invalid):
        visits.add_expense(tam, visit, category="spa", amount="5", currency="USD", incurred_on=date(2026, 12, 7))


def test_a_converted_expense_is_billed_half_up_to_the_cent(world, visit):
    # Given a EUR expense on a USD contract whose conversion ends in exactly half a cent (25.025)
    expense = visits.add_expense(world["people"]["tam"], visit, category="meals", amount="10.01", currency="EUR",
                                 incurred_on=date(2026, 12, 7), exchange_rate="2.5")
    # Then billing's one rounding rule applies (half-up), not banker's rounding (25.02)
    assert expense.billed_amount == Decimal("25.03")
    assert BillableCharge.objects.get(source_ref=f"expense:{expense.pk}").amount == Decimal("25.03")


@pytest.mark.parametrize("amount,rate,field", [
    ("12.345", None, "amount"),            # a sub-cent amount was silently rounded (to 12.34)
    ("10", "1.1234567", "exchange_rate"),  # more decimals than the stored rate keeps
    ("10", "999999999", "exchange_rate"),  # more than the stored rate holds (a database error on PostgreSQL)
    ("10", "0.0001", "exchange_rate"),     # converts to 0.00: nothing to bill
    ("9999999999", "1000", "exchange_rate"),  # converts to more than an amount holds
])
def test_amounts_and_rates_that_cannot_be_billed_exactly_are_refused_with_a_clear_message(world, visit, amount,
                                                                                           rate, field):
    with pytest.raises(Invalid) as refused:
        visits.add_expense(world["people"]["tam"], visit, category="meals", amount=amount,
                           currency="EUR" if rate else "USD", incurred_on=date(2026, 12, 7), exchange_rate=rate)
    assert refused.value.code == "tam.bad_amount" and field in refused.value.fields
    assert not BillableCharge.objects.exists()


def test_the_client_admin_sees_expenses_before_invoicing_and_downloads_receipts_safely(world, visit, as_person):
    expense = visits.add_expense(world["people"]["tam"], visit, category="lodging", amount="100", currency="USD",
                                 incurred_on=date(2026, 12, 7), receipt=io.BytesIO(PDF), receipt_name="hotel.pdf")
    http = as_person(world["people"]["client_admin"])
    page = http.get("/portal/tam/")
    assert page.status_code == 200
    assert b"on your next invoice" in page.content and b"100.00 USD" in page.content
    listed = http.get(f"/api/v1/tam/visits/{visit.pk}/expenses").json()["items"]
    assert listed[0]["invoiced"] is False and listed[0]["billed_amount"] == "100.00"
    download = http.get(f"/tam/expenses/{expense.pk}/receipt/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
    assert as_person(world["people"]["foreign_admin"]).get(f"/tam/expenses/{expense.pk}/receipt/").status_code == 404


def test_expenses_are_recorded_through_the_api_with_a_receipt(world, visit, as_person):
    http = as_person(world["people"]["tam"])
    response = http.post(f"/api/v1/tam/visits/{visit.pk}/expenses", {
        "category": "ground", "amount": "45.10", "currency": "CAD", "incurred_on": "2026-12-07",
        "receipt": SimpleUploadedFile("taxi.png", PNG, content_type="image/png")})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "tam.exchange_rate_required"
    response = http.post(f"/api/v1/tam/visits/{visit.pk}/expenses", {
        "category": "ground", "amount": "45.10", "currency": "CAD", "incurred_on": "2026-12-07", "exchange_rate": "0.72",
        "receipt": SimpleUploadedFile("taxi.png", PNG, content_type="image/png")})
    assert response.status_code == 201, response.content
    assert response.json()["billed_amount"] == "32.47" and response.json()["has_receipt"] is True


def test_given_more_visits_than_one_page_when_page_2_is_asked_then_the_rest_and_the_count(world, as_person):
    from datetime import timedelta

    # Given 27 visits of Own Firm (a page holds 25), stored out of date order, and one of Other Firm
    start = date(2026, 2, 2)
    OnsiteVisit.objects.bulk_create(
        OnsiteVisit(client=world["own"], contract_year_start=date(2026, 1, 1), slot=n + 1,
                    starts_on=start + timedelta(days=(n * 11) % 27), ends_on=start + timedelta(days=(n * 11) % 27))
        for n in range(27))
    OnsiteVisit.objects.create(client=world["other"], contract_year_start=date(2026, 1, 1), slot=1,
                               starts_on=start, ends_on=start)
    http = as_person(world["people"]["tam"])
    url = f"/api/v1/tam/clients/{world['own'].pk}/visits"
    # When the TAM reads page 1 and page 2
    first, second = http.get(url).json(), http.get(url, {"page": 2}).json()
    # Then page 1 has 25 and page 2 the last 2 by date, both counting the client's 27 visits only
    assert (len(first["items"]), len(second["items"]), first["count"], second["count"]) == (25, 2, 27, 27)
    dates = [v["starts_on"] for v in first["items"] + second["items"]]
    assert dates == sorted(dates) and len(set(dates)) == 27
    assert [v["starts_on"] for v in second["items"]] == ["2026-02-27", "2026-02-28"]
    # And the other client's admin still gets 404, paged or not
    refused = as_person(world["people"]["foreign_admin"]).get(url, {"page": 2})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
