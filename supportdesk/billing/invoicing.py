"""What a client owes for a month, per currency (read only; `actions.issue_month` writes it).

- one recurring line per order line in force during the month (from `contracts.entitlements.line_periods`,
  so an addendum that changes the user count ends the old line and starts a new one from its date),
  priced at the line's agreed price or else the list price (24/7 Support: the user tier of the line's
  user count), prorated by days in force / days in the month;
- event fees and travel expenses: uninvoiced, uncancelled BillableCharges incurred in or before the month;
- adjustments for months already invoiced whose contract changed since (`true_up`): what is due more is a
  line; what is due less was made a ClientCredit first, so it is deducted below like any credit;
- credits: ClientCredits not yet used, oldest first, each only while it fits in the invoice total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from supportdesk.accounts.models import Client
from supportdesk.contracts.entitlements import LinePeriod, line_periods
from supportdesk.contracts.models import OrderLine
from supportdesk.errors import DomainError

from . import true_up
from .models import BillableCharge, ChargeKind, ClientCredit, LineKind
from .pricing import MAX_AMOUNT, price_for
from .proration import days_in_month, month_bounds, overlap_days, prorate, to_cents


@dataclass
class DraftLine:
    kind: str
    description: str
    quantity: Decimal
    unit_amount: Decimal
    amount: Decimal
    explanation: str = ""
    service_from: date | None = None
    service_to: date | None = None
    source_ref: str = ""
    charge: BillableCharge | None = None
    credit: ClientCredit | None = None


@dataclass
class MonthDraft:
    client: Client
    month_start: date
    lines_by_currency: dict[str, list[DraftLine]] = field(default_factory=lambda: defaultdict(list))
    problems: dict[str, str] = field(default_factory=dict)  # currency -> why it cannot be invoiced


def monthly_price(line: OrderLine, currency: str, on: date) -> tuple[Decimal, str]:
    """The MRC of an order line and why: the agreed price when there is one, else the list price."""
    assert line.offering_version is not None
    offering = line.offering_version.offering
    if line.agreed_price is not None:
        approved = f", approved by {line.price_approved_by.display_name}" if line.price_approved_by else ""
        custom = "custom MRC" if offering.priced_per_user_tier else "agreed price"
        return line.agreed_price * line.quantity, f"{custom} {line.agreed_price} {currency}{approved}"
    quote = price_for(offering, line.user_count, currency, on)
    return quote.mrc * line.quantity, quote.explanation


def draft_month(client: Client, month_start: date) -> MonthDraft:
    first, following = month_bounds(month_start)
    draft = MonthDraft(client, first)
    periods = line_periods(client)
    for period in periods:
        version = period.line.offering_version
        if version is None or not version.offering.recurring:
            continue
        lo, hi, days = overlap_days(period.start, period.end, first)
        if days == 0:
            continue
        currency = period.line.order.form.currency
        try:
            mrc, why = monthly_price(period.line, currency, lo)
        except DomainError as exc:
            draft.problems[currency] = f"{version.offering.name} (order {period.line.order.number}): {exc.message}"
            continue
        total_days = days_in_month(first)
        users = f", {period.line.user_count} users" if period.line.user_count else ""
        draft.lines_by_currency[currency].append(DraftLine(
            kind=LineKind.RECURRING, description=f"{version.offering.name}{users} (order {period.line.order.number})",
            quantity=(Decimal(days) / Decimal(total_days)).quantize(Decimal("0.0001")), unit_amount=to_cents(mrc), amount=prorate(mrc, days, first),
            explanation=why + ("" if days == total_days else f"; prorated {days}/{total_days} days"),
            service_from=lo, service_to=hi, source_ref=true_up.LINE_REF.format(period.line.pk)))
    charges = BillableCharge.objects.filter(client=client, invoice_line__isnull=True, cancelled_at__isnull=True,
                                            incurred_on__lt=following).order_by("incurred_on", "id")
    kinds: dict[str, str] = {ChargeKind.EVENT_FEE: LineKind.EVENT_FEE, ChargeKind.TRAVEL_EXPENSE: LineKind.TRAVEL_EXPENSE}
    for charge in charges:
        why = "at cost" + (" (receipt attached)" if charge.receipt else "")
        if charge.kind == ChargeKind.EVENT_FEE:
            why = "fee after any entitled discount"
        draft.lines_by_currency[charge.currency].append(DraftLine(
            kind=kinds.get(charge.kind, LineKind.OTHER), description=charge.description, quantity=Decimal(1),
            unit_amount=charge.amount, amount=charge.amount, explanation=why, service_from=charge.incurred_on,
            source_ref=charge.source_ref, charge=charge))
    _add_adjustments(draft, periods)
    credits = ClientCredit.objects.filter(client=client, invoice_line__isnull=True, granted_on__lt=following)
    for credit in credits.order_by("granted_on", "id"):
        lines = draft.lines_by_currency.get(credit.currency)
        if not lines or sum((x.amount for x in lines), Decimal(0)) < credit.amount:
            continue  # carried over to a later invoice in its currency
        lines.append(DraftLine(kind=LineKind.CREDIT, description=credit.description, quantity=Decimal(1),
                               unit_amount=-credit.amount, amount=-credit.amount, explanation="credit",
                               service_from=credit.granted_on, source_ref=f"credit:{credit.pk}", credit=credit))
    _refuse_what_no_invoice_holds(draft)
    return draft


# What an invoice stores: InvoiceLine amounts 12 digits with 2 decimals (MAX_AMOUNT), its quantity 12 with 4, and
# Invoice.total 14 with 2. Every input is bounded, but a product of them is not (a list price of 9,999,999,999.99
# times a quantity of 1,000; a rule changed since the order), and such a line failed the whole run on PostgreSQL
# (numeric field overflow) or was stored by SQLite as an invoice no page could read back.
MAX_LINE_QUANTITY = Decimal("99999999.9999")
MAX_INVOICE_TOTAL = Decimal("999999999999.99")


def _refuse_what_no_invoice_holds(draft: MonthDraft) -> None:
    """A currency with a line or a total an invoice cannot hold is a problem of the run (reported, not invoiced),
    as a missing list price is, so the other clients and currencies are still invoiced."""
    for currency, lines in draft.lines_by_currency.items():
        if currency in draft.problems:
            continue
        for line in lines:
            amount = max(abs(to_cents(line.amount)), abs(line.unit_amount))
            if amount > MAX_AMOUNT or abs(line.quantity) > MAX_LINE_QUANTITY:
                draft.problems[currency] = (f"{line.description}: {amount} {currency} is more than an invoice line "
                                            f"holds (at most {MAX_AMOUNT}); check its price and quantity.")
                break
        else:
            total = sum((to_cents(line.amount) for line in lines), Decimal("0.00"))
            if abs(total) > MAX_INVOICE_TOTAL:
                draft.problems[currency] = (f"the invoice total of {total} {currency} is more than an invoice holds "
                                            f"(at most {MAX_INVOICE_TOTAL}); check the prices and quantities.")



def _add_adjustments(draft: MonthDraft, periods: list[LinePeriod]) -> None:
    """Charges for months already invoiced that are due more now; what is due less became a ClientCredit
    before this draft (`actions.issue_month` -> `true_up.credit_reductions`), applied below like any credit."""
    found, problems = true_up.adjustments(draft.client, draft.month_start, periods, monthly_price)
    for currency, problem in problems.items():
        draft.problems.setdefault(currency, problem)
    for adjustment in found:
        if adjustment.amount <= 0:
            continue
        description, explanation = true_up.describe(adjustment)
        month_first, following = month_bounds(adjustment.month)
        # unit_amount is the line's monthly amount (as on a monthly line), so a later run settles the month at it
        quantity = (adjustment.amount / adjustment.monthly).quantize(Decimal("0.0001")) if adjustment.monthly else Decimal(1)
        draft.lines_by_currency[adjustment.currency].append(DraftLine(
            kind=LineKind.ADJUSTMENT, description=description, quantity=quantity, unit_amount=to_cents(adjustment.monthly),
            amount=adjustment.amount, explanation=explanation, service_from=month_first,
            service_to=following, source_ref=true_up.LINE_REF.format(adjustment.line.pk)))
