"""Every billing state change: check first, then do, in one transaction, writing a BillingEvent.

Invoices are written and issued in the same transaction; the number comes from a per-year counter row
locked with select_for_update, so a rolled-back issue leaves no gap and two runs never share a number.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk import stored_files
from supportdesk.accounts.models import Client, User
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.entitlements import line_periods
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import Conflict, Forbidden, Invalid
from supportdesk.idempotency_keys import Written, check_key, earlier_by_key, request_digest
from supportdesk.local_times import vendor_date, vendor_today
from supportdesk.policy.billing import can_manage_billing

from .charges import new_charge
from .errors import BillingError
from .invoicing import DraftLine, draft_month, monthly_price
from .models import (
    BillableCharge,
    BillingEvent,
    ChargeKind,
    ClientCredit,
    CreditNote,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    PriceListEntry,
    TierPricing,
)
from .pricing import MAX_AMOUNT, parse_amount, parse_currency
from .proration import month_bounds, to_cents
from .true_up import credit_reductions

MAX_RATE = Decimal("1000000")
MAX_TEXT = 200  # descriptions and reasons (the stored column is 255: room for a conversion note)

Manual = TypeVar("Manual", BillableCharge, ClientCredit)


@dataclass
class RunResult:
    month: date
    issued: list[Invoice] = field(default_factory=list)
    already_issued: int = 0
    problems: list[str] = field(default_factory=list)


def parse_month(value: object) -> date:
    text = str(value or "").strip()
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise Invalid(BillingError.BAD_MONTH, f"The month must look like 2026-03 (YYYY-MM); got {text!r}.",
                      fields={"month": "YYYY-MM"}) from None


def _text(value: object, field: str, missing: str) -> str:
    """A required description or reason, refused (never silently cut) when longer than MAX_TEXT."""
    text = str(value or "").strip()
    if not text:
        raise Invalid(BillingError.DESCRIPTION_REQUIRED, missing, fields={field: "required"})
    if len(text) > MAX_TEXT:
        raise Invalid(BillingError.TEXT_TOO_LONG, f"The {field} is {len(text):,} characters long; at most {MAX_TEXT}.",
                      fields={field: f"at most {MAX_TEXT} characters"})
    return text


def _require_manager(actor: User | None) -> None:
    if actor is not None and not can_manage_billing(actor):
        raise Forbidden("Only billing admins, managers and system admins manage billing.")


def _event(actor: User | None, kind: str, client: Client | None = None, **data: Any) -> None:
    BillingEvent.objects.create(actor=actor, client=client, kind=kind,
                                data={k: str(v) if isinstance(v, Decimal | date) else v for k, v in data.items()})


def next_number(series: str, year: int) -> str:
    """Take the next number of a series; call inside the transaction that uses it."""
    counter, _ = DocumentCounter.objects.get_or_create(series=series, year=year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{series}-{year}-{counter.last_value:05d}"


def month_to_issue(month: date | str) -> date:
    """The first day of a month that may be invoiced (it has started in the vendor's zone), or BAD_MONTH on the
    month field. Also checked by billing.runs before a background run is queued."""
    first = parse_month(month) if isinstance(month, str) else month.replace(day=1)
    if first > vendor_today():
        raise Invalid(BillingError.BAD_MONTH, f"{first:%Y-%m} has not started yet; invoices are issued for months "
                                              f"that have started (normally the month just ended).",
                      fields={"month": "not started yet"})
    return first


def issue_month(actor: User | None, month: date | str, *, advance: Callable[[], None] | None = None) -> RunResult:
    """Issue every client's invoices for a month (one per client and currency). Idempotent: an invoice
    that already exists for the client, month and currency is never issued again. `advance()` is called after
    each client (of `Client.objects.count()`), for the progress of a long run."""
    _require_manager(actor)
    first = month_to_issue(month)
    result = RunResult(first)
    for client in Client.objects.order_by("id"):
        with transaction.atomic():
            # One run settles a client at a time (its order changes take this lock too): two runs for different
            # months would otherwise both settle the same earlier month (true_up) before either wrote it down.
            Client.objects.select_for_update().filter(pk=client.pk).first()
            _issue_client_month(actor, client, first, result)
        if advance is not None:
            advance()
    return result


def _issue_client_month(actor: User | None, client: Client, first: date, result: RunResult) -> None:
    credit_reductions(actor, client, first, line_periods(client), monthly_price)
    draft = draft_month(client, first)
    for currency, problem in sorted(draft.problems.items()):
        result.problems.append(f"{client.name} ({currency}): {problem}")
    for currency, lines in sorted(draft.lines_by_currency.items()):
        if currency in draft.problems or not lines:
            continue
        if Invoice.objects.filter(client=client, period_start=first, currency=currency).exists():
            result.already_issued += 1
            continue
        try:
            with transaction.atomic():
                result.issued.append(_write_and_issue(actor, client, first, currency, lines))
        except IntegrityError:
            result.already_issued += 1  # a concurrent run issued it first


def _write_and_issue(actor: User | None, client: Client, first: date, currency: str, drafts: list[DraftLine]) -> Invoice:
    _, following = month_bounds(first)
    invoice = Invoice.objects.create(client=client, period_start=first, period_end=following, currency=currency,
                                     billed_to=client.name, billed_to_address=client.address)
    for d in drafts:
        line = InvoiceLine.objects.create(
            invoice=invoice, kind=d.kind, description=d.description[:255], explanation=d.explanation[:255],
            quantity=d.quantity, unit_amount=d.unit_amount, amount=to_cents(d.amount), service_from=d.service_from,
            service_to=d.service_to, source_ref=d.source_ref)
        if d.charge is not None and not BillableCharge.objects.filter(
                pk=d.charge.pk, invoice_line__isnull=True, cancelled_at__isnull=True).update(invoice_line=line):
            raise IntegrityError("charge already invoiced or cancelled")
        if d.credit is not None and not ClientCredit.objects.filter(
                pk=d.credit.pk, invoice_line__isnull=True).update(invoice_line=line):
            raise IntegrityError("credit already used")
    invoice.total = sum((line.amount for line in invoice.lines.all()), Decimal("0.00"))
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.number = next_number("INV", vendor_date(invoice.issued_at).year)  # the year on the document
    invoice.save()
    _event(actor, "invoice.issued", client, invoice=invoice.number, total=invoice.total, currency=currency,
           month=first)
    return invoice


def issue_credit_note(actor: User | None, invoice: Invoice, *, amount: object, reason: str) -> CreditNote:
    """Correct an issued invoice: a credit note with its own gap-free number (the invoice never changes)."""
    return write_credit_note(actor, invoice, amount=amount, reason=reason).record


def write_credit_note(actor: User | None, invoice: Invoice, *, amount: object, reason: str,
                      idempotency_key: str | None = None) -> Written[CreditNote]:
    """`issue_credit_note`, honouring the issuer's `idempotency_key` (an API Idempotency-Key, the invoice page's
    submission): the same key with the same invoice, amount and reason answers the note it issued (created False),
    also once the invoice is fully credited since; the same key with anything else is 422
    `billing.idempotency_key_reused`. A second note would credit the client twice and take a number."""
    _require_manager(actor)
    check_key(idempotency_key, BillingError.BAD_IDEMPOTENCY_KEY)
    reason = _text(reason, "reason", "Give the reason for the credit note.")
    value = parse_amount(amount, "amount", allow_zero=False)
    key = idempotency_key if actor is not None else None  # scoped to a person: the system sends no retries
    sent = request_digest("credit_note", invoice.pk, value, reason)

    earlier = earlier_by_key(CreditNote.objects.filter(created_by=actor), key, sent,
                             BillingError.IDEMPOTENCY_KEY_REUSED, "credit note")

    if key and (found := earlier()) is not None:
        return Written(found, created=False)
    try:
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            # Again under the invoice's lock, which a racing first attempt held until it committed: its note is
            # the answer, rather than "exceeds what is left to credit" for the amount it has just credited.
            if key and (found := earlier()) is not None:
                return Written(found, created=False)
            if locked.status == Invoice.Status.DRAFT:
                raise Conflict(BillingError.NOT_ISSUED, "Only an issued invoice can be credited.", fields={"invoice": "draft"})
            credited = sum((c.amount for c in locked.credit_notes.all()), Decimal("0"))
            remaining = locked.total - credited
            if value > remaining:
                raise Invalid(BillingError.CREDIT_TOO_LARGE,
                              f"The credit note cannot exceed what is left to credit on {locked.number}: {remaining} "
                              f"{locked.currency}.", fields={"amount": f"at most {remaining}"})
            now = timezone.now()
            note = CreditNote.objects.create(invoice=locked, number=next_number("CN", vendor_date(now).year),
                                             reason=reason, amount=value, currency=locked.currency, issued_at=now,
                                             created_by=actor, idempotency_key=key,
                                             idempotency_hash=sent if key else None)
            if value == remaining:
                locked.status = Invoice.Status.CREDITED
                locked.save(update_fields=["status"])
            _event(actor, "credit_note.issued", locked.client, credit_note=note.number, invoice=locked.number,
                   amount=value)
    except IntegrityError:
        # The unique key refused this note (its number and the invoice's status rolled back with it): the first
        # attempt's note is the answer.
        if key and (found := earlier()) is not None:
            return Written(found, created=False)
        raise
    return Written(note, created=True)


def mark_paid(actor: User | None, invoice: Invoice) -> Invoice:
    _require_manager(actor)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.ISSUED:
            raise Conflict(BillingError.BAD_STATUS, f"Only an issued, unpaid invoice can be marked paid "
                                                    f"({invoice} is {invoice.get_status_display().lower()}).",
                           fields={"status": invoice.status})
        invoice.status = Invoice.Status.PAID
        invoice.save(update_fields=["status"])
        _event(actor, "invoice.paid", invoice.client, invoice=invoice.number)
    return invoice


def billing_currency(client: Client) -> str | None:
    """The currency of the client's most recent Service Order Form (what its invoices are in)."""
    form = ServiceOrder.objects.filter(client=client, kind="form").order_by("-effective_from", "-id").first()
    return form.currency if form else None


