"""`supportdesk report ...`: the manager dashboard's attainment and at-risk reports and the month's issued invoices,
from the same queries as the dashboard and the API (/api/v1/sla/reports/..., /api/v1/billing/invoices)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from supportdesk.accounts.models import Client
from supportdesk.billing.models import Invoice
from supportdesk.billing.queries import invoices
from supportdesk.errors import Invalid
from supportdesk.sla import queries as sla
from supportdesk.sla.models import Metric

from .errors import InterchangeError
from .output import Record

ATTAINMENT_HEADER = ["client", "severity", "month", "met", "breached", "total", "percent_met"]
AT_RISK_HEADER = ["clock_id", "ticket", "client", "subject", "metric", "severity", "calendar", "due_at",
                  "remaining_minutes", "assignee"]
INVOICE_HEADER = ["number", "client", "period_start", "period_end", "currency", "status", "issued_at", "total"]


def attainment(user: Any, *, month: date | None, months: int, client: Client | None,
               metric: str = Metric.INITIAL_RESPONSE) -> list[Record]:
    """Met and breached clocks per client, severity and month (vendor zone); `month` narrows to one month."""
    if metric not in Metric.values:
        raise Invalid(InterchangeError.BAD_CHOICE, f"--metric: {metric!r} is not one of {', '.join(Metric.values)}",
                      fields={"--metric": "unknown"})
    if month is not None:
        months = _months_back_to(month)
    rows = sla.attainment(user, months=months, metric=metric)
    wanted = f"{month:%Y-%m}" if month else None
    return [{"client": r.client, "severity": r.severity, "month": r.month, "met": r.met, "breached": r.breached,
             "total": r.total, "percent_met": f"{r.percent:.1f}"}
            for r in rows if (wanted is None or r.month == wanted) and (client is None or r.client_id == client.pk)]


def _months_back_to(month: date) -> int:
    """How many months the attainment query must cover (it counts back from the current month) to include `month`."""
    today = timezone.now().astimezone(sla.vendor_zone()).date()
    back = (today.year - month.year) * 12 + today.month - month.month
    if back < 0:
        raise Invalid(InterchangeError.BAD_MONTH, f"--month: {month:%Y-%m} has not started yet",
                      fields={"--month": "in the future"})
    return back + 1


def at_risk(user: Any, *, within_minutes: int, client: Client | None) -> list[Record]:
    """Running clocks due within the window (calendar time), nearest first, with the business time left."""
    clocks = sla.at_risk(user, within=timedelta(minutes=within_minutes))
    if client is not None:
        clocks = clocks.filter(ticket__client=client)
    records = []
    for clock, view in sla.with_views(clocks):
        ticket = clock.ticket
        left = view.remaining_seconds or 0
        records.append({"clock_id": clock.pk, "ticket": ticket.pk, "client": ticket.client.name,
                        "subject": ticket.subject, "metric": clock.metric, "severity": clock.severity,
                        "calendar": clock.calendar, "due_at": clock.due_at, "remaining_minutes": left // 60,
                        "assignee": ticket.assignee.email if ticket.assignee else ""})
    return records


def issued_invoices(user: Any, *, month: date, client: Client | None) -> tuple[list[Record], list[Record]]:
    """The month's issued invoices (paid and credited ones too: issuing is final) and a total per currency."""
    qs = invoices(user, client_id=client.pk if client else None).filter(period_start=month).exclude(
        status=Invoice.Status.DRAFT).order_by("number")
    rows: list[Record] = []
    amounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    counts: dict[str, int] = defaultdict(int)
    for invoice in qs:
        rows.append({"number": invoice.number, "client": invoice.billed_to or invoice.client.name,
                     "period_start": invoice.period_start, "period_end": invoice.period_end,
                     "currency": invoice.currency, "status": invoice.status, "issued_at": invoice.issued_at,
                     "total": invoice.total})
        amounts[invoice.currency] += invoice.total
        counts[invoice.currency] += 1
    summary = [{"number": "TOTAL", "client": f"{counts[currency]} invoice(s)", "currency": currency, "total": amount}
               for currency, amount in sorted(amounts.items())]
    return rows, summary
