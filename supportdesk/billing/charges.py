"""The hand-off other contexts use to bill something once (event fees, travel expenses at cost)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies

from supportdesk.accounts.models import Client, User
from supportdesk.errors import Invalid

from .models import BillableCharge
from .proration import to_cents


def record_charge(actor: User | None, *, client: Client, kind: str, description: str, amount: Decimal | str,
                  currency: str, incurred_on: date, source_ref: str, receipt: str = "") -> BillableCharge:
    """Idempotent per source_ref: recording the same source twice returns the first charge.
    Call it inside the caller's transaction so the charge exists exactly when the source does.
    `receipt`: the stored name of a receipt file the caller already keeps (e.g. a TAM expense's), so the
    invoice shows it and whoever may see the invoice can download it."""
    existing = BillableCharge.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > Decimal("9999999999.99"):
        raise Invalid("billing.bad_amount", "The amount must be a number >= 0.", fields={"amount": "number >= 0"})
    if currency.upper() not in list_currencies():
        raise Invalid("billing.unknown_currency", f"Unknown currency {currency!r}.", fields={"currency": "unknown"})
    return BillableCharge.objects.create(
        client=client, kind=kind, description=description[:255], amount=to_cents(value),
        currency=currency.upper(), incurred_on=incurred_on, source_ref=source_ref, receipt=receipt,
        created_by=actor)


def cancel_charge(source_ref: str) -> bool:
    """Cancel a charge not yet invoiced (e.g. a cancelled registration); returns whether it was."""
    from django.utils import timezone

    return bool(BillableCharge.objects.filter(source_ref=source_ref, invoice_line__isnull=True,
                                              cancelled_at__isnull=True).update(cancelled_at=timezone.now()))