def parse_rate(value: object) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
        raise Invalid(BillingError.BAD_RATE, f"The exchange rate must be a number > 0 (got {value!r}).",
                      fields={"rate": "number > 0"})
    return rate


@dataclass(frozen=True)
class Recorded(Generic[Manual]):
    record: Manual
    created: bool  # False when an idempotency key's replay returned the earlier charge or credit


def _keyed_ref(actor: User | None, key: str) -> str:
    """The source_ref of a manual charge or credit sent with an idempotency key. Its unique index is what decides
    between two attempts racing with one key (a look first would let both through); per person, and the key hashed
    so that any key of up to 100 characters fits the 100-character column (this is at most 50)."""
    return f"manual:{actor.pk if actor is not None else 'system'}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _request_digest(*sent: object) -> str:
    return hashlib.sha256(json.dumps(sent, default=str, ensure_ascii=False).encode()).hexdigest()


def _earlier(found: Manual | None, event_kind: str, event_field: str, sent: str) -> Manual | None:
    """The charge or credit a key already recorded, if the request is the one that recorded it (else 422). The
    request's digest is kept on the record's event: written in the same transaction, it exists exactly when the
    record does, and the records have no column for it."""
    if found is None:
        return None
    earlier = (BillingEvent.objects.filter(client_id=found.client_id, kind=event_kind, **{f"data__{event_field}": found.pk})
               .values_list("data", flat=True).first())
    if not isinstance(earlier, dict) or earlier.get("request") != sent:
        raise Invalid(BillingError.IDEMPOTENCY_KEY_REUSED,
                      f"This Idempotency-Key was already used for another {event_field} (another client, description, "
                      f"amount, currency{', kind, date or rate' if event_field == 'charge' else ''}).",
                      fields={"Idempotency-Key": "reused with another body"})
    return found


