"""State changes of the sla context: editing a calendar (which recomputes every open clock that uses it,
as a job with progress) and the per-metric rules (a new warning lead recomputes the open clocks' warnings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.errors import Invalid, NotFound
from supportdesk.policy.sla import can_edit_calendars
from supportdesk.tickets.models import Status

from .calendars import BusinessCalendar, CalendarError
from .calendars_store import default_weekly, settings_for, validate_weekly
from .errors import SlaError
from .holiday_sources import holidays_for
from .models import OPEN_CLOCK_STATES, CalendarConfig, CalendarKind, Clock, Metric, MetricRule, RecomputeJob


def update_calendar(actor: User | None, kind: str, *, zone: str | None = None, hours: str | None = None,
                    weekly: dict[str, list[str]] | None = None, holidays: str | None = None,
                    custom_holidays: list[str] | None = None) -> RecomputeJob:
    """Change a calendar; every open clock on it is recomputed by a job (returned, with its progress)."""
    if actor is not None and not can_edit_calendars(actor):
        raise NotFound("calendar")
    if kind not in CalendarKind.values:
        raise NotFound("calendar")
    current = settings_for(kind)
    zone = current.zone if zone is None else zone.strip()
    _check_zone(zone)
    if hours is not None and weekly is not None:
        raise Invalid(SlaError.BAD_HOURS, "Give either hours (Monday–Friday) or a weekly pattern, not both.",
                      fields={"hours": "hours or weekly, not both"})
    if hours is not None:
        weekly = {str(d): [hours.strip()] for d in range(5)} if hours.strip() else default_weekly(kind)
    try:
        weekly = validate_weekly(current.weekly if weekly is None else weekly)
        BusinessCalendar.from_pattern(zone, {int(d): v for d, v in weekly.items()})
    except CalendarError as exc:
        code = SlaError.EMPTY_CALENDAR if exc.code == "empty_calendar" else SlaError.BAD_HOURS
        raise Invalid(code, f"Opening hours: {exc}.", fields={"hours": str(exc)}) from exc
    spec = current.holidays_spec if holidays is None else holidays.strip().upper()
    if spec:
        if kind != CalendarKind.BUSINESS_HOURS:
            raise Invalid(SlaError.BAD_HOLIDAYS, "Only the business-hours calendar closes on public holidays "
                          "(the Monday–Friday 24-hour and 24x7 calendars never do).", fields={"holidays": "not allowed"})
        try:
            holidays_for(spec, [timezone.now().year])
        except CalendarError as exc:
            raise Invalid(SlaError.BAD_HOLIDAYS, f"Unknown holiday calendar {spec!r}: use a country code and "
                          "optional subdivision such as CA-ON or US-NY.", fields={"holidays": "unknown"}) from exc
    dates = [d.isoformat() for d in current.custom_holidays] if custom_holidays is None else _dates(custom_holidays)
    if dates and kind == CalendarKind.ALWAYS:
        raise Invalid(SlaError.BAD_HOLIDAYS, "The 24x7 calendar has no holidays.", fields={"custom_holidays": "not allowed"})
    now = timezone.now()
    with transaction.atomic():
        row, created = CalendarConfig.objects.select_for_update().get_or_create(
            kind=kind, defaults={"zone": zone, "weekly": weekly, "holidays_spec": spec, "custom_holidays": dates,
                                 "updated_at": now, "updated_by": actor, "version": current.version + 1})
        if not created:
            row.zone, row.weekly, row.holidays_spec, row.custom_holidays = zone, weekly, spec, dates
            row.version += 1
            row.updated_at, row.updated_by = now, actor
            row.save()
        job = RecomputeJob.objects.create(calendar=kind, calendar_version=row.version, created_at=now)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import recompute_open_clocks

    recompute_open_clocks(job_id)


# A job is queued after its commit; a process that dies between the two, or a worker killed while it runs
# one, would leave it queued or running for good, and the open clocks with their old due instants. A
# recompute is idempotent (it computes from the calendar as it is now), so such a job is simply run again.
STALE_QUEUED = timedelta(minutes=2)
STALE_RUNNING = timedelta(minutes=10)  # since the last heartbeat: a batch of clocks takes well under a second


def requeue_stale_recomputes(now: datetime | None = None) -> list[int]:
    """Jobs queued more than STALE_QUEUED ago, and running jobs with no heartbeat for STALE_RUNNING (their
    worker died): set back to queued (progress cleared) and handed to the job queue again. Returns their ids."""
    now = now or timezone.now()
    stale = Q(state="queued", created_at__lt=now - STALE_QUEUED) | Q(
        state="running", heartbeat_at__lt=now - STALE_RUNNING) | Q(state="running", heartbeat_at__isnull=True,
                                                                  created_at__lt=now - STALE_RUNNING)
    with transaction.atomic():
        ids = list(RecomputeJob.objects.select_for_update().filter(stale).values_list("pk", flat=True))
        RecomputeJob.objects.filter(pk__in=ids).update(state="queued", done=0, changed=0)
        for job_id in ids:
            transaction.on_commit(partial(_enqueue, job_id))
    return ids


MAX_WARNING_MINUTES = 10_000  # a warning lead of about a week of calendar time at most (API, rules page)


def update_metric_rule(actor: User | None, metric: str, *, pause_statuses: list[str] | None = None,
                       warning_minutes: int | None = None) -> MetricRule:
    if actor is not None and not can_edit_calendars(actor):
        raise NotFound("metric")
    if metric not in Metric.values:
        raise NotFound("metric")
    from .objectives import rule_for

    rule = rule_for(metric)
    statuses = sorted(rule.pause_statuses) if pause_statuses is None else list(pause_statuses)
    bad = [s for s in statuses if s not in Status.values or s in ("solved", "closed")]
    if bad:
        raise Invalid("sla.bad_pause_status", f"Unknown or stopping status(es): {', '.join(bad)}.",
                      fields={"pause_statuses": "new, open, waiting or on_hold"})
    minutes = rule.warning_minutes if warning_minutes is None else warning_minutes
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_WARNING_MINUTES:
        raise Invalid("sla.bad_warning", f"The warning must be 0 to {MAX_WARNING_MINUTES} minutes before the due "
                      "instant.", fields={"warning_minutes": f"0..{MAX_WARNING_MINUTES}"})
    now = timezone.now()
    with transaction.atomic():
        row, _ = MetricRule.objects.update_or_create(metric=metric, defaults={"pause_statuses": statuses,
                                                                              "warning_minutes": minutes})
        if minutes != rule.warning_minutes:
            # Open clocks of this metric still carry the warning instant of the old lead: a recompute job per
            # calendar they run on (the job reads the new rule), with progress like a calendar edit.
            kinds = (Clock.objects.filter(metric=metric, state__in=OPEN_CLOCK_STATES, stopped_at__isnull=True,
                                          target_minutes__isnull=False)
                     .order_by().values_list("calendar", flat=True).distinct())
            for kind in sorted(set(kinds)):
                job = RecomputeJob.objects.create(calendar=kind, calendar_version=settings_for(kind).version,
                                                  created_at=now)
                transaction.on_commit(partial(_enqueue, job.pk))
    return row


def _check_zone(zone: str) -> None:
    try:
        if not zone:
            raise ZoneInfoNotFoundError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: "America" is a folder, not a zone
        raise Invalid(SlaError.BAD_ZONE, f"Unknown time zone {zone!r}: use an IANA name such as America/Toronto.",
                      fields={"zone": "unknown time zone"}) from exc


def _dates(values: list[Any]) -> list[str]:
    out = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            out.append(date.fromisoformat(text).isoformat())
        except ValueError as exc:
            raise Invalid(SlaError.BAD_DATE, f"{text!r} is not a date: use YYYY-MM-DD.",
                          fields={"custom_holidays": f"{text!r} is not YYYY-MM-DD"}) from exc
    return sorted(set(out))
