"""Recording Service Order Forms and Addenda: check everything first, then write in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from django.db import IntegrityError, transaction

from supportdesk.accounts.models import Client, User
from supportdesk.billing.pricing import MAX_AMOUNT, require_approved_custom_price
from supportdesk.catalogue.models import Offering, OfferingVersion
from supportdesk.errors import Conflict, Invalid

from .entitlements import line_periods
from .errors import ContractError
from .models import ContractEvent, LineAction, OrderKind, OrderLine, ServiceOrder

# An order line's bounds (the API declares them): users, how many of the offering, and the agreed monthly price,
# whose product with the quantity is billed on one invoice line (at most MAX_AMOUNT).
MAX_USER_COUNT, MAX_QUANTITY = 1_000_000, 1000


@dataclass
class LineInput:
    offering: str = ""  # offering code or name; empty for an "end" line
    user_count: int | None = None
    quantity: int | None = None  # None: 1 for a new line; a change keeps the quantity of the line it replaces
    agreed_price: Decimal | str | None = None
    action: str = LineAction.ADD
    target_line: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str = ""


def offering_version_on(offering: Offering, on: date) -> OfferingVersion | None:
    """The catalogue version in force on a date (the first one if the order predates them all); None when the
    offering has no published version at all."""
    version = offering.versions.filter(effective_from__lte=on).order_by("-version").first()
    return version or offering.versions.order_by("version").first()


def find_offering(code_or_name: str) -> Offering:
    offering = (Offering.objects.filter(code=code_or_name).first()
                or Offering.objects.filter(name__iexact=code_or_name).first())
    if offering is None:
        known = ", ".join(Offering.objects.values_list("code", flat=True))
        raise Invalid(ContractError.UNKNOWN_OFFERING, f"Unknown offering {code_or_name!r}. Known: {known}.",
                      fields={"offering": "unknown offering"})
    return offering


def record_order(actor: User | None, *, client: Client, number: str, kind: str, signed_on: date,
                 effective_from: date, effective_to: date | None = None, currency: str | None = None,
                 amends: ServiceOrder | None = None, lines: list[LineInput], notes: str = "") -> ServiceOrder:
    """Record a signed Service Order Form or Addendum with its lines."""
    number = number.strip()
    if currency is None:  # a form defaults to USD; an addendum is in its form's currency
        currency = amends.currency if kind == OrderKind.ADDENDUM and amends is not None else "USD"
    _check_order_header(client, number, kind, signed_on, effective_from, effective_to, currency, amends)
    if not lines:
        raise Invalid(ContractError.NO_LINES, "An order needs at least one line.", fields={"lines": "required"})
    with transaction.atomic():
        # The client's row lock serialises its orders, so two at once cannot both pass the overlap check.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        try:
            with transaction.atomic():
                order = ServiceOrder.objects.create(
                    number=number, client=client, kind=kind, amends=amends, signed_on=signed_on,
                    effective_from=effective_from, effective_to=effective_to, currency=currency.upper(),
                    notes=notes, created_by=actor,
                )
        except IntegrityError as exc:  # the same number recorded at the same moment by someone else
            raise Conflict(ContractError.DUPLICATE_NUMBER, f"Order number {number} is already recorded.",
                           fields={"number": "already used"}) from exc
        existing = line_periods(client)
        for index, line_input in enumerate(lines):
            line = _build_line(order, line_input, index, existing, actor)
            line.save()
            existing = line_periods(client)
        ContractEvent.objects.create(client=client, order=order, actor=actor, kind=f"order.{kind}_recorded",
                                     data={"number": number, "lines": len(lines)})
    return order


def _check_order_header(client: Client, number: str, kind: str, signed_on: date, effective_from: date,
                        effective_to: date | None, currency: str, amends: ServiceOrder | None) -> None:
    if not number:
        raise Invalid("contract.number_required", "An order number is required.", fields={"number": "required"})
    if ServiceOrder.objects.filter(number=number).exists():
        raise Conflict(ContractError.DUPLICATE_NUMBER, f"Order number {number} is already recorded.",
                       fields={"number": "already used"})
    if effective_to is not None and effective_to <= effective_from:
        raise Invalid(ContractError.END_BEFORE_START, "The end date must be after the effective start date.",
                      fields={"effective_to": "must be after effective_from"})
    if currency.upper() not in list_currencies():
        raise Invalid(ContractError.UNKNOWN_CURRENCY, f"Unknown currency {currency!r}.", fields={"currency": "unknown"})
    if kind == OrderKind.FORM:
        if amends is not None:
            raise Invalid(ContractError.ADDENDUM_NEEDS_FORM, "A Service Order Form amends nothing.",
                          fields={"amends": "only for addenda"})
        return
    if kind != OrderKind.ADDENDUM:
        raise Invalid("contract.bad_kind", "Kind must be 'form' or 'addendum'.", fields={"kind": "form or addendum"})
    if amends is None or amends.kind != OrderKind.FORM or amends.client_id != client.pk:
        raise Invalid(ContractError.ADDENDUM_NEEDS_FORM, "An addendum must amend a Service Order Form of the same client.",
                      fields={"amends": "a form of this client"})
    if currency.upper() != amends.currency:
        raise Invalid(ContractError.CURRENCY_MISMATCH,
                      f"An addendum is in its form's currency: {amends.number} is in {amends.currency}, not "
                      f"{currency.upper()}.", fields={"currency": f"must be {amends.currency}"})
    if signed_on < amends.signed_on:
        raise Invalid(ContractError.ADDENDUM_BEFORE_FORM,
                      f"The addendum is signed {signed_on}, before its form {amends.number} was signed ({amends.signed_on}).",
                      fields={"signed_on": "before the form was signed"})
    if effective_from < amends.effective_from:
        raise Invalid(ContractError.ADDENDUM_BEFORE_FORM,
                      f"The addendum starts {effective_from}, before its form {amends.number} ({amends.effective_from}).",
                      fields={"effective_from": "before the form"})
    if amends.effective_to and effective_from >= amends.effective_to:
        raise Invalid(ContractError.ADDENDUM_AFTER_FORM_END,
                      f"The addendum starts after its form {amends.number} ended ({amends.effective_to}).",
                      fields={"effective_from": "after the form's end"})


def _build_line(order: ServiceOrder, data: LineInput, index: int, existing: list, actor: User | None) -> OrderLine:
    field = f"lines[{index}]"
    if data.action not in LineAction.values:
        raise Invalid("contract.bad_action", f"{field}: action must be add, end or change.", fields={field: "bad action"})
    starts_on = data.starts_on or order.effective_from
    if starts_on < order.effective_from:
        raise Invalid(ContractError.END_BEFORE_START, f"{field}: a line cannot start before its order.",
                      fields={f"{field}.starts_on": "before the order"})
    order_end = min(d for d in (order.effective_to, order.form.effective_to, date.max) if d)
    if starts_on >= order_end:
        raise Invalid(ContractError.LINE_AFTER_ORDER_END,
                      f"{field}: the line starts {starts_on}, when its order is no longer in force "
                      f"(it ends {order_end}).", fields={f"{field}.starts_on": "after the order's end"})
    if data.ends_on is not None and data.ends_on <= starts_on:
        raise Invalid(ContractError.END_BEFORE_START, f"{field}: the line ends before it starts.",
                      fields={f"{field}.ends_on": "must be after starts_on"})
    target = _target_line(order, data, field, starts_on, existing)
    line = OrderLine(order=order, action=data.action, target=target, starts_on=starts_on, ends_on=data.ends_on,
                     notes=data.notes)
    if data.action == LineAction.END:
        return line
    offering_ref = data.offering or (target.offering_version.offering.code if target and target.offering_version else "")
    offering = find_offering(offering_ref)
    if not offering.active and data.action == LineAction.ADD:
        raise Invalid(ContractError.UNKNOWN_OFFERING,
                      f"{field}: {offering.name} is no longer offered; existing lines of it can still be changed or "
                      f"ended by an addendum.", fields={f"{field}.offering": "no longer offered"})
    kept = target.offering_version if target is not None else None
    same_offering = kept is not None and kept.offering_id == offering.pk
    # A change of quantity, users or price keeps the catalogue version the client bought; a new line (or a
    # change to another offering) buys the version in force on its start.
    line.offering_version = kept if same_offering else offering_version_on(offering, starts_on)
    if line.offering_version is None:  # created (e.g. in the admin site) but never published: it grants nothing
        raise Invalid(ContractError.UNKNOWN_OFFERING,
                      f"{field}: {offering.name} has no published catalogue version yet; a system admin publishes one "
                      f"first.", fields={f"{field}.offering": "no published version"})
    kept_line = target if same_offering else None
    line.user_count = _user_count(data.user_count, field)
    if line.user_count is None and kept_line is not None:
        line.user_count = kept_line.user_count  # a change that leaves the user count as it was
    if line.user_count is None and offering.priced_per_user_tier:
        raise Invalid(ContractError.BAD_USER_COUNT,
                      f"{field}: {offering.name} is priced by the number of users; give the user count.",
                      fields={f"{field}.user_count": "required for this offering"})
    # Likewise a change of the user count (or price) keeps the quantity it does not mention: nothing is overwritten.
    line.quantity = _quantity(data.quantity, field) if data.quantity is not None else (
        kept_line.quantity if kept_line is not None else 1)
    line.agreed_price = _price(data.agreed_price, field)
    if line.agreed_price is not None:
        line.price_approved_by = actor
        if line.agreed_price * line.quantity > MAX_AMOUNT:  # never invoiceable: refused now, not at the month's run
            raise Invalid(ContractError.BAD_PRICE,
                          f"{field}: {line.quantity:,} x {line.agreed_price} is {line.agreed_price * line.quantity} a "
                          f"month, more than an invoice line holds ({MAX_AMOUNT}); lower the price or the quantity.",
                          fields={f"{field}.agreed_price": f"price x quantity at most {MAX_AMOUNT}"})
    require_approved_custom_price(actor, offering=offering, users=line.user_count, agreed_price=line.agreed_price,
                                  currency=order.form.currency, on=starts_on, field=field)
    _refuse_overlap(offering, starts_on, min(line.ends_on or date.max, order_end), existing, target, field)
    return line


def _target_line(order: ServiceOrder, data: LineInput, field: str, starts_on: date, existing: list) -> OrderLine | None:
    if data.action == LineAction.ADD:
        return None
    if order.kind != OrderKind.ADDENDUM:
        raise Invalid(ContractError.UNKNOWN_TARGET_LINE, f"{field}: only an addendum can end or change a line.",
                      fields={field: "needs an addendum"})
    form = order.form
    target = OrderLine.objects.filter(pk=data.target_line).filter(
        order__in=[form.pk, *form.addenda.values_list("pk", flat=True)]).first() if data.target_line else None
    if target is None and data.target_line:  # missing, or another form's (or client's): the same answer
        raise Invalid(ContractError.UNKNOWN_TARGET_LINE,
                      f"{field}: there is no line {data.target_line} in {form.number} or its addenda.",
                      fields={f"{field}.target_line": "not a line of this form"})
    if target is None:
        raise Invalid(ContractError.UNKNOWN_TARGET_LINE, f"{field}: name the line to {data.action} (target_line).",
                      fields={f"{field}.target_line": "required"})
    if not any(p.line.pk == target.pk and p.covers(starts_on) for p in existing):
        raise Invalid(ContractError.TARGET_NOT_IN_FORCE, f"{field}: line {target.pk} is not in force on {starts_on}.",
                      fields={f"{field}.target_line": "not in force"})
    return target


def _user_count(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > MAX_USER_COUNT:
        raise Invalid(ContractError.BAD_USER_COUNT,
                      f"{field}: user count must be a whole number from 1 to {MAX_USER_COUNT:,}.",
                      fields={f"{field}.user_count": "whole number >= 1"})
    return value


def _quantity(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > MAX_QUANTITY:
        raise Invalid(ContractError.BAD_QUANTITY, f"{field}: quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                      fields={f"{field}.quantity": "whole number >= 1"})
    return value


def _price(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite() or price < 0 or price > MAX_AMOUNT or price != price.quantize(Decimal("0.01")):
        raise Invalid(ContractError.BAD_PRICE, f"{field}: the agreed price must be an amount from 0 to {MAX_AMOUNT} "
                                               "with at most 2 decimals.",
                      fields={f"{field}.agreed_price": "amount >= 0"})
    return price


def _refuse_overlap(offering: Offering, start: date, end: date | None, existing: list,
                    replacing: OrderLine | None, field: str) -> None:
    for period in existing:
        version = period.line.offering_version
        if version is None or version.offering_id != offering.pk:
            continue
        if replacing is not None and period.line.pk == replacing.pk:
            continue
        if period.overlaps(start, end):
            raise Conflict(ContractError.OVERLAPPING_LINE,
                           f"{field}: {offering.name} is already in force from {period.start} "
                           f"(order {period.line.order.number}); end or change that line with an addendum instead.",
                           fields={field: "overlaps an existing line"})