def add_charge(actor: User | None, *, client: Client, kind: str, description: str, amount: object, currency: object,
               incurred_on: date, rate: object = None, receipt: UploadedFile | None = None) -> BillableCharge:
    """A billing admin records a one-off charge (e.g. a travel expense at cost). An amount in another
    currency than the client's billing currency needs the exchange rate (1 unit = rate billing units)."""
    return write_charge(actor, client=client, kind=kind, description=description, amount=amount, currency=currency,
                        incurred_on=incurred_on, rate=rate, receipt=receipt).record


def write_charge(actor: User | None, *, client: Client, kind: str, description: str, amount: object,
                 currency: object, incurred_on: date, rate: object = None, receipt: UploadedFile | None = None,
                 idempotency_key: str | None = None) -> Recorded[BillableCharge]:
    """`add_charge`, honouring the person's `idempotency_key` (an API Idempotency-Key, a web form's submission): the
    same key with the same client, kind, description, amount, currency, date and rate (and receipt) returns the
    earlier charge (created False) and writes nothing; the same key with anything else is 422
    `billing.idempotency_key_reused`."""
    _require_manager(actor)
    check_key(idempotency_key, BillingError.BAD_IDEMPOTENCY_KEY)
    if kind not in ChargeKind.values:
        raise Invalid("billing.bad_kind", f"Kind must be one of {', '.join(ChargeKind.values)}.", fields={"kind": "unknown"})
    description = _text(description, "description", "Describe the charge.")
    value = parse_amount(amount, "amount", allow_zero=False)  # a 0.00 line would bill nothing, like a 0.00 credit
    spent_in = parse_currency(currency)
    # The request as sent, before the conversion: a retry after the client's billing currency changed is still
    # the same request, and answers the charge it recorded.
    sent = _request_digest("charge", client.pk, kind, description, value, spent_in, incurred_on,
                           "" if rate in (None, "") else str(rate).strip(),
                           [receipt.name, receipt.size] if receipt is not None else None)
    ref = _keyed_ref(actor, idempotency_key) if idempotency_key else f"manual:{uuid.uuid4().hex}"
    if idempotency_key and (earlier := _earlier_charge(ref, sent)):
        return Recorded(earlier, created=False)
    bill_in = billing_currency(client) or spent_in
    if spent_in == bill_in and rate not in (None, ""):
        # A rate converts another currency; here it would be dropped unread (the page refuses it the same way).
        raise Invalid(BillingError.BAD_RATE, f"The charge is in {spent_in}, the client's billing currency: no exchange "
                                             f"rate applies; leave it empty.", fields={"rate": "only for another currency"})
    if spent_in != bill_in:
        if rate in (None, ""):
            raise Invalid(BillingError.RATE_REQUIRED,
                          f"The expense is in {spent_in} but {client.name} is billed in {bill_in}: give the exchange "
                          f"rate (1 {spent_in} = ? {bill_in}).", fields={"rate": "required for another currency"})
        fx = parse_rate(rate)
        description = f"{description} ({value} {spent_in} at {fx} {bill_in}/{spent_in})"
        converted = to_cents(value * fx)
        if converted == 0:
            raise Invalid(BillingError.BAD_RATE, f"At {fx} {bill_in} per {spent_in}, {value} {spent_in} is less than half a "
                                                 f"cent in {bill_in}: check the exchange rate.",
                          fields={"rate": "converts to 0.00"})
        value = converted
    try:
        with stored_files.removed_on_failure(), transaction.atomic():  # no receipt left behind by a failed write
            charge = new_charge(actor, client=client, kind=kind, description=description, amount=value,
                                currency=bill_in, incurred_on=incurred_on, source_ref=ref)
            if receipt is not None:
                stored_files.save(charge.receipt, receipt.name or "receipt", receipt)
                charge.save(update_fields=["receipt"])
            _event(actor, "charge.added", client, charge=charge.pk, amount=charge.amount, currency=charge.currency,
                   **({"request": sent} if idempotency_key else {}))
    except IntegrityError:
        # The same key sent again while its first attempt was being written (it looked before that committed):
        # the unique source_ref refused this second row, so answer the first.
        if idempotency_key and (earlier := _earlier_charge(ref, sent)):
            return Recorded(earlier, created=False)
        raise
    return Recorded(charge, created=True)


