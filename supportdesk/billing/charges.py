"""The hand-off other contexts use to bill something once (event fees, travel expenses at cost)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from django.utils import timezone

from supportdesk.accounts.models import Client, User
from supportdesk.errors import Invalid

from .models import BillableCharge, BillingEvent, ClientCredit
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
    return new_charge(actor, client=client, kind=kind, description=description, amount=amount, currency=currency,
                      incurred_on=incurred_on, source_ref=source_ref, receipt=receipt)


def new_charge(actor: User | None, *, client: Client, kind: str, description: str, amount: Decimal | str,
               currency: str, incurred_on: date, source_ref: str, receipt: str = "") -> BillableCharge:
    """`record_charge` without looking for an earlier charge first: a source_ref already recorded is an
    IntegrityError (the unique index), for a caller that must tell its own charge from an earlier one."""
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
    return bool(BillableCharge.objects.filter(source_ref=source_ref, invoice_line__isnull=True,
                                              cancelled_at__isnull=True).update(cancelled_at=timezone.now()))


def withdraw_charge(actor: User | None, source_ref: str, *, reason: str, on: date) -> str:
    """The vendor withdrew what a charge was for (e.g. it cancelled the event): the client must not pay.

    Not invoiced yet: the charge is dropped. Already invoiced: the issued invoice never changes, so the client
    gets a credit of the same amount that its next invoice in that currency deducts. Returns "dropped",
    "credited" or "none" (no live charge, e.g. a free seat). Call it inside the caller's transaction."""
    if cancel_charge(source_ref):
        return "dropped"
    charge = (BillableCharge.objects.select_for_update()
              .filter(source_ref=source_ref, invoice_line__isnull=False, cancelled_at__isnull=True).first())
    if charge is None or charge.amount <= 0:
        return "none"
    # Marked withdrawn (its invoice line stays as issued), so a second withdrawal finds nothing to credit.
    BillableCharge.objects.filter(pk=charge.pk).update(cancelled_at=timezone.now())
    credit = ClientCredit.objects.create(client=charge.client, description=f"{reason}: {charge.description}"[:255],
                                         amount=charge.amount, currency=charge.currency, granted_on=on,
                                         created_by=actor)
    BillingEvent.objects.create(actor=actor, client=charge.client, kind="credit.granted",
                                data={"credit": credit.pk, "amount": str(charge.amount), "currency": charge.currency,
                                      "withdrawn_charge": charge.pk, "source_ref": source_ref})
    return "credited"
