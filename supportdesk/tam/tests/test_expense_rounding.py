"""R10 + R21: a travel expense converted to the contract currency follows billing's one rounding rule
(half-up to the cent), from the expense to the charge to the invoice line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from supportdesk.billing import actions as billing
from supportdesk.billing.charges import record_charge
from supportdesk.tam import visits


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
