"""Shapes of the TAM API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, StrictInt

from supportdesk.schema_bounds import declared_range

from . import schedule
from .calls import MAX_CALL_MINUTES, MIN_CALL_MINUTES
from .models import CallOccurrence, VisitExpense


class ClientCardOut(Schema):
    client_id: int
    client: str
    entitled: bool
    open_tickets: int
    at_risk_tickets: list[int]
    upcoming_calls: list[int]
    upcoming_visits: list[int]
    live_upgrades: list[int]
    installed_version: str


class AssignmentIn(Schema):
    tam_id: StrictInt  # strict: JSON true is refused (422), not read as person 1 (as accounts.api)


class AssignmentOut(Schema):
    id: int
    tam_id: int
    tam_email: str
    start: datetime
    end: datetime | None

    @staticmethod
    def resolve_tam_email(obj: object) -> str:
        return obj.tam.email  # type: ignore[attr-defined]


class EscalateIn(Schema):
    reason: str = ""
    assign: bool = False


class EscalatedOut(Schema):
    ticket_id: int
    tam_id: int
    assignee_id: int | None


_WEEKDAY = "0 (Monday) to 6 (Sunday); else 422 `tam.bad_weekday`"
_DURATION = f"Minutes, {MIN_CALL_MINUTES} to {MAX_CALL_MINUTES}; else 422 `tam.bad_duration`"


class SeriesIn(Schema):
    cadence: str = Field(..., description="weekly or biweekly (\"bi-weekly\" is read as biweekly)")
    # strict: JSON true is refused (422), not read as Tuesday; out of range: 422 tam.bad_weekday / tam.bad_duration
    weekday: StrictInt = Field(..., description=_WEEKDAY, json_schema_extra=declared_range(0, 6))
    local_time: str
    zone: str | None = None
    duration_minutes: StrictInt = Field(60, description=_DURATION,
                                        json_schema_extra=declared_range(MIN_CALL_MINUTES, MAX_CALL_MINUTES))
    starts_on: date | None = Field(None, description="The first call is the first `weekday` on or after this date "
                                                    "(today in `zone` when left out); a first call already past is "
                                                    "422 `tam.window_in_past` on `starts_on`")
    attendees: list[str] | None = None
    title: str = "Case scrub call"


class SeriesPatch(Schema):
    cadence: str | None = None
    weekday: StrictInt | None = Field(None, description=_WEEKDAY, json_schema_extra=declared_range(0, 6))
    local_time: str | None = None
    zone: str | None = None
    duration_minutes: StrictInt | None = Field(None, description=_DURATION,
                                               json_schema_extra=declared_range(MIN_CALL_MINUTES, MAX_CALL_MINUTES))
    attendees: list[str] | None = None
    title: str | None = None


class SeriesOut(Schema):
    id: int
    client_id: int
    tam_id: int
    title: str
    cadence: str
    weekday: int
    local_time: str
    zone: str
    duration_minutes: int
    starts_on: date
    attendees: list[str]
    cancelled_at: datetime | None

    @staticmethod
    def resolve_local_time(obj: object) -> str:
        return obj.local_time.isoformat("minutes")  # type: ignore[attr-defined]


class OccurrenceOut(Schema):
    id: int
    series_id: int
    number: int
    uid: str
    sequence: int
    status: str
    starts_at: datetime
    ends_at: datetime
    client_zone: str
    client_local: str
    tam_zone: str
    tam_local: str
    agenda: dict
    agenda_generated_at: datetime | None
    minutes: str
    follow_ups: list[dict]

    @staticmethod
    def resolve_client_zone(obj: CallOccurrence) -> str:
        return obj.series.zone

    @staticmethod
    def resolve_client_local(obj: CallOccurrence) -> str:
        return schedule.in_zone(obj.starts_at, obj.series.zone).isoformat()

    @staticmethod
    def resolve_tam_zone(obj: CallOccurrence) -> str:
        return obj.series.tam.timezone

    @staticmethod
    def resolve_tam_local(obj: CallOccurrence) -> str:
        return schedule.in_zone(obj.starts_at, obj.series.tam.timezone).isoformat()

    @staticmethod
    def resolve_follow_ups(obj: CallOccurrence) -> list[dict]:
        return [{"id": f.pk, "text": f.text, "owner": f.owner, "due_on": f.due_on.isoformat() if f.due_on else None,
                 "done": f.done_at is not None} for f in obj.follow_ups.all()]


class FollowUpIn(Schema):
    text: str
    owner: str = ""
    due_on: str | None = None


class MinutesIn(Schema):
    minutes: str
    follow_ups: list[FollowUpIn] = []


class MoveIn(Schema):
    starts_at: datetime


class VisitIn(Schema):
    starts_on: date
    ends_on: date
    purpose: str = ""
    location: str = ""
    attendees: list[str] = []


class VisitOut(Schema):
    id: int
    client_id: int
    contract_year_start: date
    slot: int
    starts_on: date
    ends_on: date
    purpose: str
    location: str
    attendees: list[str]
    status: str


class VisitStatusIn(Schema):
    status: str


class ExpenseOut(Schema):
    id: int
    visit_id: int
    category: str
    description: str
    amount: Decimal
    currency: str
    exchange_rate: Decimal | None
    billed_amount: Decimal
    billed_currency: str
    incurred_on: date
    has_receipt: bool
    invoiced: bool

    @staticmethod
    def resolve_has_receipt(obj: VisitExpense) -> bool:
        return bool(obj.receipt)

    @staticmethod
    def resolve_invoiced(obj: VisitExpense) -> bool:
        return bool(obj.charge and obj.charge.invoice_line_id)


class WindowIn(Schema):
    starts_at: datetime
    ends_at: datetime


class UpgradeIn(Schema):
    product: str = ""
    installed_version: str
    target_version: str = ""
    release_id: StrictInt | None = None
    windows: list[WindowIn]
    notes: str = ""


class WindowOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class UpgradeOut(Schema):
    id: int
    client_id: int
    product: str
    installed_version: str
    target_version: str
    status: str
    windows: list[WindowOut]
    release_id: int | None
    window_starts_at: datetime | None
    window_ends_at: datetime | None
    outcome_notes: str

    @staticmethod
    def resolve_windows(obj: object) -> list:
        return list(obj.windows.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_release_id(obj: object) -> int | None:
        # Annotated by queries.upgrades_qs; a plan fresh from an action looks its release up once.
        if hasattr(obj, "release_id"):
            return obj.release_id  # type: ignore[no-any-return]
        from supportdesk.learning.models import Release

        return (Release.objects.filter(product=obj.product, version=obj.target_version)  # type: ignore[attr-defined]
                .values_list("pk", flat=True).first())


class ConfirmIn(Schema):
    window_id: StrictInt


class OutcomeIn(Schema):
    outcome: str
    notes: str = ""


class GuideIn(Schema):
    """Either the steps (title and body: a new help-center article) or `article_id`: an existing article."""

    title: str = ""
    body: str = ""
    private: bool = True
    article_id: StrictInt | None = None


class LibraryItemOut(Schema):
    id: int
    client_id: int
    ticket_id: int
    kind: str
    title: str
    article_slug: str | None
    filename: str
    content_type: str
    size: int
    created_at: datetime

    @staticmethod
    def resolve_article_slug(obj: object) -> str | None:
        return obj.article.slug if obj.article_id else None  # type: ignore[attr-defined]


class FeedOut(Schema):
    url: str
