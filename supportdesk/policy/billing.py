"""Billing: who manages prices and invoices, who sees which invoices.

- billing admins, managers and system admins manage everything (prices, runs and their progress, charges,
  credit notes);
- any staff member may quote (price lists are not secret to staff);
- a client admin sees the issued invoices of their own client; other client users see none (decision:
  invoices are an administrative matter of the client; the portal tells them to ask their client admin);
- anonymous: 401 (API) / sign-in (web).
Anything not visible answers 404, like a missing id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from supportdesk.accounts.models import Client, StaffRole

from .roles import has_role, is_client_admin, is_staff_member

BILLING_MANAGERS = (StaffRole.BILLING, StaffRole.MANAGER, StaffRole.SYSADMIN)


def can_manage_billing(user: Any) -> bool:
    return has_role(user, *BILLING_MANAGERS)


def can_quote(user: Any) -> bool:
    return is_staff_member(user)


def can_view_client_billing(user: Any, client: Client) -> bool:
    if can_manage_billing(user):
        return True
    return is_client_admin(user) and user.client_id == client.pk


def visible_invoices(user: Any) -> QuerySet:
    from supportdesk.billing.models import Invoice

    if can_manage_billing(user):
        return Invoice.objects.all()
    if is_client_admin(user):
        return Invoice.objects.filter(client_id=user.client_id).exclude(status=Invoice.Status.DRAFT)
    return Invoice.objects.none()


def can_view_invoice(user: Any, invoice: Any) -> bool:
    return visible_invoices(user).filter(pk=invoice.pk).exists()


def visible_charges(user: Any) -> QuerySet:
    """Charges (with their receipts): managers all; a client admin those on their visible invoices."""
    from supportdesk.billing.models import BillableCharge

    if can_manage_billing(user):
        return BillableCharge.objects.all()
    return BillableCharge.objects.filter(invoice_line__invoice__in=visible_invoices(user))


def visible_invoice_runs(user: Any) -> QuerySet:
    """Background invoice runs (billing.runs): billing managers only; nobody else sees that they exist."""
    from supportdesk.billing.models import InvoiceRun

    return InvoiceRun.objects.all() if can_manage_billing(user) else InvoiceRun.objects.none()