def _earlier_charge(ref: str, sent: str) -> BillableCharge | None:
    return _earlier(BillableCharge.objects.filter(source_ref=ref).first(), "charge.added", "charge", sent)


def grant_credit(actor: User | None, *, client: Client, description: str, amount: object, currency: object,
                 granted_on: date | None = None) -> ClientCredit:
    return write_credit(actor, client=client, description=description, amount=amount, currency=currency,
                        granted_on=granted_on).record


def write_credit(actor: User | None, *, client: Client, description: str, amount: object, currency: object,
                 granted_on: date | None = None, idempotency_key: str | None = None) -> Recorded[ClientCredit]:
    """`grant_credit`, honouring the person's `idempotency_key` as `write_charge` does: the same key with the same
    client, description, amount and currency returns the earlier credit (created False); with anything else, 422."""
    _require_manager(actor)
    check_key(idempotency_key, BillingError.BAD_IDEMPOTENCY_KEY)
    description = _text(description, "description", "Describe the credit.")
    value = parse_amount(amount, "amount", allow_zero=False)
    code = parse_currency(currency)
    sent = _request_digest("credit", client.pk, description, value, code, granted_on)
    ref = _keyed_ref(actor, idempotency_key) if idempotency_key else None
    if ref and (earlier := _earlier_credit(ref, sent)):
        return Recorded(earlier, created=False)
    try:
        with transaction.atomic():
            credit = ClientCredit.objects.create(client=client, description=description, amount=value, currency=code,
                                                 granted_on=granted_on or vendor_today(), source_ref=ref,
                                                 created_by=actor)
            _event(actor, "credit.granted", client, credit=credit.pk, amount=value, currency=code,
                   **({"request": sent} if ref else {}))
    except IntegrityError:
        if ref and (earlier := _earlier_credit(ref, sent)):  # a concurrent attempt with the key wrote it first
            return Recorded(earlier, created=False)
        raise
    return Recorded(credit, created=True)


