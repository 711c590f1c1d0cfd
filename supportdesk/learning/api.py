"""REST endpoints of the learning context (mounted at /api/v1/learning): thin, actions and queries only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.errors import Invalid
from supportdesk.pagination import PageNumberPagination, PreparedPage, paginate_prepared
from supportdesk.schema_bounds import declared_range

from . import actions, exports, queries
from .access_log import parse_filter
from .errors import LearningError
from .models import TrainingKind

router = Router()


class ReleaseOut(Schema):
    id: int
    product: str
    version: str
    released_on: date
    notes: str
    filename: str
    size: int
    sha256: str
    download_url: str

    @staticmethod
    def resolve_download_url(obj) -> str:  # noqa: ANN001
        return f"/api/v1/learning/releases/{obj.pk}/download"


class TrainingSummaryOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    category: str | None
    published: bool

    @staticmethod
    def resolve_category(obj) -> str | None:  # noqa: ANN001
        return obj.category.name if obj.category else None


class TrainingOut(TrainingSummaryOut):
    body: str
    url: str


class TrainingIn(Schema):
    kind: str = Field(..., pattern="^(course|video|document)$")
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=500)
    body: str = ""
    url: str = Field("", max_length=200)
    category: str = Field("", max_length=100)
    published: bool = True


# strict: JSON true is refused (422), not read as one seat; out of range: 422 event.bad_capacity / event.bad_fee
_CAPACITY = f"Seats, 1 to {actions.MAX_CAPACITY:,}; else 422 `event.bad_capacity`"
_FEE = f"0 to {actions.MAX_FEE}, at most 2 decimals; else 422 `event.bad_fee`"


class EventIn(Schema):
    title: str = Field(..., max_length=200)
    kind: str = Field("webinar", pattern="^(event|webinar)$")
    description: str = ""
    location: str = Field("", max_length=200)
    starts_at: datetime = Field(..., description="ISO 8601 with a UTC offset")
    ends_at: datetime = Field(..., description="ISO 8601 with a UTC offset")
    timezone: str = "America/Toronto"
    capacity: StrictInt = Field(..., description=_CAPACITY, json_schema_extra=declared_range(1, actions.MAX_CAPACITY))
    fee: Decimal = Field(Decimal("0"), description=_FEE, json_schema_extra=declared_range(0, actions.MAX_FEE))
    currency: str = Field("USD", min_length=3, max_length=3)


class EventChange(Schema):
    """Only the fields sent change; seats already taken keep their fee."""

    title: str | None = Field(None, max_length=200)
    kind: str | None = Field(None, pattern="^(event|webinar)$")
    description: str | None = None
    location: str | None = Field(None, max_length=200)
    starts_at: datetime | None = Field(None, description="ISO 8601 with a UTC offset")
    ends_at: datetime | None = Field(None, description="ISO 8601 with a UTC offset")
    timezone: str | None = None
    capacity: StrictInt | None = Field(None, description=_CAPACITY,
                                       json_schema_extra=declared_range(1, actions.MAX_CAPACITY))
    fee: Decimal | None = Field(None, description=_FEE, json_schema_extra=declared_range(0, actions.MAX_FEE))
    currency: str | None = Field(None, min_length=3, max_length=3)


class EventCancel(Schema):
    reason: str = Field(..., max_length=500, description="Told to every registrant")


class EventOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int
    seats_taken: int
    fee: Decimal
    currency: str
    cancelled_at: datetime | None
    cancellation_reason: str

    @staticmethod
    def resolve_seats_taken(obj) -> int:  # noqa: ANN001
        taken = getattr(obj, "taken", None)
        return taken if taken is not None else obj.registrations.filter(cancelled_at__isnull=True).count()


class RegistrationOut(Schema):
    id: int
    event_id: int
    user_id: int
    client_id: int
    seat: int
    list_fee: Decimal
    discount_percent: int
    fee: Decimal
    currency: str
    created_at: datetime
    cancelled_at: datetime | None


# Releases -----------------------------------------------------------------------------------------------

@router.get("/releases", response=list[ReleaseOut], summary="The release catalogue")
@paginate(PageNumberPagination, page_size=25)
def list_releases(request: HttpRequest, product: str | None = None):
    return queries.releases(policy.signed_in(request), product=product)


@router.post("/releases", response={201: ReleaseOut}, summary="Upload a release (managers, system admins)")
def add_release(request: HttpRequest, product: Form[str], version: Form[str], released_on: Form[date],
                notes: Form[str] = "", file: File[UploadedFile] = None):  # type: ignore[assignment]
    release = actions.add_release(policy.signed_in(request), product=product, version=version, released_on=released_on,
                                  notes=notes, upload=file, filename=(file.name or "") if file else "")
    return Status(201, release)


@router.get("/releases/{release_id}", response=ReleaseOut)
def get_release(request: HttpRequest, release_id: int):
    return queries.release_for(policy.signed_in(request), release_id)


@router.get("/releases/{release_id}/download", response={200: None}, summary="Download (needs active maintenance)",
            description="Refused with `release.no_maintenance` (403) when the client has no active Maintenance "
                        "Support; every download is logged.")
def download_release(request: HttpRequest, release_id: int):
    release = queries.release_for(policy.signed_in(request), release_id)
    return actions.record_download(policy.signed_in(request), release, serve=queries.download_response)


# Training database --------------------------------------------------------------------------------------

@router.get("/training", response=list[TrainingSummaryOut], summary="Search the training catalogue")
@paginate(PageNumberPagination, page_size=25)
def list_training(request: HttpRequest, q: str | None = None, category: str | None = None, kind: str | None = None):
    if kind and kind not in TrainingKind.values:  # a typo would otherwise answer an empty catalogue
        raise Invalid(LearningError.TRAINING_BAD_KIND, "Kind must be course, video or document.",
                      fields={"kind": "course, video or document"})
    return queries.training_items(policy.signed_in(request), q=q, category=category, kind=kind)


@router.post("/training", response={201: TrainingOut}, summary="Add a course, video or document")
def add_training(request: HttpRequest, payload: TrainingIn):
    return Status(201, actions.save_training_item(policy.signed_in(request), **payload.dict()))


@router.put("/training/{item_id}", response=TrainingOut, summary="Change a training item")
def change_training(request: HttpRequest, item_id: int, payload: TrainingIn):
    item = queries.training_item_for(policy.signed_in(request), item_id)
    return actions.save_training_item(policy.signed_in(request), item=item, **payload.dict())


@router.get("/training/{item_id}", response=TrainingOut, summary="Open a training item (logged)",
            description="Refused with `training.not_entitled` or `training.not_designated` (403).")
def open_training(request: HttpRequest, item_id: int):
    item = queries.training_item_for(policy.signed_in(request), item_id)
    actions.open_training_item(policy.signed_in(request), item)
    return item


# Access log (R13, R15): staff only; anyone else gets 404 (policy.learning.can_view_access_log) --------------

class LogPersonOut(Schema):
    id: int
    name: str
    email: str


class LogClientOut(Schema):
    id: int
    name: str


class LogTrainingItemOut(Schema):
    id: int
    title: str


class LogReleaseOut(Schema):
    id: int
    product: str
    version: str


class AccessLogEntryOut(Schema):
    """Who (person), for which client (none for staff), what (the training item, or the release), when."""

    kind: str = Field(..., description="training or download")
    id: int = Field(..., description="The id of the access or download row")
    at: datetime
    person: LogPersonOut
    client: LogClientOut | None
    training_item: LogTrainingItemOut | None
    release: LogReleaseOut | None


_LOG_FILTERS = ("`client` (id), `person` (id), `kind` (training or download), `since` and `until` (an ISO 8601 "
                "instant with a UTC offset, or a date: a whole day in the vendor's zone, `until` inclusive). "
                "A bad value is a 422 `access_log.bad_filter` naming the field.")


def _log_page(qs) -> PreparedPage:  # noqa: ANN001
    def items(offset: int, limit: int) -> list[dict]:
        return [AccessLogEntryOut.model_validate(entry).model_dump(mode="json")
                for entry in queries.log_entries(qs, offset, limit)]

    return PreparedPage(count=qs.count, items=items)


@router.get("/access-log", response=list[AccessLogEntryOut], summary="Downloads and training openings (staff)",
            description=f"Newest first. Filters: {_LOG_FILTERS}")
@paginate_prepared(page_size=50)
def access_log(request: HttpRequest, client: int | None = None, person: int | None = None,
               kind: str | None = Query(None, description="training or download"), since: str | None = None,
               until: str | None = None) -> PreparedPage:
    user = queries.access_log_reader(policy.signed_in(request))
    log_filter = parse_filter(client=client, person=person, kind=kind, since=since, until=until)
    return _log_page(queries.access_log(user, log_filter))


@router.get("/access-log.csv", summary="The filtered access log as CSV (staff)",
            description=f"The list's filters: {_LOG_FILTERS} Cells are safe to open in a spreadsheet.")
def access_log_csv(request: HttpRequest, client: int | None = None, person: int | None = None,
                   kind: str | None = None, since: str | None = None,
                   until: str | None = None) -> StreamingHttpResponse:
    user = queries.access_log_reader(policy.signed_in(request))
    log_filter = parse_filter(client=client, person=person, kind=kind, since=since, until=until)
    return exports.access_log_csv_response(queries.access_log(user, log_filter))


@router.get("/training/{item_id}/accesses", response=list[AccessLogEntryOut],
            summary="Who opened this training item (staff)")
@paginate_prepared(page_size=50)
def training_accesses(request: HttpRequest, item_id: int) -> PreparedPage:
    return _log_page(queries.training_accesses(policy.signed_in(request), item_id))


@router.get("/releases/{release_id}/downloads", response=list[AccessLogEntryOut],
            summary="Who downloaded this release (staff)")
@paginate_prepared(page_size=50)
def release_downloads(request: HttpRequest, release_id: int) -> PreparedPage:
    return _log_page(queries.release_downloads(policy.signed_in(request), release_id))


# Events and registrations -------------------------------------------------------------------------------

@router.get("/events", response=list[EventOut], summary="Events and webinars")
@paginate(PageNumberPagination, page_size=25)
def list_events(request: HttpRequest, upcoming_only: bool = True):
    return queries.events(policy.signed_in(request), upcoming_only=upcoming_only)


@router.post("/events", response={201: EventOut}, summary="Create an event or webinar")
def create_event(request: HttpRequest, payload: EventIn):
    data = payload.dict()
    data["timezone_name"] = data.pop("timezone")
    return Status(201, actions.create_event(policy.signed_in(request), **data))


@router.get("/events/{event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: int):
    return queries.event_for(policy.signed_in(request), event_id)


@router.patch("/events/{event_id}", response=EventOut, summary="Change an event that has not started",
              description="Registrants get an updated calendar invitation when the title, time, place or "
                          "description change. Refused: `event.started` (422), `event.cancelled` and "
                          "`event.capacity_below_registrations` (409).")
def change_event(request: HttpRequest, event_id: int, payload: EventChange):
    actor = policy.signed_in(request)
    actions.change_event(actor, queries.event_for(actor, event_id), **payload.dict(exclude_unset=True))
    return queries.event_for(actor, event_id)


@router.post("/events/{event_id}/cancel", response=EventOut, summary="Cancel an event that has not started",
             description="Cancels every registration and tells each registrant the reason with a calendar "
                         "CANCEL; fees not yet invoiced are dropped, fees already invoiced become a credit.")
def cancel_event(request: HttpRequest, event_id: int, payload: EventCancel):
    actor = policy.signed_in(request)
    actions.cancel_event(actor, queries.event_for(actor, event_id), reason=payload.reason)
    return queries.event_for(actor, event_id)


@router.post("/events/{event_id}/registrations", response={201: RegistrationOut}, summary="Register yourself",
             description="Refused with `registration.capacity_full` (409) when every seat is taken.")
def register(request: HttpRequest, event_id: int):
    event = queries.event_for(policy.signed_in(request), event_id)
    return Status(201, actions.register(policy.signed_in(request), event))


@router.get("/registrations", response=list[RegistrationOut], summary="Registrations you may see",
            description="`event_id` narrows to one event; an event that does not exist (or that you cannot see) "
                        "is a 404 (`not_found`, \"No such event.\"), not an empty list. A known event without "
                        "registrations you may see lists none.",
            openapi_extra={"responses": {404: {"description": "`not_found`: `event_id` names no event you may "
                                                              "see"}}})
@paginate(PageNumberPagination, page_size=50)
def list_registrations(request: HttpRequest, event_id: int | None = None):
    user = policy.signed_in(request)
    # The event is looked up, not just filtered on: a mistyped id would otherwise answer an empty list.
    event = queries.event_for(user, event_id) if event_id is not None else None
    return queries.registrations(user, event=event)


@router.post("/registrations/{registration_id}/cancel", response=RegistrationOut, summary="Cancel a registration",
             description="Allowed until the event starts (`registration.event_started` after).")
def cancel_registration(request: HttpRequest, registration_id: int):
    registration = queries.registration_for(policy.signed_in(request), registration_id)
    return actions.cancel_registration(policy.signed_in(request), registration)
