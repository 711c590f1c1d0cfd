"""Billing reads, always through the policy (lists, details and exports agree)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from supportdesk.accounts.models import Client
from supportdesk.errors import NotFound
from supportdesk.policy.billing import (
    can_view_client_billing,
    visible_charges,
    visible_invoice_runs,
    visible_invoices,
)

from .models import BillableCharge, ClientCredit, Invoice, InvoiceRun, PriceListEntry, TierPricing


def invoices(user: Any, *, client_id: int | None = None) -> QuerySet[Invoice]:
    qs = visible_invoices(user).select_related("client")
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("-period_start", "client__name", "currency")


def invoice_for(user: Any, invoice_id: int) -> Invoice:
    invoice = (visible_invoices(user).select_related("client").prefetch_related("lines__charges", "credit_notes")
               .filter(pk=invoice_id).first())
    if invoice is None:
        raise NotFound("invoice")
    return invoice


def client_for(user: Any, client_id: int) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None or not can_view_client_billing(user, client):
        raise NotFound("client")
    return client


def pending_charges(client: Client) -> QuerySet[BillableCharge]:
    return BillableCharge.objects.filter(client=client, invoice_line__isnull=True, cancelled_at__isnull=True)


def pending_credits(client: Client) -> QuerySet[ClientCredit]:
    return ClientCredit.objects.filter(client=client, invoice_line__isnull=True)


def charge_for(user: Any, charge_id: int) -> BillableCharge:
    charge = visible_charges(user).filter(pk=charge_id).first()
    if charge is None or not charge.receipt:
        raise NotFound("receipt")
    return charge


def price_list() -> tuple[QuerySet[PriceListEntry], QuerySet[TierPricing]]:
    return (PriceListEntry.objects.select_related("offering").order_by("offering_id", "currency", "-effective_from"),
            TierPricing.objects.select_related("offering").order_by("offering_id", "currency", "-effective_from"))


def invoice_runs(user: Any) -> QuerySet[InvoiceRun]:
    """Background invoice runs, newest first (none for anyone but billing managers)."""
    return _runs(user).order_by("-created_at", "-id")


def invoice_run_for(user: Any, run_id: int) -> InvoiceRun:
    run = _runs(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound("invoice run")
    return run


def _runs(user: Any) -> QuerySet[InvoiceRun]:
    # With the count of invoices each issued, in the same query (a page of runs is one query, not one per run).
    return visible_invoice_runs(user).select_related("requested_by").annotate(issued_total=Count("issued_invoices"))


def run_invoices_issued(run: InvoiceRun) -> QuerySet[Invoice]:
    """The invoices a run issued, in the order of the invoice list."""
    return run.issued_invoices.select_related("client").order_by("client__name", "currency", "id")
