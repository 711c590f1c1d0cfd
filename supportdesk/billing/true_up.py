"""Adjustments for months already invoiced: a contract change recorded after a month's invoice (an addendum
adding, ending or re-tiering a line from an earlier date) is billed or credited on the next invoice.

Issued invoices never change, so the difference is settled later, per order line and month: what the line is
due for that month now, minus everything already settled for it (its first line, earlier adjustment lines and
earlier adjustment credits). Due more: an adjustment line on the next invoice. Due less: a ClientCredit made
by the monthly run before it drafts (`credit_reductions`), deducted like any credit (the next invoice in its
currency where it fits), so a client left with nothing else to pay keeps it as a visible pending credit. The months considered are those already invoiced for the client in the currency; a
month never invoiced for the client is simply issued when its run comes. Only contract changes move the
figure: a line already invoiced is re-priced at the monthly amount it was invoiced at, so a list price set
later with a past date does not reach back. Credit notes are separate, manual corrections and are not netted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from supportdesk.accounts.models import Client, User
from supportdesk.contracts.entitlements import LinePeriod
from supportdesk.contracts.models import OrderLine
from supportdesk.errors import DomainError

from .models import BillingEvent, ClientCredit, Invoice, InvoiceLine, LineKind
from .proration import days_in_month, month_bounds, overlap_days, prorate

# One source_ref per order line, shared by its monthly line and its adjustments: service dates tell the month.
LINE_REF = "order-line:{}"


@dataclass(frozen=True)
class Adjustment:
    currency: str
    month: date
    line: OrderLine
    amount: Decimal
    days_now: int
    invoiced: Decimal
    monthly: Decimal  # the line's monthly amount the month is settled at (kept on the adjustment line)


PriceOf = Callable[[OrderLine, str, date], tuple[Decimal, str]]


def adjustments(client: Client, month_start: date, periods: list[LinePeriod],
                monthly_price: PriceOf) -> tuple[list[Adjustment], dict[str, str]]:
    """Differences for months before `month_start` already invoiced for the client, and problems per currency.

    `monthly_price(line, currency, on)` prices a line never invoiced for that month (invoicing.monthly_price)."""
    invoiced_months = _invoiced_months(client, month_start)
    if not invoiced_months:
        return [], {}
    invoiced = _invoiced_by_line_and_month(client, month_start)
    lines: dict[int, OrderLine | None] = {p.line.pk: p.line for p in periods if _is_billed_monthly(p.line)}
    found: list[Adjustment] = []
    problems: dict[str, str] = {}
    for currency, months in sorted(invoiced_months.items()):
        for month in sorted(months):
            due_days = _days_in_force(periods, month, currency)
            for line_pk in sorted(set(due_days) | {pk for (pk, m), _ in invoiced.items() if m == month}):
                if line_pk not in lines:  # invoiced but no longer in force: read once, not once a month
                    lines[line_pk] = _line(line_pk)
                line = lines[line_pk]
                if line is None or line.order.form.currency != currency:
                    continue
                billed, unit = invoiced.get((line_pk, month), (Decimal("0.00"), None))
                days, first_day = due_days.get(line_pk, (0, month))
                try:
                    if unit is None:
                        unit = monthly_price(line, currency, first_day)[0] if days else Decimal("0.00")
                except DomainError as exc:
                    problems[currency] = f"adjustment for {month:%B %Y}, order {line.order.number}: {exc.message}"
                    continue
                due = prorate(unit, days, month) if days else Decimal("0.00")
                if due != billed:
                    found.append(Adjustment(currency, month, line, due - billed, days, billed, unit))
    return found, problems


def _days_in_force(periods: list[LinePeriod], month: date, currency: str) -> dict[int, tuple[int, date]]:
    """Per order line billed monthly in `currency`: days in force in the month now, and the first of them."""
    days: dict[int, tuple[int, date]] = {}
    for period in periods:
        if not _is_billed_monthly(period.line) or period.line.order.form.currency != currency:
            continue
        lo, _, n = overlap_days(period.start, period.end, month)
        if n:
            before = days.get(period.line.pk, (0, lo))
            days[period.line.pk] = (before[0] + n, min(before[1], lo))
    return days


def _is_billed_monthly(line: OrderLine) -> bool:
    version = line.offering_version
    return version is not None and version.offering.recurring


def _invoiced_months(client: Client, before: date) -> dict[str, set[date]]:
    """Months invoiced for the client, per currency, except those a billing admin corrected by a credit note:
    that correction may already cover the contract change, and settling it again would pay it twice."""
    months: dict[str, set[date]] = defaultdict(set)
    for currency, start in (Invoice.objects.filter(client=client, period_start__lt=before, credit_notes__isnull=True)
                            .exclude(status=Invoice.Status.DRAFT).values_list("currency", "period_start")):
        months[currency].add(start)
    return months


def _invoiced_by_line_and_month(client: Client, before: date) -> dict[tuple[int, date], tuple[Decimal, Decimal | None]]:
    """Everything invoiced per (order line, month): the sum, and the monthly amount its first line used."""
    totals: dict[tuple[int, date], tuple[Decimal, Decimal | None]] = {}
    rows = (InvoiceLine.objects.filter(invoice__client=client, source_ref__startswith="order-line:",
                                       service_from__lt=before)
            .exclude(invoice__status=Invoice.Status.DRAFT)
            .values_list("source_ref", "service_from", "kind", "unit_amount", "amount").order_by("id"))
    for ref, service_from, kind, unit_amount, amount in rows:
        if service_from is None:
            continue
        key = (int(ref.split(":", 1)[1]), month_bounds(service_from)[0])
        total, unit = totals.get(key, (Decimal("0.00"), None))
        if kind in (LineKind.RECURRING, LineKind.ADJUSTMENT) and unit is None:
            unit = unit_amount  # the monthly amount: a month first settled by an adjustment keeps its price too
        totals[key] = (total + amount, unit)
    credits = ClientCredit.objects.filter(client=client, source_ref__startswith="order-line:")
    for credit_ref, amount in credits.values_list("source_ref", "amount"):
        _, line_pk, month, *_ = str(credit_ref).split(":")
        key = (int(line_pk), date.fromisoformat(f"{month}-01"))
        total, unit = totals.get(key, (Decimal("0.00"), None))
        totals[key] = (total - amount, unit)
    return totals


def credit_reductions(actor: User | None, client: Client, month_start: date, periods: list[LinePeriod],
                      monthly_price: PriceOf) -> list[ClientCredit]:
    """Turn what is due less for months already invoiced into ClientCredits dated `month_start`, once: a rerun
    finds them settled, and a concurrent run's duplicate is refused by the unique source_ref."""
    found, _ = adjustments(client, month_start, periods, monthly_price)
    made = []
    for adjustment in found:
        if adjustment.amount >= 0:
            continue
        description, explanation = describe(adjustment)
        ref = (f"{LINE_REF.format(adjustment.line.pk)}:{adjustment.month:%Y-%m}:credited-on:{month_start:%Y-%m}")
        try:
            with transaction.atomic():
                credit = ClientCredit.objects.create(
                    client=client, description=f"{description}: {explanation}"[:255], amount=-adjustment.amount,
                    currency=adjustment.currency, granted_on=month_start, source_ref=ref, created_by=actor)
                BillingEvent.objects.create(actor=actor, client=client, kind="credit.granted", data={
                    "credit": credit.pk, "amount": str(credit.amount), "currency": credit.currency,
                    "source_ref": ref})
        except IntegrityError:
            continue  # a concurrent run made it
        made.append(credit)
    return made


def _line(pk: int) -> OrderLine | None:
    """A line invoiced before but no longer in force at all (e.g. ended from before it started)."""
    return (OrderLine.objects.select_related("order", "order__amends", "offering_version__offering")
            .filter(pk=pk).first())


def describe(adjustment: Adjustment) -> tuple[str, str]:
    """The invoice line's description and explanation."""
    line = adjustment.line
    offering = line.offering_version.offering.name if line.offering_version else "Service"
    users = f", {line.user_count} users" if line.user_count else ""
    total_days = days_in_month(adjustment.month)
    return (f"Adjustment for {adjustment.month:%B %Y}: {offering}{users} (order {line.order.number})",
            f"contract changed after that invoice: {adjustment.days_now}/{total_days} days in force now, "
            f"{adjustment.invoiced} {adjustment.currency} invoiced for it before")
