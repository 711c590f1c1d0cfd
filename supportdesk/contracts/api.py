from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.billing.pricing import MAX_AMOUNT
from supportdesk.errors import Forbidden, Invalid, NotFound
from supportdesk.pagination import PageNumberPagination
from supportdesk.schema_bounds import declared_range
from supportdesk.supported_years import FIRST_YEAR, LAST_YEAR, within_supported_years

from . import actions, queries
from .actions import MAX_QUANTITY, MAX_USER_COUNT
from .entitlements import entitlements_for
from .models import ServiceOrder

router = Router()


class LineIn(Schema):
    offering: str = Field("", description="Offering code or name (empty for an 'end' line)")
    action: str = Field("add", pattern="^(add|end|change)$")
    target_line: int | None = Field(None, description="For end/change: the earlier line's id")
    user_count: StrictInt | None = Field(None, description=f"Number of the client's users, 1 to {MAX_USER_COUNT:,} "
                                                           "(else 422 `contract.bad_user_count`)",
                                         json_schema_extra=declared_range(1, MAX_USER_COUNT))
    quantity: StrictInt | None = Field(None, description=f"1 to {MAX_QUANTITY:,} (else 422 `contract.bad_quantity`); "
                                                         "default 1 for a new line, and for a change the quantity of "
                                                         "the line it replaces", json_schema_extra=declared_range(1, MAX_QUANTITY))
    agreed_price: Decimal | None = Field(None, description=f"Monthly price agreed, if not the list price: 0 to "
                                                           f"{MAX_AMOUNT}, at most 2 decimals, and times the quantity "
                                                           f"at most {MAX_AMOUNT} too (else 422 `contract.bad_price`)",
                                         json_schema_extra=declared_range(0, MAX_AMOUNT))
    starts_on: date | None = Field(None, description="First day in force; default: the order's effective_from")
    ends_on: date | None = Field(None, description="Exclusive: the first day the line is no longer in force")
    notes: str = ""


class OrderIn(Schema):
    client_id: int
    number: str = Field(..., max_length=40)
    kind: str = Field("form", pattern="^(form|addendum)$")
    amends: str | None = Field(None, description="For an addendum: the form's number")
    signed_on: date
    effective_from: date
    effective_to: date | None = Field(None, description="Exclusive: the first day the order is no longer in force "
                                                        "(a one-year order from 2026-01-01 ends 2027-01-01); "
                                                        "empty: open-ended")
    currency: str | None = Field(None, min_length=3, max_length=3,
                                 description="ISO 4217 code; a form defaults to USD, an addendum is in its form's currency")
    notes: str = ""
    lines: list[LineIn]


class OrderLineOut(Schema):
    id: int
    action: str
    target_line: int | None = Field(None, alias="target_id")
    offering: str | None
    offering_version: int | None
    user_count: int | None
    quantity: int
    agreed_price: Decimal | None
    price_approved_by: str | None = Field(None, description="Email of who approved the agreed price")
    starts_on: date
    ends_on: date | None

    @staticmethod
    def resolve_price_approved_by(obj) -> str | None:  # noqa: ANN001
        return obj.price_approved_by.email if obj.price_approved_by_id else None

    @staticmethod
    def resolve_offering(obj) -> str | None:  # noqa: ANN001
        return obj.offering_version.offering.code if obj.offering_version else None

    @staticmethod
    def resolve_offering_version(obj) -> int | None:  # noqa: ANN001
        return obj.offering_version.version if obj.offering_version else None


class OrderOut(Schema):
    id: int
    number: str
    client_id: int
    kind: str
    amends: str | None
    signed_on: date
    effective_from: date
    effective_to: date | None
    currency: str
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_amends(obj) -> str | None:  # noqa: ANN001
        return obj.amends.number if obj.amends else None

    @staticmethod
    def resolve_lines(obj) -> list:  # noqa: ANN001
        return list(obj.lines.all())


