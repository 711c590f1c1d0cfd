"""Reads of the sla context, through the policy: a ticket's clocks as a person may see them, and the
manager reports (attainment per client/severity/month, at-risk list, breaches, volume by channel)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from supportdesk import policy
from supportdesk.errors import NotFound
from supportdesk.policy.sla import can_see_internal_clock_history, can_view_dashboard
from supportdesk.tickets.models import Ticket

from . import timing
from .calendars_store import calendar_for
from .models import Clock, ClockState, Metric, RecomputeJob


@dataclass
class ClockView:
    id: int
    metric: str
    metric_label: str
    severity: int
    target_minutes: int | None
    calendar: str
    state: str
    state_label: str  # "Stopped: no response needed" for a clock stopped with no verdict
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    warn_at: datetime | None  # when the countdown turns amber (not in the API's ClockOut)
    breached_at: datetime | None
    remaining_seconds: int | None  # business time left (running/paused)
    overrun_seconds: int | None  # business time past due, now or at the stop
    breach_overrun_seconds: int | None  # frozen when the breach was recorded
    warned_at: datetime | None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def best_efforts(self) -> bool:
        return self.target_minutes is None


def clock_views(user: Any, ticket: Ticket, now: datetime | None = None) -> list[ClockView]:
    """The ticket's clocks for this person (404 when the ticket is not visible)."""
    if not policy.can_view_ticket(user, ticket):
        raise NotFound("ticket")
    internal = can_see_internal_clock_history(user)
    now = now or timezone.now()
    views = []
    for clock in ticket.clocks.prefetch_related("history").order_by("started_at", "id"):  # type: ignore[attr-defined]
        views.append(view_of(clock, now, internal=internal))
    return views


def view_of(clock: Clock, now: datetime, *, internal: bool) -> ClockView:
    bal = timing.balance(clock, calendar_for(clock.calendar), now)
    seconds = None if bal is None else timing.whole_seconds(bal)
    history = [{"kind": e.kind, "at": e.at, "data": e.data} for e in clock.history.all()
               if internal or not e.internal]
    return ClockView(
        id=clock.pk, metric=clock.metric, metric_label=clock.get_metric_display(), severity=clock.severity,
        target_minutes=clock.target_minutes, calendar=clock.calendar, state=clock.state,
        state_label=ClockState(clock.state).label,
        started_at=clock.started_at, due_at=clock.due_at, stopped_at=clock.stopped_at, breached_at=clock.breached_at,
        warn_at=clock.warn_at,
        # A clock stopped with no verdict has nothing left to count down.
        remaining_seconds=max(seconds, 0) if seconds is not None and clock.state not in (
            ClockState.BREACHED, ClockState.STOPPED) else None,
        overrun_seconds=-seconds if seconds is not None and seconds < 0 else (0 if clock.breached_at else None),
        breach_overrun_seconds=clock.overrun_seconds,
        warned_at=clock.warned_at if internal else None,
        history=history,
    )


def ticket_for(user: Any, ticket_id: int) -> Ticket:
    ticket = policy.visible_tickets(user).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("ticket")
    return ticket


def require_manager(user: Any, what: str = "page") -> None:
    if not can_view_dashboard(user):
        raise NotFound(what)


def job_for(user: Any, job_id: int) -> RecomputeJob:
    require_manager(user, "job")
    job = RecomputeJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("job")
    return job


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class AttainmentRow:
    client_id: int
    client: str
    severity: int
    month: str
    met: int
    breached: int

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float:
        return round(100.0 * self.met / self.total, 1) if self.total else 100.0


# The reports' ranges (API, CLI): up to five years of months, and clocks due within up to a week of calendar time.
MAX_REPORT_MONTHS, MAX_AT_RISK_MINUTES = 60, 10_080


def vendor_zone() -> ZoneInfo:
    return ZoneInfo(str(settings.SUPPORTDESK["VENDOR_ZONE"]))


