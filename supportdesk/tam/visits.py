"""Annual onsite visits (R10) and their travel expenses, billed at cost through billing.

Contract years run from the anniversary of the client's first Service Order Form's effective date
(29 February anchors fall on 28 February in other years). A visit counts in the year it starts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from babel.numbers import list_currencies
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk import stored_files
from supportdesk.accounts.models import Client, User
from supportdesk.billing.charges import cancel_charge, record_charge
from supportdesk.billing.proration import to_cents
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.contracts.models import OrderKind, ServiceOrder
from supportdesk.errors import Conflict, Invalid
from supportdesk.idempotency_keys import Written, check_key, earlier_by_key, request_digest

from . import uploads
from .actions import log, require_worker
from .errors import TamError
from .models import ExpenseCategory, OnsiteVisit, VisitExpense, VisitStatus

MAX_RECEIPT_BYTES = 10 * 1024 * 1024


def anniversary(anchor: date, year: int) -> date:
    try:
        return anchor.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 2, 28)


def first_form(client: Client) -> ServiceOrder:
    form = ServiceOrder.objects.filter(client=client, kind=OrderKind.FORM).order_by("effective_from", "id").first()
    if form is None:
        raise Invalid(TamError.NO_CONTRACT, f"{client.name} has no Service Order Form, so it has no contract year.",
                      fields={"client": "no contract"})
    return form


def contract_year(client: Client, on: date) -> tuple[date, date]:
    """[start, end) of the contract year containing `on`."""
    anchor = first_form(client).effective_from
    if on < anchor:
        raise Invalid(TamError.BAD_DATES, f"{on} is before {client.name}'s contract started ({anchor}).",
                      fields={"starts_on": "before the contract"})
    year = on.year if anniversary(anchor, on.year) <= on else on.year - 1
    if year + 1 > date.max.year:  # the contract year would end after 9999-12-31: a clear 422, not a 500
        raise Invalid(TamError.BAD_DATES, f"{on} is too far ahead to plan.", fields={"starts_on": "too far ahead"})
    return anniversary(anchor, year), anniversary(anchor, year + 1)


def contract_currency(client: Client, on: date) -> str:
    """The currency of the latest Service Order Form in effect on `on` (else the first form's)."""
    form = (ServiceOrder.objects.filter(client=client, kind=OrderKind.FORM, effective_from__lte=on)
            .order_by("-effective_from", "-id").first())
    return (form or first_form(client)).currency


def plan_visit(actor: User | None, *, client: Client, starts_on: date, ends_on: date, purpose: str = "",
               location: str = "", attendees: list[str] | None = None) -> OnsiteVisit:
    return schedule_visit(actor, client=client, starts_on=starts_on, ends_on=ends_on, purpose=purpose,
                          location=location, attendees=attendees).record


def schedule_visit(actor: User | None, *, client: Client, starts_on: date, ends_on: date, purpose: str = "",
                   location: str = "", attendees: list[str] | None = None,
                   idempotency_key: str | None = None) -> Written[OnsiteVisit]:
    """`plan_visit`, honouring the planner's `idempotency_key` (an API Idempotency-Key, the client page's
    submission): the same key with the same client, dates, purpose, location and attendees answers the visit it
    planned (created False), also once it was completed or cancelled since, rather than taking a second slot of the
    year (a purchased visit) or a 409 for the slot its first attempt took; the same key with anything else is 422
    `tam.idempotency_key_reused`."""
    require_worker(actor, client)
    check_key(idempotency_key, TamError.BAD_IDEMPOTENCY_KEY)
    if ends_on < starts_on:
        raise Invalid(TamError.BAD_DATES, "The visit ends before it starts.", fields={"ends_on": "before starts_on"})
    if (ends_on - starts_on).days > 30:
        raise Invalid(TamError.BAD_DATES, "A visit lasts at most 31 days.", fields={"ends_on": "at most 31 days"})
    people = [" ".join(str(a).split())[:200] for a in attendees or [] if str(a).strip()]
    purpose, location = purpose[:300], location[:300]
    key = idempotency_key if actor is not None else None  # scoped to a person: the system sends no retries
    sent = request_digest("visit", client.pk, starts_on, ends_on, purpose, location, people)

    earlier = earlier_by_key(OnsiteVisit.objects.filter(created_by=actor), key, sent,
                             TamError.IDEMPOTENCY_KEY_REUSED, "visit")

    if key and (found := earlier()) is not None:
        return Written(found, created=False)
    allowed = entitlements_for(client, starts_on).features.onsite_visits_allowed
    if allowed <= 0:
        raise Invalid(TamError.NOT_ENTITLED, f"{client.name} has no onsite visit in its plan on {starts_on}.",
                      fields={"starts_on": "not entitled"})
    year_start, year_end = contract_year(client, starts_on)
    try:
        with transaction.atomic():
            Client.objects.select_for_update().filter(pk=client.pk).first()
            # Again under the client's lock, which a racing first attempt held until it committed: its visit is the
            # answer, not "the year's visits are taken" by itself.
            if key and (found := earlier()) is not None:
                return Written(found, created=False)
            taken = set(OnsiteVisit.objects.filter(client=client, contract_year_start=year_start)
                        .exclude(status=VisitStatus.CANCELLED).values_list("slot", flat=True))
            # The lowest free place, looked for among the first len(taken) + 1 only (never a list of all `allowed`
            # places, which a huge stored allowance made a hang); places above `allowed` are not free.
            free = [s for s in range(1, min(allowed, len(taken) + 1) + 1) if s not in taken]
            if not free:
                raise Conflict(TamError.VISIT_LIMIT,
                               f"{client.name} already has {len(taken)} onsite visit(s) in the contract year "
                               f"{year_start} to {year_end}, its plan allows {allowed}. Another visit this year "
                               "must be purchased: an addendum adding an offering with extra onsite visits.", fields={"starts_on": "visit limit reached"})
            visit = OnsiteVisit.objects.create(client=client, contract_year_start=year_start, slot=free[0],
                                               starts_on=starts_on, ends_on=ends_on, purpose=purpose,
                                               location=location, attendees=people, created_by=actor,
                                               idempotency_key=key, idempotency_hash=sent if key else None)
            log(client, actor, "visit.planned", visit=visit.pk, starts_on=str(starts_on), year=str(year_start))
    except IntegrityError as exc:
        if key and (found := earlier()) is not None:  # the key's unique index refused a second visit
            return Written(found, created=False)
        raise Conflict(TamError.VISIT_LIMIT, "Another visit was just planned for this contract year; reload.",
                       fields={"starts_on": "visit limit reached"}) from exc
    return Written(visit, created=True)


def set_visit_status(actor: User | None, visit: OnsiteVisit, status: str) -> OnsiteVisit:
    require_worker(actor, visit.client)
    if status not in (VisitStatus.COMPLETED, VisitStatus.CANCELLED):
        raise Invalid("tam.bad_status", "A visit can be completed or cancelled.", fields={"status": "completed or cancelled"})
    _refuse_unless_planned(visit)
    with transaction.atomic():
        # Again under the visit's row lock: an expense being recorded meanwhile either lands before the cancel
        # (and its charge is cancelled here) or waits and finds the visit cancelled; never a live charge left.
        _refuse_unless_planned(OnsiteVisit.objects.select_for_update().get(pk=visit.pk))
        visit.status = status
        visit.save(update_fields=["status"])
        if status == VisitStatus.CANCELLED:
            for expense in visit.expenses.all():
                cancel_charge(f"expense:{expense.pk}")
        log(visit.client, actor, f"visit.{status}", visit=visit.pk)
    return visit


def _refuse_unless_planned(visit: OnsiteVisit) -> None:
    if visit.status != VisitStatus.PLANNED:
        raise Conflict(TamError.VISIT_CLOSED, f"This visit is already {visit.get_status_display().lower()}.")


MAX_AMOUNT = Decimal("9999999999.99")  # VisitExpense.amount / billed_amount: 12 digits, 2 decimals
MAX_RATE = Decimal("99999999.999999")  # VisitExpense.exchange_rate: 14 digits, 6 decimals
RATE_PLACES = Decimal("0.000001")


def _decimal(value: object, field: str, message: str, *, places: int, most: Decimal) -> Decimal:
    """A finite number > 0, at most `most`, with at most `places` decimals (never silently rounded)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if (not number.is_finite() or number <= 0 or number > most
            or number != number.quantize(Decimal(1).scaleb(-places))):
        raise Invalid(TamError.BAD_AMOUNT, message, fields={field: f"a number > 0 with at most {places} decimals"})
    return number


@dataclass(frozen=True)
class Recorded:
    expense: VisitExpense
    created: bool  # False when an idempotency key's replay returned the earlier expense


def add_expense(actor: User | None, visit: OnsiteVisit, *, category: str, amount: Decimal | str, currency: str,
                incurred_on: date, description: str = "", exchange_rate: Decimal | str | None = None,
                receipt: IO[bytes] | None = None, receipt_name: str = "") -> VisitExpense:
    """Record a travel expense against the visit and hand it to billing at cost, in the contract currency."""
    return record_expense(actor, visit, category=category, amount=amount, currency=currency, incurred_on=incurred_on,
                          description=description, exchange_rate=exchange_rate, receipt=receipt,
                          receipt_name=receipt_name).expense


def record_expense(actor: User | None, visit: OnsiteVisit, *, category: str, amount: Decimal | str, currency: str,
                   incurred_on: date, description: str = "", exchange_rate: Decimal | str | None = None,
                   receipt: IO[bytes] | None = None, receipt_name: str = "",
                   idempotency_key: str | None = None) -> Recorded:
    """`add_expense`, honouring the recorder's `idempotency_key` (an API Idempotency-Key, the visit page's
    submission): the same key with the same visit, category, amount, currency, date, description, exchange rate and
    receipt (name and content) returns the earlier expense (created False) and writes, bills and stores nothing,
    also once the visit has been cancelled since; the same key with anything else is 422
    `tam.idempotency_key_reused`."""
    require_worker(actor, visit.client)
    if category not in ExpenseCategory.values:
        raise Invalid(TamError.BAD_CATEGORY, f"Unknown expense category {category!r}; use one of "
                      f"{', '.join(ExpenseCategory.values)}.", fields={"category": "unknown"})
    value = _decimal(amount, "amount", f"The amount must be a number greater than 0 with at most 2 decimals "
                     f"(got {str(amount)[:40]!r}).", places=2, most=MAX_AMOUNT).quantize(Decimal("0.01"))
    currency = str(currency or "").strip().upper()
    if currency not in list_currencies():
        raise Invalid(TamError.BAD_CURRENCY, f"Unknown currency {currency!r}; use an ISO 4217 code such as CAD.",
                      fields={"currency": "unknown"})
    billed_currency = contract_currency(visit.client, visit.starts_on)
    rate: Decimal | None = None
    if currency != billed_currency:
        if exchange_rate in (None, ""):
            raise Invalid(TamError.EXCHANGE_RATE_REQUIRED,
                          f"This expense is in {currency} but {visit.client.name}'s contract is in {billed_currency}: "
                          f"give the exchange rate ({billed_currency} per 1 {currency}).",
                          fields={"exchange_rate": f"required for {currency} → {billed_currency}"})
        rate = _decimal(exchange_rate, "exchange_rate", f"The exchange rate must be a number greater than 0 with at "
                        f"most 6 decimals (got {str(exchange_rate)[:40]!r}).", places=6, most=MAX_RATE)
    billed = to_cents(value * rate) if rate is not None else value  # billing's one rule: half-up to the cent
    if not Decimal("0.01") <= billed <= MAX_AMOUNT:
        raise Invalid(TamError.BAD_AMOUNT, f"{value} {currency} at {rate} is {billed} {billed_currency}: the billed "
                      f"amount must be between 0.01 and {MAX_AMOUNT}; check the exchange rate.",
                      fields={"exchange_rate": "billed amount out of range"})
    spooled, kind = None, ""
    if receipt is not None:
        spooled = uploads.spool(uploads.chunks_of(receipt), limit=MAX_RECEIPT_BYTES, code=TamError.RECEIPT_TOO_LARGE,
                                what="receipt")
        kind = uploads.sniff_receipt(spooled.head) or ""
        if spooled.size == 0:
            raise Invalid(TamError.EMPTY_FILE, "The receipt file is empty.", fields={"receipt": "empty"})
        if not kind:
            raise Invalid(TamError.RECEIPT_TYPE, "A receipt must be a PDF, PNG or JPEG file.",
                          fields={"receipt": "PDF, PNG or JPEG"})
    description = " ".join(description.split())[:200]
    shown_name = uploads.safe_name(receipt_name, "receipt") if spooled is not None else ""
    key = idempotency_key if actor is not None else None  # scoped to a person: the system records no retries
    fingerprint = _fingerprint(visit, category, value, currency, incurred_on, description, rate,
                               (shown_name, spooled.size, spooled.sha256) if spooled is not None else None)
    # A retry gets its first answer, even once the visit has been cancelled since (so before that check); its
    # receipt was only spooled to a temporary file, so nothing is left in storage.
    if key and (earlier := _earlier_expense(actor, key, fingerprint)):
        return Recorded(earlier, created=False)
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict(TamError.VISIT_CLOSED, "Expenses cannot be added to a cancelled visit.")
    try:
        with stored_files.removed_on_failure(), transaction.atomic():  # no receipt left behind by a failed write
            # Under the visit's row lock, as a cancel takes it: a cancel that won meanwhile refuses this expense.
            if OnsiteVisit.objects.select_for_update().get(pk=visit.pk).status == VisitStatus.CANCELLED:
                raise Conflict(TamError.VISIT_CLOSED, "Expenses cannot be added to a cancelled visit.")
            # The rate as the column keeps it (6 decimals), so the first answer reads as a retry's and as the list.
            expense = VisitExpense(visit=visit, category=category, description=description, amount=value,
                                   currency=currency, exchange_rate=None if rate is None else rate.quantize(RATE_PLACES),
                                   billed_amount=billed, billed_currency=billed_currency, incurred_on=incurred_on,
                                   created_by=actor, idempotency_key=key, idempotency_hash=fingerprint if key else None)
            if spooled is not None:
                stored_files.save(expense.receipt, "receipt", uploads.as_file(spooled))
                expense.receipt_name = shown_name
                expense.receipt_type = kind
            expense.save()
            note = f" ({value} {currency} at {rate})" if rate is not None else ""
            expense.charge = record_charge(
                actor, client=visit.client, kind="travel_expense", amount=billed, currency=billed_currency,
                description=f"Onsite visit {visit.starts_on}: {expense.get_category_display()}"
                            f"{' – ' + expense.description if expense.description else ''}{note}",
                incurred_on=incurred_on, source_ref=f"expense:{expense.pk}",
                receipt=expense.receipt.name or "")  # shown and downloadable on the invoice
            expense.save(update_fields=["charge"])
            log(visit.client, actor, "visit.expense_added", visit=visit.pk, expense=expense.pk, amount=str(value),
                currency=currency, billed=str(billed), billed_currency=billed_currency)
    except IntegrityError:
        # The same expense retried while its first attempt was being written: the unique key refused this row, the
        # transaction (and so the charge and the event) rolled back and its receipt is already removed.
        if key and (earlier := _earlier_expense(actor, key, fingerprint)):
            return Recorded(earlier, created=False)
        raise
    return Recorded(expense, created=True)


def _fingerprint(visit: OnsiteVisit, category: str, amount: Decimal, currency: str, incurred_on: date,
                 description: str, rate: Decimal | None, receipt: tuple[str, int, str] | None) -> str:
    """A digest of the expense as recorded (amounts normalised: 45.1 and 45.10 are one request)."""
    parts: list[object] = [visit.pk, category, format(amount, "f"), currency, incurred_on.isoformat(), description,
                           None if rate is None else format(rate.normalize(), "f"), receipt]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _earlier_expense(recorder: User | None, key: str, fingerprint: str) -> VisitExpense | None:
    earlier = (VisitExpense.objects.filter(created_by=recorder, idempotency_key=key)
               .select_related("visit", "charge").first())
    if earlier is None:
        return None
    if earlier.idempotency_hash != fingerprint:
        raise Invalid(TamError.IDEMPOTENCY_KEY_REUSED,
                      "This Idempotency-Key was already used for another expense (another visit, amount, date, "
                      "description, exchange rate or receipt).", fields={"Idempotency-Key": "reused with another body"})
    return earlier


def today(client: Client) -> date:
    from supportdesk.contracts.entitlements import client_local_date

    return client_local_date(client, timezone.now())