@router.post("/orders", response={201: OrderOut}, summary="Record a Service Order Form or Addendum (R2)")
def create_order(request: HttpRequest, payload: OrderIn):
    if not policy.can_edit_contracts(policy.signed_in(request)):
        raise Forbidden("Only managers, billing and system admins record orders.")
    client = queries.client_with_contracts_for(policy.signed_in(request), payload.client_id)
    amends = None
    if payload.amends:
        amends = ServiceOrder.objects.filter(number=payload.amends, client=client).first()
        if amends is None:
            raise Invalid("contract.unknown_form", f"No Service Order Form {payload.amends} for this client.",
                          fields={"amends": "unknown"})
    order = actions.record_order(
        policy.signed_in(request), client=client, number=payload.number, kind=payload.kind, signed_on=payload.signed_on,
        effective_from=payload.effective_from, effective_to=payload.effective_to, currency=payload.currency,
        amends=amends, notes=payload.notes,
        lines=[actions.LineInput(**line.dict()) for line in payload.lines],
    )
    return Status(201, queries.orders_of(client).get(pk=order.pk))


@router.get("/clients/{client_id}/orders", response=list[OrderOut], summary="A client's orders and addenda")
@paginate(PageNumberPagination, page_size=25)
def list_orders(request: HttpRequest, client_id: int):
    client = queries.client_with_contracts_for(policy.signed_in(request), client_id)
    return queries.orders_of(client)


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request: HttpRequest, order_id: int):
    order = ServiceOrder.objects.filter(pk=order_id).first()
    try:
        client = queries.client_with_contracts_for(policy.signed_in(request), order.client_id if order else 0)
    except NotFound:
        raise NotFound("order") from None  # another client's order answers exactly like a missing one
    return queries.orders_of(client).get(pk=order_id)


class EntitlementsOut(Schema):
    client_id: int
    on: date = Field(..., description="The client's local date answered for")
    offerings: list[str] = Field(..., description="Offering codes in force, with those they include")
    features: dict = Field(..., description="The merged features of the lines in force (see the catalogue)")
    lines: list[dict] = Field(..., description="Each line in force: line_id, order, offering, offering_version, "
                                               "user_count, quantity, from, to (exclusive; null: open-ended)")


@router.get("/clients/{client_id}/entitlements", response=EntitlementsOut,
            summary="What the client is entitled to on a date or at an instant",
            description="`on=YYYY-MM-DD` (the client's local date) or `at=` an ISO 8601 instant with offset; "
                        "default: now.")
def get_entitlements(request: HttpRequest, client_id: int, on: date | None = Query(None),
                     at: str | None = Query(None)) -> dict:
    client = queries.client_with_contracts_for(policy.signed_in(request), client_id)
    if at is not None and on is not None:
        raise Invalid("contract.on_or_at", "Give either on= (a date) or at= (an instant), not both.",
                      fields={"on": "not with at", "at": "not with on"})
    when: date | datetime
    if at is not None:
        when = parse_instant(at, "at")
    elif on is not None:
        when = on
    else:
        from django.utils import timezone

        when = timezone.now()
    return entitlements_for(client, when).to_json()


# An offset's "+" written unencoded in a URL arrives as a space ("?at=2026-03-14T09:00:00+05:30").
_DECODED_PLUS_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def parse_instant(value: str, field: str) -> datetime:
    text = _DECODED_PLUS_OFFSET.sub(r"\1+\2", value.strip())
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid("invalid_instant", f"{field}: not an ISO 8601 instant: {value!r}.", fields={field: "invalid"}) from exc
    if instant.tzinfo is None:
        raise Invalid("naive_instant", f"{field}: give a UTC offset (e.g. 2026-03-14T09:00:00-05:00 or Z).",
                      fields={field: "needs an offset"})
    if not within_supported_years(instant):
        raise Invalid("instant_out_of_range", f"{field}: {value!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}.",
                      fields={field: "out of range"})
    return instant

