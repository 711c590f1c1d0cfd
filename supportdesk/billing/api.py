"""REST endpoints of the billing context (mounted by supportdesk.api at /api/v1/billing)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from supportdesk import policy
from supportdesk.errors import DomainError, Forbidden, Invalid
from supportdesk.idempotency_keys import KEY_HEADER, retry_responses
from supportdesk.pagination import MAX_PAGE, PageNumberPagination
from supportdesk.policy.billing import can_manage_billing, can_quote
from supportdesk.schema_bounds import declared_range
from supportdesk.supported_years import FIRST_YEAR, LAST_YEAR

from . import actions, exports, queries, runs
from .errors import BillingError
from .models import Invoice, InvoiceRun
from .pricing import MAX_AMOUNT, MAX_USERS, offering_named, parse_user_count, price_for, quote_user_count

router = Router()


def _date(value: str | None, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(BillingError.BAD_DATE, f"{field} must be a date YYYY-MM-DD (got {value!r}).",
                      fields={field: "YYYY-MM-DD"}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # as the pages' date fields: the ends of Python's range overflow
        raise Invalid(BillingError.BAD_DATE, f"{field}: {day.isoformat()} is outside the years {FIRST_YEAR} to "
                      f"{LAST_YEAR}; check the year.", fields={field: f"years {FIRST_YEAR} to {LAST_YEAR}"})
    return day


@router.get("/quote", summary="Quote the MRC of an offering for a number of users (and a what-if)",
            description=f"`users` and `what_if`: whole numbers from 1 to {MAX_USERS:,} (else 422 "
                        "`billing.bad_user_count`); over the tier rule's cap there is no automatic price (422 "
                        "`billing.custom_price_required`, or the what-if's own error object).")
def quote(request: HttpRequest, offering: str, users: str | None = None, currency: str = "USD", on: str | None = None,
          what_if: str | None = None) -> dict:
    if not can_quote(policy.signed_in(request)):
        raise Forbidden("Only staff may quote prices.")
    found = offering_named(offering)
    when = _date(on, "on")
    count = quote_user_count(found, users)  # required for 24/7 Support (per user tier), optional for flat prices
    other = parse_user_count(what_if, "what_if") if what_if not in (None, "") else None  # bad input: 422
    body = price_for(found, count, currency, when).to_json()
    if other is not None:
        try:  # a valid count without an automatic price (over the cap) answers its own error object
            body["what_if"] = price_for(found, other, currency, when).to_json()
        except DomainError as exc:
            body["what_if"] = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
    return body


class InvoiceLineOut(Schema):
    id: int
    kind: str
    description: str
    explanation: str
    quantity: Decimal
    unit_amount: Decimal
    amount: Decimal
    service_from: date | None
    service_to: date | None = Field(description="Exclusive: the day after the last day of service")
    service_last_day: date | None = Field(description="Inclusive last day of service")


class CreditNoteOut(Schema):
    id: int
    number: str
    reason: str
    amount: Decimal
    currency: str
    issued_at: datetime


class InvoiceOut(Schema):
    id: int
    number: str | None
    client_id: int
    client: str
    period_start: date
    period_end: date = Field(description="Exclusive: the first day of the next month")
    period_last_day: date = Field(description="Inclusive last day of the invoiced month")
    currency: str
    status: str
    total: Decimal
    issued_at: datetime | None
    billed_to_address: str

    @staticmethod
    def resolve_client(obj) -> str:  # noqa: ANN001
        return obj.billed_name  # as issued: a later rename does not rewrite the invoice


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]
    credit_notes: list[CreditNoteOut]


class RunIn(Schema):
    month: str = Field(..., description="YYYY-MM")
    background: bool = Field(False, description="Start a background run and answer 202 with it at once (poll "
                                                "`GET invoice-runs/{id}`), instead of issuing within the request")


class RunOut(Schema):
    month: date
    issued: list[InvoiceOut]
    already_issued: int
    problems: list[str]


def _manager(request: HttpRequest):  # noqa: ANN202
    user = policy.signed_in(request)
    if not can_manage_billing(user):
        raise Forbidden("Only billing admins, managers and system admins manage billing.")
    return user


class InvoiceRunOut(Schema):
    id: int
    month: date = Field(description="First day of the invoiced month")
    state: str = Field(description="queued, running, done or failed")
    done: int = Field(description="Clients gone through")
    total: int = Field(description="Clients to go through")
    percent: int
    url: str = Field(description="Where to poll this run (the API)")
    page: str = Field(description="The run's web page, with its progress bar")
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    issued_count: int = Field(description="Invoices issued by the run (once done; so far, if it failed)")
    already_issued: int = Field(description="Invoices that existed before the run (once done)")
    problems: list[str] = Field(description="Clients and currencies not invoiced, and why (once done)")
    error: str = Field(description="Why the run failed")

    @staticmethod
    def resolve_url(obj: InvoiceRun) -> str:
        return f"/api/v1/billing/invoice-runs/{obj.pk}"

    @staticmethod
    def resolve_page(obj: InvoiceRun) -> str:
        return f"/billing/runs/{obj.pk}/"

    @staticmethod
    def resolve_requested_by(obj: InvoiceRun) -> str | None:
        return obj.requested_by.email if obj.requested_by is not None else None

    @staticmethod
    def resolve_issued_count(obj: InvoiceRun) -> int:
        if obj.is_active:
            return 0
        counted = getattr(obj, "issued_total", None)  # annotated by queries.invoice_runs / invoice_run_for
        return counted if counted is not None else obj.issued_invoices.count()


class InvoiceRunDetailOut(InvoiceRunOut):
    issued: list[InvoiceOut] = Field(description="The invoices the run issued")

    @staticmethod
    def resolve_issued(obj: InvoiceRun) -> list[Invoice]:
        return list(queries.run_invoices_issued(obj))


@router.post("/invoices/run", response={200: RunOut, 202: InvoiceRunOut},
             summary="Issue a month's invoices (idempotent), now or in the background",
             description="By default the month is issued within the request and the result answered (200). With "
                         "`\"background\": true` a run is queued and answered at once (202); poll its `url`. While "
                         "a run of the month is queued or running, starting another answers that run.")
def run(request: HttpRequest, payload: RunIn):  # noqa: ANN201
    if payload.background:
        return Status(202, runs.start_invoice_run(_manager(request), payload.month))
    return actions.issue_month(_manager(request), payload.month)


@router.get("/invoice-runs", response=list[InvoiceRunOut], summary="Background invoice runs, newest first")
@paginate(PageNumberPagination, page_size=25)
def invoice_runs(request: HttpRequest):  # noqa: ANN201
    return queries.invoice_runs(_manager(request))


@router.get("/invoice-runs/{run_id}", response=InvoiceRunDetailOut,
            summary="A background invoice run: its progress, then what it did")
def invoice_run(request: HttpRequest, run_id: int):  # noqa: ANN201
    return queries.invoice_run_for(policy.signed_in(request), run_id)


@router.get("/invoices", response=list[InvoiceOut], summary="Invoices visible to you (newest month first)")
@paginate(PageNumberPagination, page_size=25)
def invoice_list(request: HttpRequest, client_id: int | None = None):  # noqa: ANN201
    return queries.invoices(policy.signed_in(request), client_id=client_id)


@router.get("/invoices/{invoice_id}", response=InvoiceDetailOut)
def invoice_detail(request: HttpRequest, invoice_id: int):  # noqa: ANN201
    return queries.invoice_for(policy.signed_in(request), invoice_id)


@router.get("/invoices/{invoice_id}/pdf", summary="The invoice as PDF")
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = queries.invoice_for(policy.signed_in(request), invoice_id)
    response = HttpResponse(exports.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.pdf"'
    return response


@router.get("/invoices/{invoice_id}/csv", summary="The invoice as CSV")
def invoice_csv(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = queries.invoice_for(policy.signed_in(request), invoice_id)
    response = HttpResponse(exports.invoice_csv(invoice), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.csv"'
    return response


_AMOUNT = f"Decimal as a string, e.g. \"120.50\": more than 0, at most {MAX_AMOUNT}, at most 2 decimals (else 422 " \
          "`billing.bad_amount`)"
_PRICE = f"Decimal as a string: 0 to {MAX_AMOUNT}, at most 2 decimals (else 422 `billing.bad_amount`)"


# A client retrying a POST after a timeout must not bill twice (SPEC §12: nothing accepted is lost or done twice).
_IDEMPOTENT = ("Honours an `Idempotency-Key` header (1 to 100 characters, per person): the same key and {what} "
               "return the first {thing} (200) and write nothing; the same key with another {what} is refused "
               "(422 `billing.idempotency_key_reused` on `Idempotency-Key`), as is a key that is empty or longer "
               "(422 `billing.bad_idempotency_key`). Without the header every call records a new {thing}.")


def _recorded(thing: str) -> dict:
    return retry_responses(f"The {thing}, recorded now", f"the {thing} it recorded; nothing written")


class CreditNoteIn(Schema):
    amount: str = Field(..., description=_AMOUNT)
    reason: str


@router.post("/invoices/{invoice_id}/credit-notes", response={201: CreditNoteOut, 200: CreditNoteOut},
             summary="Issue a credit note against an issued invoice",
             description="At most what is left to credit (else 422 `billing.credit_too_large`); a draft invoice is "
                         "409 `billing.not_issued`. " + _IDEMPOTENT.format(what="invoice, amount and reason",
                                                                          thing="credit note"),
             openapi_extra=_recorded("credit note"))
def credit_note(request: HttpRequest, invoice_id: int, payload: CreditNoteIn,
                idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                     description=KEY_HEADER)):  # noqa: ANN201
    user = _manager(request)
    invoice = queries.invoice_for(user, invoice_id)
    issued = actions.write_credit_note(user, invoice, amount=payload.amount, reason=payload.reason,
                                       idempotency_key=idempotency_key)
    return Status(201 if issued.created else 200, issued.record)


@router.post("/invoices/{invoice_id}/paid", response=InvoiceOut)
def paid(request: HttpRequest, invoice_id: int):  # noqa: ANN201
    user = _manager(request)
    return actions.mark_paid(user, queries.invoice_for(user, invoice_id))


class ChargeIn(Schema):
    kind: str = "travel_expense"
    description: str
    amount: str = Field(..., description=_AMOUNT)
    currency: str
    incurred_on: str
    rate: str | None = Field(None, description="Exchange rate, only when the currency differs from the client's "
                                               "billing currency (one that converts the amount to 0.00 is refused)")


class ChargeOut(Schema):
    id: int
    kind: str
    description: str
    amount: Decimal
    currency: str
    incurred_on: date


@router.post("/clients/{client_id}/charges", response={201: ChargeOut, 200: ChargeOut}, summary="Add a one-off charge",
             description=_IDEMPOTENT.format(what="client, kind, description, amount, currency, `incurred_on` and "
                                                 "`rate`", thing="charge"),
             openapi_extra=_recorded("charge"))
def add_charge(request: HttpRequest, client_id: int, payload: ChargeIn,
               idempotency_key: str | None = Header(None, alias="Idempotency-Key")):  # noqa: ANN201
    user = _manager(request)
    client = queries.client_for(user, client_id)
    incurred = _date(payload.incurred_on, "incurred_on")
    if incurred is None:
        raise Invalid(BillingError.BAD_DATE, "incurred_on is required.", fields={"incurred_on": "required"})
    added = actions.write_charge(user, client=client, kind=payload.kind, description=payload.description,
                                 amount=payload.amount, currency=payload.currency, incurred_on=incurred,
                                 rate=payload.rate, idempotency_key=idempotency_key)
    return Status(201 if added.created else 200, added.record)


class CreditIn(Schema):
    description: str
    amount: str = Field(..., description=_AMOUNT)
    currency: str


class CreditOut(Schema):
    id: int
    description: str
    amount: Decimal
    currency: str
    granted_on: date


@router.post("/clients/{client_id}/credits", response={201: CreditOut, 200: CreditOut},
             summary="Grant a credit for the next invoice",
             description=_IDEMPOTENT.format(what="client, description, amount and currency", thing="credit"),
             openapi_extra=_recorded("credit"))
def grant_credit(request: HttpRequest, client_id: int, payload: CreditIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key")):  # noqa: ANN201
    user = _manager(request)
    client = queries.client_for(user, client_id)
    granted = actions.write_credit(user, client=client, description=payload.description, amount=payload.amount,
                                   currency=payload.currency, idempotency_key=idempotency_key)
    return Status(201 if granted.created else 200, granted.record)


class PriceIn(Schema):
    offering: str
    currency: str
    effective_from: date
    monthly_price: str = Field(..., description=_PRICE)


class TierIn(Schema):
    offering: str
    currency: str
    effective_from: date
    tier_size: int = Field(10, description=f"Users a tier, 1 to {actions.MAX_TIER_SIZE:,} (else 422 "
                                           "`billing.bad_tier_rule`)",
                           json_schema_extra=declared_range(1, actions.MAX_TIER_SIZE))
    step: str = Field("100.00", description=f"{_PRICE}; the top tier's MRC (base_mrc + step x the tiers above the "
                                            f"first up to the cap) at most {MAX_AMOUNT} too (else 422 "
                                            "`billing.bad_tier_rule` on `step`)")
    cap: int = Field(100, description=f"Most users with an automatic price, tier_size to {actions.MAX_TIER_CAP:,} "
                                      "(else 422 `billing.bad_tier_rule`)",
                     json_schema_extra=declared_range(1, actions.MAX_TIER_CAP))
    base_mrc: str = Field(..., description=_PRICE)


PRICE_PAGE_SIZE = 100


@router.get("/prices", summary="The price list and user-tier rules (paged: `page`, `page_size` apply to each list)")
def prices(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_PAGE),
           page_size: int = Query(PRICE_PAGE_SIZE, ge=1, le=PRICE_PAGE_SIZE)) -> dict:
    if not can_quote(policy.signed_in(request)):
        raise Forbidden("Only staff may read the price list.")
    entries, tiers = queries.price_list()
    # Every price change is a new dated row, so both lists grow for ever: each is paged, with its count.
    start = (page - 1) * page_size
    return {
        "list_prices": [{"offering": e.offering.code, "currency": e.currency, "effective_from": e.effective_from,
                         "monthly_price": str(e.monthly_price)} for e in entries[start:start + page_size]],
        "list_prices_count": entries.count(),
        "tiers": [{"offering": t.offering.code, "currency": t.currency, "effective_from": t.effective_from,
                   "tier_size": t.tier_size, "step": str(t.step), "cap": t.cap, "base_mrc": str(t.base_mrc)}
                  for t in tiers[start:start + page_size]],
        "tiers_count": tiers.count(),
        "page": page, "page_size": page_size,
    }


@router.post("/prices", response={201: dict}, summary="Set a list price from a date")
def set_price(request: HttpRequest, payload: PriceIn):  # noqa: ANN201
    entry = actions.set_list_price(_manager(request), offering=offering_named(payload.offering),
                                   currency=payload.currency, effective_from=payload.effective_from,
                                   monthly_price=payload.monthly_price)
    return Status(201, {"id": entry.pk, "monthly_price": str(entry.monthly_price)})


@router.post("/tiers", response={201: dict}, summary="Set the user-tier rule from a date")
def set_tiers(request: HttpRequest, payload: TierIn):  # noqa: ANN201
    rule = actions.set_tier_pricing(_manager(request), offering=offering_named(payload.offering),
                                    currency=payload.currency, effective_from=payload.effective_from,
                                    tier_size=payload.tier_size, step=payload.step, cap=payload.cap,
                                    base_mrc=payload.base_mrc)
    return Status(201, {"id": rule.pk, "base_mrc": str(rule.base_mrc), "cap": rule.cap})
