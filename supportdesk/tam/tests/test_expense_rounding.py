"""R10 + R21: a travel expense reaches the invoice at cost: converted to the contract currency by billing's one
rounding rule (half-up to the cent), and with its receipt."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from supportdesk.billing import actions as billing
from supportdesk.billing.charges import record_charge
from supportdesk.tam import visits

from .factories import PDF


def test_a_converted_expense_is_rounded_half_up_to_the_cent_on_its_way_to_the_invoice(world):
    # Given a visit of a USD client and a hotel bill of 10.10 EUR at 1.25 USD/EUR (exactly 12.625 USD)
    tam = world["people"]["tam"]
    visit = visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 10))
    # When the TAM records it
    expense = visits.add_expense(tam, visit, category="lodging", amount="10.10", currency="EUR",
                                 incurred_on=date(2026, 3, 9), exchange_rate="1.25")
    # Then the half cent rounds up (half-even would give 12.62), and the invoice bills exactly that at cost
    assert expense.billed_amount == Decimal("12.63") and expense.charge.amount == Decimal("12.63")
    invoice = next(i for i in billing.issue_month(None, "2026-03").issued if i.client_id == world["own"].pk)
    assert invoice.lines.get(source_ref=f"expense:{expense.pk}").amount == Decimal("12.63")


def test_the_billing_hand_off_rounds_half_up_too(world):
    charge = record_charge(None, client=world["own"], kind="other", description="Courier", amount="0.125",
                           currency="USD", incurred_on=date(2026, 3, 2), source_ref="courier:1")
    assert charge.amount == Decimal("0.13")


def test_a_tam_expense_reaches_the_invoice_with_its_receipt(world, as_person):
    # Given the TAM records a hotel bill with its receipt during a March visit
    tam = world["people"]["tam"]
    visit = visits.plan_visit(tam, client=world["own"], starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 10))
    expense = visits.add_expense(tam, visit, category="lodging", amount="212.40", currency="USD",
                                 incurred_on=date(2026, 3, 9), receipt=io.BytesIO(PDF), receipt_name="hotel.pdf")
    # When March is invoiced
    invoice = next(i for i in billing.issue_month(None, "2026-03").issued if i.client_id == world["own"].pk)
    line = invoice.lines.get(source_ref=f"expense:{expense.pk}")
    # Then the line bills it at cost with the receipt attached ...
    assert line.amount == Decimal("212.40") and "receipt attached" in line.explanation
    charge = line.charges.get()
    # ... which the client admin downloads from the invoice, and another client's admin cannot
    page = as_person(world["people"]["client_admin"]).get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert f"/billing/charges/{charge.pk}/receipt" in page
    download = as_person(world["people"]["client_admin"]).get(f"/billing/charges/{charge.pk}/receipt")
    assert b"".join(download.streaming_content) == PDF
    assert as_person(world["people"]["foreign_admin"]).get(f"/billing/charges/{charge.pk}/receipt").status_code == 404
