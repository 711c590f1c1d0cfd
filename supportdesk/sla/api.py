"""REST endpoints of the sla context (mounted by supportdesk.api at /api/v1/sla). All instants are UTC."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.pagination import PageNumberPagination
from supportdesk.schema_bounds import declared_range, ranged_query

from . import actions, queries, timing
from .calendars_store import all_settings, calendar_for
from .models import Clock, Metric
from .objectives import rules

router = Router()


class ClockEventOut(Schema):
    kind: str
    at: datetime
    data: dict


class ClockOut(Schema):
    id: int
    metric: str
    severity: int
    target_minutes: int | None
    best_efforts: bool
    calendar: str
    state: str
    state_label: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    remaining_seconds: int | None
    overrun_seconds: int | None
    breach_overrun_seconds: int | None
    warned_at: datetime | None
    history: list[ClockEventOut]


class CalendarOut(Schema):
    kind: str
    zone: str
    weekly: dict[str, list[str]]
    holidays: str
    custom_holidays: list[str]
    version: int
    edited: bool


class CalendarIn(Schema):
    zone: str | None = None
    hours: str | None = None
    weekly: dict[str, list[str]] | None = None
    holidays: str | None = None
    custom_holidays: list[str] | None = None


class JobOut(Schema):
    id: int
    calendar: str
    calendar_version: int
    state: str
    total: int
    done: int
    changed: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None


class RuleOut(Schema):
    metric: str
    pause_statuses: list[str]
    warning_minutes: int


class RuleIn(Schema):
    pause_statuses: list[str] | None = None
    # strict: true or "15" is refused (422), not read as a number; out of range: 422 sla.bad_warning
    warning_minutes: StrictInt | None = Field(None, json_schema_extra=declared_range(0, actions.MAX_WARNING_MINUTES))


class AttainmentOut(Schema):
    client_id: int
    client: str
    severity: int
    month: str
    met: int
    breached: int
    total: int
    percent: float


class AtRiskOut(Schema):
    clock_id: int
    ticket_id: int
    client_id: int
    client: str
    metric: str
    severity: int
    calendar: str
    due_at: datetime
    remaining_seconds: int
    assignee: str | None

    @staticmethod
    def resolve_clock_id(obj: Clock) -> int:
        return obj.pk

    @staticmethod
    def resolve_client_id(obj: Clock) -> int:
        return obj.ticket.client_id

    @staticmethod
    def resolve_client(obj: Clock) -> str:
        return obj.ticket.client.name

    @staticmethod
    def resolve_remaining_seconds(obj: Clock) -> int:
        """Business time left now (0 once the due instant has passed and the sweep has not yet breached it)."""
        left = timing.balance(obj, calendar_for(obj.calendar), timezone.now())
        return max(0, timing.whole_seconds(left)) if left is not None else 0

    @staticmethod
    def resolve_assignee(obj: Clock) -> str | None:
        return obj.ticket.assignee.email if obj.ticket.assignee is not None else None


@router.get("/tickets/{ticket_id}/clocks", response=list[ClockOut], summary="A ticket's SLA clocks",
            description="Metric, target, due instant (UTC), state (running, paused, met, breached, or stopped: a "
                        "response clock of a ticket solved or closed before any staff response, in time, counted "
                        "neither met nor breached) with its label, business time remaining (none once stopped) or "
                        "overrun, and the clock's history. Clients see no internal warnings.")
@paginate(PageNumberPagination, page_size=50)
def ticket_clocks(request: HttpRequest, ticket_id: int):
    user = policy.signed_in(request)
    return queries.clock_views(user, queries.ticket_for(user, ticket_id))


@router.get("/calendars", response=list[CalendarOut], summary="Business calendars (managers)")
@paginate(PageNumberPagination, page_size=50)
def list_calendars(request: HttpRequest):
    queries.require_manager(policy.signed_in(request), "calendar")
    return [c.to_json() for c in all_settings()]


@router.put("/calendars/{kind}", response={202: JobOut}, summary="Edit a calendar (managers)",
            description="Zone, opening hours (`hours` Monday–Friday or a `weekly` pattern, Monday=0; not both), `holidays` "
                        "(country[-subdivision], business hours only) and custom holiday dates. Every open clock on "
                        "the calendar is recomputed by the returned job; follow its progress at /sla/jobs/{id}.")
def edit_calendar(request: HttpRequest, kind: str, payload: CalendarIn):
    job = actions.update_calendar(policy.signed_in(request), kind, **payload.dict())
    return Status(202, job)


@router.get("/jobs/{job_id}", response=JobOut, summary="Progress of a recompute job (managers)")
def get_job(request: HttpRequest, job_id: int):
    return queries.job_for(policy.signed_in(request), job_id)


@router.get("/rules", response=list[RuleOut], summary="Per-metric pause statuses and warning lead (managers)")
@paginate(PageNumberPagination, page_size=50)
def list_rules(request: HttpRequest):
    queries.require_manager(policy.signed_in(request), "rule")
    return [{"metric": r.metric, "pause_statuses": sorted(r.pause_statuses), "warning_minutes": r.warning_minutes}
            for r in rules().values()]


@router.put("/rules/{metric}", response=RuleOut, summary="Change a metric's pause statuses or warning lead")
def edit_rule(request: HttpRequest, metric: str, payload: RuleIn):
    row = actions.update_metric_rule(policy.signed_in(request), metric, **payload.dict())
    return {"metric": row.metric, "pause_statuses": row.pause_statuses, "warning_minutes": row.warning_minutes}


@router.get("/reports/attainment", response=list[AttainmentOut], summary="Attainment per client, severity, month",
            description="Clocks with a target that were met or breached, grouped by client, severity and month "
                        "(vendor zone) over whole months: the current month and the `months - 1` before it.")
@paginate(PageNumberPagination, page_size=100)
def attainment_report(request: HttpRequest,
                      months: int = ranged_query(12, 1, queries.MAX_REPORT_MONTHS),
                      metric: str = Metric.INITIAL_RESPONSE):
    from supportdesk.errors import Invalid

    if not 1 <= months <= queries.MAX_REPORT_MONTHS:
        raise Invalid("sla.bad_range", f"months must be between 1 and {queries.MAX_REPORT_MONTHS}.",
                      fields={"months": f"1..{queries.MAX_REPORT_MONTHS}"})
    if metric not in Metric.values:
        raise Invalid("sla.bad_metric", f"Unknown metric {metric!r}.", fields={"metric": ", ".join(Metric.values)})
    rows = queries.attainment(policy.signed_in(request), months=months, metric=metric)
    return [{**r.__dict__, "total": r.total, "percent": r.percent} for r in rows]


@router.get("/reports/at-risk", response=list[AtRiskOut], summary="Clocks at risk (managers)",
            description="Running clocks due within `within_minutes` of calendar time (default 240, the dashboard's "
                        "4 hours; at most 10080), nearest due first, with the business time left. UTC instants.")
@paginate(PageNumberPagination, page_size=25)
def at_risk_report(request: HttpRequest,
                   within_minutes: int = ranged_query(240, 1, queries.MAX_AT_RISK_MINUTES)):
    from supportdesk.errors import Invalid

    user = policy.signed_in(request)
    queries.require_manager(user)
    if not 1 <= within_minutes <= queries.MAX_AT_RISK_MINUTES:
        raise Invalid("sla.bad_range", f"within_minutes must be between 1 and {queries.MAX_AT_RISK_MINUTES}.",
                      fields={"within_minutes": f"1..{queries.MAX_AT_RISK_MINUTES}"})
    return queries.at_risk(user, within=timedelta(minutes=within_minutes)).prefetch_related(None)