def attainment(user: Any, *, months: int = 12, metric: str = Metric.INITIAL_RESPONSE,
               now: datetime | None = None) -> list[AttainmentRow]:
    """Decided clocks with a target (met or breached), per client, severity and month (vendor zone), over the
    current month and the `months - 1` whole months before it. Clocks stopped with no verdict (ticket solved or
    closed before any response, in time) are left out: no response happened to be met or missed."""
    require_manager(user)
    now = now or timezone.now()
    zone = vendor_zone()
    since = month_start(now, months, zone)
    counts: dict[tuple[int, str, int, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = Clock.objects.filter(metric=metric, target_minutes__isnull=False, started_at__gte=since,
                                state__in=(ClockState.MET, ClockState.BREACHED)).values_list(
        "ticket__client_id", "ticket__client__name", "severity", "started_at", "state")
    for client_id, name, severity, started, state in rows.iterator():
        key = (client_id, name, severity, started.astimezone(zone).strftime("%Y-%m"))
        counts[key][0 if state == ClockState.MET else 1] += 1
    return [AttainmentRow(cid, name, sev, month, met, breached)
            for (cid, name, sev, month), (met, breached) in sorted(counts.items(), key=lambda kv: (kv[0][3], kv[0][1], kv[0][2]))]


def month_start(now: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The first instant of the month `months - 1` months before `now`'s month, in the zone: whole months only
    (31-day steps back would report the earliest month with only its last days)."""
    local = now.astimezone(zone)
    index = local.year * 12 + local.month - 1 - (months - 1)
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)


def attainment_by_month(rows: list[AttainmentRow]) -> list[tuple[str, dict[int, float]]]:
    """Month -> severity -> percent met, for the chart."""
    totals: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        totals[row.month][row.severity][0] += row.met
        totals[row.month][row.severity][1] += row.total
    return [(month, {sev: round(100.0 * m / t, 1) for sev, (m, t) in by_sev.items() if t})
            for month, by_sev in sorted(totals.items())]


def attainment_by_client(rows: list[AttainmentRow], limit: int = 30) -> list[tuple[str, float, int]]:
    """Client -> (percent met, clocks decided) over all severities and months, for the chart: the `limit`
    clients with the most decided clocks (a chart of hundreds of bars reads as nothing; the table has all)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row.client][0] += row.met
        totals[row.client][1] += row.total
    busiest = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
    return [(client, round(100.0 * met / total, 1), total) for client, (met, total) in busiest if total]


def at_risk(user: Any, *, within: timedelta = timedelta(hours=4), now: datetime | None = None) -> QuerySet[Clock]:
    """Running clocks due within `within` (calendar time), nearest first; the caller pages it in SQL."""
    require_manager(user)
    now = now or timezone.now()
    return Clock.objects.filter(state=ClockState.RUNNING, stopped_at__isnull=True, due_at__isnull=False,
                                due_at__lte=now + within).select_related(
        "ticket", "ticket__client", "ticket__assignee").prefetch_related("history").order_by("due_at", "pk")


def with_views(clocks: Iterable[Clock], now: datetime | None = None) -> list[tuple[Clock, ClockView]]:
    """Each clock with its staff view: for one page of clocks, since a view reads the clock's history."""
    now = now or timezone.now()
    return [(c, view_of(c, now, internal=True)) for c in clocks]


def breaches(user: Any, *, months: int = 3, now: datetime | None = None) -> QuerySet[Clock]:
    """Clocks breached in the current month and the `months - 1` whole months before it (vendor zone), latest
    first; the caller pages it in SQL."""
    require_manager(user)
    now = now or timezone.now()
    return Clock.objects.filter(breached_at__gte=month_start(now, months, vendor_zone())).select_related(
        "ticket", "ticket__client").order_by("-breached_at", "-pk")


def volume_by_channel(user: Any, *, months: int = 3, now: datetime | None = None) -> list[tuple[str, int]]:
    """Tickets opened per channel over the same whole months as `attainment` and `breaches`."""
    require_manager(user)
    now = now or timezone.now()
    rows = Ticket.objects.filter(created_at__gte=month_start(now, months, vendor_zone())).values("channel").annotate(
        n=Count("id")).order_by("-n", "channel")
    return [(row["channel"], row["n"]) for row in rows]