def _earlier_credit(ref: str, sent: str) -> ClientCredit | None:
    return _earlier(ClientCredit.objects.filter(source_ref=ref).first(), "credit.granted", "credit", sent)


def set_list_price(actor: User | None, *, offering: Offering, currency: object, effective_from: date,
                   monthly_price: object) -> PriceListEntry:
    _require_manager(actor)
    code = parse_currency(currency)
    price = parse_amount(monthly_price, "monthly_price")
    if offering.priced_per_user_tier:
        raise Invalid("billing.tier_priced", f"{offering.name} is priced by user tier: edit its tier pricing instead.",
                      fields={"offering": "priced by user tier"})
    with transaction.atomic():
        entry, _ = PriceListEntry.objects.update_or_create(
            offering=offering, currency=code, effective_from=effective_from,
            defaults={"monthly_price": price, "created_by": actor})
        _event(actor, "price.set", offering=offering.code, currency=code, effective_from=effective_from, price=price)
    return entry


# The bounds of a user-tier rule (SPEC R14: tiers of 10 users, custom pricing over 100), as the API declares them.
MAX_TIER_SIZE, MAX_TIER_CAP = 10_000, 1_000_000


def _whole(value: object, field: str, low: int, high: int) -> int:
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    # ASCII digits only, and not too many to read: int() refuses "²" and a number of thousands of digits (a 500).
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or not low <= int(text) <= high:
        raise Invalid(BillingError.BAD_TIER_RULE, f"{field.replace('_', ' ')} must be a whole number from {low} to "
                                                  f"{high:,} (got {value!r}).", fields={field: f"{low}..{high}"})
    return int(text)


def set_tier_pricing(actor: User | None, *, offering: Offering, currency: object, effective_from: date,
                     tier_size: object, step: object, cap: object, base_mrc: object) -> TierPricing:
    _require_manager(actor)
    if not offering.priced_per_user_tier:
        raise Invalid(BillingError.BAD_TIER_RULE, f"{offering.name} is not priced by user tier.",
                      fields={"offering": "not tier priced"})
    code = parse_currency(currency)
    size = _whole(tier_size, "tier_size", 1, MAX_TIER_SIZE)
    limit = _whole(cap, "cap", size, MAX_TIER_CAP)
    step_amount = parse_amount(step, "step")
    base = parse_amount(base_mrc, "base_mrc")
    further = math.ceil(limit / size) - 1
    if base + step_amount * further > MAX_AMOUNT:  # the top tier's MRC could never be quoted onto an invoice line
        raise Invalid(BillingError.BAD_TIER_RULE,
                      f"At the cap of {limit:,} users the MRC would be {base + step_amount * further} ({base} + "
                      f"{further:,} further tier(s) x {step_amount}), over {MAX_AMOUNT}, the most an invoice line "
                      "holds: lower the step or the cap, or raise the tier size.",
                      fields={"step": f"top tier at most {MAX_AMOUNT}"})
    with transaction.atomic():
        rule, _ = TierPricing.objects.update_or_create(
            offering=offering, currency=code, effective_from=effective_from,
            defaults={"tier_size": size, "step": step_amount, "cap": limit, "base_mrc": base, "created_by": actor})
        _event(actor, "tier_pricing.set", offering=offering.code, currency=code, effective_from=effective_from,
               tier_size=size, step=step_amount, cap=limit, base_mrc=base)
    return rule
