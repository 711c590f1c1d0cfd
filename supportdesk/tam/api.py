"""REST endpoints of the tam context (/api/v1/tam): thin; writes are actions, reads go through the policy."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Header, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import Invalid, NotFound, fields_as_sent
from supportdesk.idempotency_keys import KEY_HEADER, check_key, retry_responses
from supportdesk.pagination import PageNumberPagination, PreparedPage, paginate_prepared
from supportdesk.tickets import queries as ticket_queries

from . import actions, calls, ics, library, queries, upgrades, uploads, visits
from .errors import TamError
from .schemas import (
    AssignmentIn,
    AssignmentOut,
    ClientCardOut,
    ConfirmIn,
    EscalatedOut,
    EscalateIn,
    ExpenseOut,
    FeedOut,
    GuideIn,
    LibraryItemOut,
    MinutesIn,
    MoveIn,
    OccurrenceOut,
    OutcomeIn,
    SeriesIn,
    SeriesOut,
    SeriesPatch,
    UpgradeIn,
    UpgradeOut,
    VisitIn,
    VisitOut,
    VisitStatusIn,
)

router = Router()


def _me(request: HttpRequest) -> User:
    return policy.signed_in(request)


# --- R8: workspace, reassignment, escalation, feed -------------------------------------------------

@router.get("/workspace", response=list[ClientCardOut], summary="The TAM's clients at a glance")
@paginate_prepared(page_size=50)
def workspace(request: HttpRequest) -> PreparedPage:
    now = timezone.now()
    clients = queries.workspace_clients(_me(request), now)

    def items(offset: int, limit: int) -> list[dict]:
        # Cards cost queries each: only this page's are built.
        return [_card_out(queries.client_card(client, now)) for client in clients[offset:offset + limit]]

    return PreparedPage(count=partial(len, clients), items=items)


def _card_out(card: queries.ClientCard) -> dict:
    return ClientCardOut.model_validate({
        "client_id": card.client.pk, "client": card.client.name, "entitled": card.entitled,
        "open_tickets": len(card.open_tickets), "at_risk_tickets": [t.pk for t in card.at_risk],
        "upcoming_calls": [o.pk for o in card.calls], "upcoming_visits": [v.pk for v in card.visits],
        "live_upgrades": [u.pk for u in card.upgrades], "installed_version": card.installed,
    }).model_dump(mode="json")


@router.get("/clients/{client_id}/assignments", response=list[AssignmentOut], summary="TAM assignment history")
@paginate(PageNumberPagination, page_size=25)
def assignments(request: HttpRequest, client_id: int):
    return queries.assignment_history(queries.client_for(_me(request), client_id))


@router.post("/clients/{client_id}/assignment", response={201: AssignmentOut}, summary="Reassign the TAM (managers)")
def reassign(request: HttpRequest, client_id: int, payload: AssignmentIn):
    client = queries.client_for(_me(request), client_id, work=True)
    tam = User.objects.filter(pk=payload.tam_id, client__isnull=True).first()
    if tam is None:
        raise Invalid("tam.unknown_tam", "No such staff member.", fields={"tam_id": "unknown"})
    with fields_as_sent({"tam": "tam_id"}):
        return Status(201, actions.reassign_tam(_me(request), client=client, tam=tam))


@router.post("/tickets/{ticket_id}/escalate", response={201: EscalatedOut, 200: EscalatedOut},
             summary="Escalate a ticket to the TAM",
             description="Records the escalation on the ticket and mails the TAM (201). Honours an `Idempotency-Key` "
                         "header (1 to 100 characters, per person; else 422 `tam.bad_idempotency_key`): the same key "
                         "with the same ticket, `reason` and `assign` answers 200 with the ticket as it is now and "
                         "mails the TAM no second time; the same key with another body is refused (422 "
                         "`tam.idempotency_key_reused`). Without the header every call escalates (and mails) again.",
             openapi_extra=retry_responses("Escalated; the TAM is mailed", "nothing was written or sent"))
def escalate(request: HttpRequest, ticket_id: int, payload: EscalateIn,
             idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    ticket = ticket_queries.ticket_for(_me(request), ticket_id)
    escalated = actions.escalate(_me(request), ticket, reason=payload.reason, assign=payload.assign, source="api",
                                 idempotency_key=idempotency_key)
    from supportdesk.accounts.actions import current_tam

    ticket = escalated.record
    tam = current_tam(ticket.client)
    return Status(201 if escalated.created else 200,
                  {"ticket_id": ticket.pk, "tam_id": tam.pk if tam else 0, "assignee_id": ticket.assignee_id})


@router.get("/feed", response=FeedOut, summary="Your calendar feed URL (.ics)")
def feed_url(request: HttpRequest, rotate: bool = False):
    return {"url": f"{settings.SITE_URL}/tam/feed/{actions.feed_token(_me(request), rotate=rotate)}.ics"}


# --- R9: calls -------------------------------------------------------------------------------------

@router.get("/clients/{client_id}/series", response=list[SeriesOut], summary="A client's call series")
@paginate(PageNumberPagination, page_size=25)
def list_series(request: HttpRequest, client_id: int):
    client = queries.client_for(_me(request), client_id)
    return queries.series_qs(_me(request)).filter(client=client)


@router.post("/clients/{client_id}/series", response={201: SeriesOut, 200: SeriesOut}, summary="Plan a recurring call",
             description="Plans calls to come: a `starts_on` whose first call (its first `weekday` at `local_time` "
                         "in `zone`) is before now is 422 `tam.window_in_past` on `starts_on`; a call that took "
                         "place is recorded as minutes on its occurrence. Every call up to six weeks ahead is "
                         "created and its invitation sent to each attendee (201). Honours an `Idempotency-Key` "
                         "header (1 to 100 characters, per person; else 422 `tam.bad_idempotency_key`): the same "
                         "key with the same body returns the first series (200, also once its start has passed) and "
                         "plans and invites nothing again; the same key with another body is refused (422 "
                         "`tam.idempotency_key_reused`) and writes nothing. Without the header every call plans a "
                         "new series.",
             openapi_extra=retry_responses("Planned; its calls' invitations are queued",
                                           "the first series; nothing was planned or sent"))
def create_series(request: HttpRequest, client_id: int, payload: SeriesIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    client = queries.client_for(_me(request), client_id, work=True)
    planned = calls.plan_series(_me(request), client=client, idempotency_key=idempotency_key, **payload.dict())
    return Status(201 if planned.created else 200, planned.record)


@router.patch("/series/{series_id}", response=SeriesOut, summary="Change a series (re-sends future invitations)")
def patch_series(request: HttpRequest, series_id: int, payload: SeriesPatch):
    series = queries.one(queries.series_qs(_me(request)), series_id, "call series")
    return calls.update_series(_me(request), series, **payload.dict(exclude_none=True))


@router.post("/series/{series_id}/cancel", response=SeriesOut, summary="Cancel a series (sends METHOD:CANCEL)")
def cancel_series(request: HttpRequest, series_id: int):
    series = queries.one(queries.series_qs(_me(request)), series_id, "call series")
    return calls.cancel_series(_me(request), series)


@router.get("/series/{series_id}/occurrences", response=list[OccurrenceOut], summary="Calls of a series")
@paginate(PageNumberPagination, page_size=25)
def list_occurrences(request: HttpRequest, series_id: int):
    series = queries.one(queries.series_qs(_me(request)), series_id, "call series")
    return queries.occurrences_qs(_me(request)).filter(series=series).prefetch_related("follow_ups")


@router.get("/occurrences/{occ_id}", response=OccurrenceOut, summary="One call, with agenda and minutes")
def get_occurrence(request: HttpRequest, occ_id: int):
    return queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")


@router.get("/occurrences/{occ_id}/ics", summary="The call's current invitation (.ics)", response={200: None})
def occurrence_ics(request: HttpRequest, occ_id: int):
    occ = queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")
    response = HttpResponse(ics.invitation(occ), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="call-{occ.pk}.ics"'
    return response


@router.post("/occurrences/{occ_id}/agenda", response=OccurrenceOut, summary="Generate the agenda now")
def agenda(request: HttpRequest, occ_id: int):
    occ = queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")
    return calls.generate_agenda(_me(request), occ)


@router.post("/occurrences/{occ_id}/minutes", response=OccurrenceOut, summary="Record minutes and follow-ups",
             description="Every follow-up sent is recorded, or nothing is: a blank `text` (422 `tam.required`), a "
                         "text over 500 or owner over 200 characters (`tam.too_long`) or a `due_on` that is not "
                         "YYYY-MM-DD in the years 2 to 9998 (`tam.bad_dates`) is refused naming the item's field "
                         "(`follow_ups[1].text`). Minutes are 1 to 50,000 characters.")
def minutes(request: HttpRequest, occ_id: int, payload: MinutesIn):
    occ = queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")
    return calls.record_minutes(_me(request), occ, minutes=payload.minutes,
                                follow_ups=[f.dict() for f in payload.follow_ups])


@router.post("/occurrences/{occ_id}/cancel", response=OccurrenceOut, summary="Cancel one call (METHOD:CANCEL)")
def cancel_occurrence(request: HttpRequest, occ_id: int):
    occ = queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")
    return calls.cancel_occurrence(_me(request), occ)


@router.post("/occurrences/{occ_id}/move", response=OccurrenceOut, summary="Move one call (same UID, SEQUENCE+1)")
def move_occurrence(request: HttpRequest, occ_id: int, payload: MoveIn):
    occ = queries.one(queries.occurrences_qs(_me(request)), occ_id, "call")
    return calls.move_occurrence(_me(request), occ, starts_at=payload.starts_at)


@router.post("/follow-ups/{follow_up_id}/done", response={204: None}, summary="Mark a follow-up action done")
def follow_up_done(request: HttpRequest, follow_up_id: int):
    calls.complete_follow_up(_me(request), queries.follow_up_for(_me(request), follow_up_id))
    return Status(204, None)


# --- R10: onsite visits and expenses -----------------------------------------------------------------

@router.get("/clients/{client_id}/visits", response=list[VisitOut], summary="A client's onsite visits")
@paginate(PageNumberPagination, page_size=25)
def list_visits(request: HttpRequest, client_id: int):
    client = queries.client_for(_me(request), client_id)
    return queries.visits_qs(_me(request)).filter(client=client)


@router.post("/clients/{client_id}/visits", response={201: VisitOut, 200: VisitOut}, summary="Plan an onsite visit",
             description="Takes one of the contract year's visits (409 `tam.visit_limit` when they are all taken). "
                         "Honours an `Idempotency-Key` header (1 to 100 characters, per person; else 422 "
                         "`tam.bad_idempotency_key`): the same key with the same body returns the first visit (200, "
                         "also once it was completed or cancelled since) and takes no second visit of the year; the "
                         "same key with another body is refused (422 `tam.idempotency_key_reused`). Without the "
                         "header every call plans a new visit.",
             openapi_extra=retry_responses("Planned", "the first visit; nothing was written"))
def plan_visit(request: HttpRequest, client_id: int, payload: VisitIn,
               idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    client = queries.client_for(_me(request), client_id, work=True)
    planned = visits.schedule_visit(_me(request), client=client, idempotency_key=idempotency_key, **payload.dict())
    return Status(201 if planned.created else 200, planned.record)


@router.post("/visits/{visit_id}/status", response=VisitOut, summary="Complete or cancel a visit")
def visit_status(request: HttpRequest, visit_id: int, payload: VisitStatusIn):
    visit = queries.one(queries.visits_qs(_me(request)), visit_id, "visit")
    return visits.set_visit_status(_me(request), visit, payload.status)


@router.get("/visits/{visit_id}/expenses", response=list[ExpenseOut], summary="Travel expenses of a visit")
@paginate(PageNumberPagination, page_size=25)
def list_expenses(request: HttpRequest, visit_id: int):
    visit = queries.one(queries.visits_qs(_me(request)), visit_id, "visit")
    return queries.expenses_qs(_me(request)).filter(visit=visit)


@router.post("/visits/{visit_id}/expenses", response={201: ExpenseOut, 200: ExpenseOut},
             summary="Record a travel expense (billed at cost)",
             description="A multipart form with an optional `receipt` file (PDF, PNG or JPEG, at most 10 MB); the "
                         "expense is handed to billing at cost in the contract's currency (201). Honours an "
                         "`Idempotency-Key` header (1 to 100 characters, per person; else 422 "
                         "`tam.bad_idempotency_key`): the same key with the same visit, category, amount, currency, "
                         "`incurred_on`, description, exchange rate and receipt (name and content) returns the first "
                         "expense (200, also after the visit was cancelled since) and records, bills and stores "
                         "nothing again; the same key with anything else is refused (422 "
                         "`tam.idempotency_key_reused`) and writes nothing.",
             openapi_extra=retry_responses("Recorded and handed to billing", "the first expense; nothing was written",
                                           _413="`tam.receipt_too_large`: the receipt is over 10 MB; nothing was "
                                                "written"))
def add_expense(request: HttpRequest, visit_id: int, category: Form[str], amount: Form[str], currency: Form[str],
                incurred_on: Form[date], description: Form[str] = "", exchange_rate: Form[str] = "",
                receipt: UploadedFile | None = File(None),
                idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                     description="1 to 100 characters, scoped to the person sending "
                                                                 "it: a retry with it records the expense once")):
    check_key(idempotency_key, TamError.BAD_IDEMPOTENCY_KEY)
    visit = queries.one(queries.visits_qs(_me(request)), visit_id, "visit")
    recorded = visits.record_expense(_me(request), visit, category=category, amount=amount, currency=currency,
                                     incurred_on=incurred_on, description=description,
                                     exchange_rate=exchange_rate or None, receipt=receipt,
                                     receipt_name=(receipt.name or "") if receipt else "",
                                     idempotency_key=idempotency_key)
    return Status(201 if recorded.created else 200, recorded.expense)


@router.get("/expenses/{expense_id}/receipt", summary="Download a receipt", response={200: None})
def receipt(request: HttpRequest, expense_id: int):
    expense = queries.one(queries.expenses_qs(_me(request)), expense_id, "expense")
    if not expense.receipt:
        raise NotFound("receipt")
    return uploads.download(expense.receipt, expense.receipt_name or "receipt")


# --- R11: upgrades ------------------------------------------------------------------------------------

@router.get("/clients/{client_id}/upgrades", response=list[UpgradeOut], summary="A client's upgrade plans")
@paginate(PageNumberPagination, page_size=25)
def list_upgrades(request: HttpRequest, client_id: int):
    client = queries.client_for(_me(request), client_id)
    return queries.upgrades_qs(_me(request)).filter(client=client)


@router.post("/clients/{client_id}/upgrades", response={201: UpgradeOut}, summary="Propose an upgrade with windows")
def propose_upgrade(request: HttpRequest, client_id: int, payload: UpgradeIn):
    client = queries.client_for(_me(request), client_id, work=True)
    plan = upgrades.propose_upgrade(_me(request), client=client, product=payload.product,
                                    installed_version=payload.installed_version, target_version=payload.target_version,
                                    windows=[(w.starts_at, w.ends_at) for w in payload.windows], notes=payload.notes,
                                    release_id=payload.release_id)
    return Status(201, plan)


@router.post("/upgrades/{plan_id}/confirm", response=UpgradeOut, summary="Confirm one proposed window (client admin)")
def confirm_upgrade(request: HttpRequest, plan_id: int, payload: ConfirmIn):
    plan = queries.one(queries.upgrades_qs(_me(request)), plan_id, "upgrade")
    return upgrades.confirm_window(_me(request), plan, window_id=payload.window_id)


@router.post("/upgrades/{plan_id}/outcome", response=UpgradeOut, summary="Record the outcome")
def upgrade_outcome(request: HttpRequest, plan_id: int, payload: OutcomeIn):
    plan = queries.one(queries.upgrades_qs(_me(request)), plan_id, "upgrade")
    return upgrades.record_outcome(_me(request), plan, outcome=payload.outcome, notes=payload.notes)


# --- R12: guides, recordings, library ---------------------------------------------------------------

@router.post("/tickets/{ticket_id}/guides", response={201: LibraryItemOut, 200: LibraryItemOut},
             summary="Attach a step-by-step guide",
             description="Send `title` and `body` (the steps) to write a new help-center article, or `article_id` "
                         "to attach an existing one the client can read (else 422 `tam.article_not_visible`); both steps "
                         "and `article_id` is 422 `tam.steps_or_article`. Honours an `Idempotency-Key` header (1 to "
                         "100 characters, per person; else 422 `tam.bad_idempotency_key`): the same key with the same "
                         "body returns the first guide (200) and publishes nothing again; the same key with another "
                         "body is refused (422 `tam.idempotency_key_reused`). Without the header every call attaches "
                         "a new guide.",
             openapi_extra=retry_responses("Attached (a new guide's article published)",
                                           "the first guide; nothing was written"))
def attach_guide(request: HttpRequest, ticket_id: int, payload: GuideIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_HEADER)):
    ticket = ticket_queries.ticket_for(_me(request), ticket_id)
    placed = library.place_guide(_me(request), ticket, title=payload.title, body=payload.body,
                                 private=payload.private, article_id=payload.article_id, source="api",
                                 idempotency_key=idempotency_key)
    return Status(201 if placed.created else 200, placed.record)


@router.put("/tickets/{ticket_id}/recordings", response={201: LibraryItemOut},
            summary="Upload a screen recording (raw body, streamed)",
            openapi_extra={"responses": {
                400: {"description": "`invalid_request`: the Content-Length header is not a number of bytes"},
                411: {"description": "`tam.length_required`: send a Content-Length (not chunked)"},
                413: {"description": "`tam.recording_too_large`: over 500 MB (by Content-Length or as streamed); "
                                     "nothing is kept"}}},
            description="Send the video as the raw request body; `filename` and `title` as query parameters. "
                        "Limited to 500 MB; the content must be a video container (checked by its bytes).")
def upload_recording(request: HttpRequest, ticket_id: int, filename: str = "recording", title: str = ""):
    ticket = ticket_queries.ticket_for(_me(request), ticket_id)  # who asks first: 401/404 before any 413
    raw_length = str(request.META.get("CONTENT_LENGTH") or "").strip()
    if not raw_length and request.META.get("HTTP_TRANSFER_ENCODING"):
        # Without a length the request body reads as empty: say so rather than "the recording is empty".
        raise Invalid("tam.length_required", "Send the recording with a Content-Length header (not chunked).",
                      fields={"Content-Length": "required"}, status=411)
    raw_length = raw_length or "0"
    if not (raw_length.isascii() and raw_length.isdigit()):  # '²' is a digit to isdigit(), not to int()
        raise Invalid("invalid_request", f"The Content-Length header {raw_length[:40]!r} is not a number of bytes.",
                      fields={"Content-Length": "a number of bytes"}, status=400)
    if int(raw_length) > library.MAX_RECORDING_BYTES:
        raise Invalid(TamError.RECORDING_TOO_LARGE, f"The recording is larger than the limit of "
                      f"{library.MAX_RECORDING_BYTES // uploads.CHUNK} MB.", fields={"file": "too large"}, status=413)
    chunks = iter(lambda: request.read(uploads.CHUNK), b"")
    return Status(201, library.attach_recording(_me(request), ticket, chunks=chunks, filename=filename, title=title,
                                                source="api"))


@router.get("/library", response=list[LibraryItemOut], summary="Guides and recordings you may see")
@paginate(PageNumberPagination, page_size=25)
def list_library(request: HttpRequest, ticket_id: int | None = None):
    qs = library.visible_items(_me(request))
    return qs.filter(ticket_id=ticket_id) if ticket_id else qs


@router.get("/library/{item_id}/file", summary="Download a recording", response={200: None})
def library_file(request: HttpRequest, item_id: int):
    item = library.item_for(_me(request), item_id)
    if not item.file:
        raise NotFound("recording")
    return uploads.download(item.file, item.filename or "recording")
