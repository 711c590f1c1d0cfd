"""The SLA layer as the ticket actions see it. Each hook runs inside the action's transaction; only
`plan_opening` and `add_planned` run before it (reads, arithmetic and prepared rows, no writes).

The ticket actions only announce what happened; this module starts, pauses, resumes, stops and
recomputes the ticket's clocks, writes their history, records breaches (once, overrun frozen) and keeps
`Ticket.sla_due_at` / `Ticket.sla_state` up to date for the queue sort. Keep the hook signatures stable:
intake, chat and phone call them through the ticket actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Min
from django.utils import timezone

from supportdesk.prepared_inserts import InsertBatch

from . import timing
from .calendars import BusinessCalendar
from .calendars_store import calendar_for
from .models import OPEN_CLOCK_STATES, QUEUE_DUE_STATES, Clock, ClockEvent, ClockState, Metric
from .objectives import Rule, Target, rule_for, rules, targets_for, targets_for_opening

if TYPE_CHECKING:
    from supportdesk.accounts.models import Client, User
    from supportdesk.tickets.models import Message, Ticket

STOP_STATUSES = ("solved", "closed")


@dataclass(frozen=True)
class OpeningPlan:
    """The clocks a new ticket starts with, computed before its write transaction.

    Reading the rules, the calendars and the entitlements and doing the calendar arithmetic outside the
    transaction keeps SQLite's single write lock held only for the inserts (bench/README.md, W1)."""

    clocks: tuple[Clock, ...]  # unsaved, no ticket yet
    sla_due_at: datetime | None
    sla_state: str


def plan_opening(client: Client, severity: int, created_at: datetime) -> OpeningPlan:
    """The clocks a ticket of this client and severity opened at `created_at` starts with (no writes)."""
    all_rules = rules()
    calendars: dict[str, BusinessCalendar] = {}
    clocks = []
    for target in targets_for_opening(client, severity, created_at).values():
        if target.metric == Metric.NEXT_UPDATE:
            continue  # starts when the client awaits an update (first staff response, or a client message)
        clock = Clock(metric=target.metric, severity=severity, target_minutes=target.minutes,
                      calendar=target.calendar, started_at=created_at, state=ClockState.RUNNING)
        if clock.calendar not in calendars:
            calendars[clock.calendar] = calendar_for(clock.calendar)
        clock.due_at, clock.warn_at = timing.schedule(clock, calendars[clock.calendar],
                                                      all_rules[target.metric].warning_minutes)
        clocks.append(clock)
    dues = [c.due_at for c in clocks if c.due_at is not None]
    state = summary_state([(str(c.state), c.target_minutes, None) for c in clocks])
    return OpeningPlan(tuple(clocks), min(dues) if dues else None, state)


def start_planned(ticket: Ticket, plan: OpeningPlan) -> None:
    """Insert the planned clocks and their history for the saved ticket (inside its transaction):
    `add_planned`, the inserts, then `settle_planned`."""
    batch = InsertBatch()
    clocks = add_planned(batch, ticket, plan)
    batch.insert()
    settle_planned(ticket, plan, clocks)


def add_planned(batch: InsertBatch, ticket: Ticket, plan: OpeningPlan) -> list[Clock]:
    """Add the planned clocks and their history for `ticket` (added to the batch before) to `batch`.

    The caller stores plan.sla_due_at / plan.sla_state on the ticket when it adds it, and calls
    `settle_planned` after the batch is inserted."""
    clocks = [batch.add(Clock(ticket=ticket, metric=c.metric, severity=c.severity, target_minutes=c.target_minutes,
                              calendar=c.calendar, started_at=c.started_at, state=c.state, due_at=c.due_at,
                              warn_at=c.warn_at)) for c in plan.clocks]
    for c in clocks:
        batch.add(ClockEvent(clock=c, kind="started", at=c.started_at, internal=False,
                             data={"target_minutes": c.target_minutes, "calendar": c.calendar, "due_at": _iso(c.due_at)}))
    return clocks


def settle_planned(ticket: Ticket, plan: OpeningPlan, clocks: list[Clock]) -> None:
    """After the planned clocks are inserted (inside the ticket's transaction): a clock already past due at
    its start (a ticket opened with an earlier `at`) takes the full breach path."""
    overdue = [c for c in clocks if c.due_at is not None and c.due_at <= c.started_at]
    for clock in overdue:
        breach(clock, clock.started_at, reason="already past due when started")
    if overdue or (ticket.sla_due_at, ticket.sla_state) != (plan.sla_due_at, plan.sla_state):
        refresh_ticket(ticket)


def on_staff_response(ticket: Ticket, message: Message) -> None:
    """A customer-visible staff communication (public reply, agent chat message, logged call)."""
    if not (message.from_staff and message.is_customer_visible):
        return
    at = message.created_at
    for clock in _open_clocks(ticket, (Metric.INITIAL_RESPONSE, Metric.NEXT_UPDATE)):
        _stop(clock, at, reason=f"staff {message.kind} message #{message.pk}")
    target = targets_for(ticket).get(Metric.NEXT_UPDATE)
    if target is not None and ticket.status not in STOP_STATUSES:
        _start(ticket, target, at, rule_for(Metric.NEXT_UPDATE))
    refresh_ticket(ticket)


def on_client_message(ticket: Ticket, message: Message) -> None:
    """The client wrote again: a next-update clock starts when none is running."""
    target = targets_for(ticket).get(Metric.NEXT_UPDATE)
    if target is None or ticket.status in STOP_STATUSES or _open_clocks(ticket, (Metric.NEXT_UPDATE,)):
        return
    _start(ticket, target, message.created_at, rule_for(Metric.NEXT_UPDATE))
    refresh_ticket(ticket)


def on_status_changed(ticket: Ticket, old: str, new: str) -> None:
    """Pause, resume or stop clocks by the per-metric pause statuses."""
    now = timezone.now()
    all_rules = rules()
    if new in STOP_STATUSES:
        for clock in _open_clocks(ticket):
            # Solving is what the resolution clock measures; for the response clocks no response happened, so in
            # time they stop with no verdict (SPEC §5: the initial response is a staff communication).
            _stop(clock, now, reason=f"ticket {new}", verdict=clock.metric == Metric.RESOLUTION)
    elif old == "solved":
        _resume_resolution(ticket, now, all_rules[Metric.RESOLUTION])
    for clock in _open_clocks(ticket):
        rule = all_rules[clock.metric]
        paused = clock.pauses and clock.pauses[-1][1] is None
        if new in rule.pause_statuses and not paused:
            _pause(clock, now, rule, new)
        elif new not in rule.pause_statuses and paused:
            _resume(clock, now, rule, new)
    refresh_ticket(ticket)


def carry_open_clocks(source: Ticket, target: Ticket) -> int:
    """A duplicate merged into `target`: its running and paused clocks go with the request to the target, due
    as they were (the client asked then, at that severity), so the target's first response stops them as met or
    breached, and its solving as solving any ticket does (`on_status_changed`). A merge is no response, and closing the duplicate must not stop them.
    They then pause or run by the target's status. Returns how many moved."""
    moving = _open_clocks(source)
    now = timezone.now()
    for clock in moving:
        clock.ticket = target
        clock.save(update_fields=["ticket"])
        _history(clock, "carried", now, internal=True, reason=f"#{source.pk} merged into #{target.pk}",
                 from_ticket=source.pk, to_ticket=target.pk)
    if moving:
        on_status_changed(target, target.status, target.status)  # pause or resume them by the target's status
    refresh_ticket(source)
    return len(moving)


def on_severity_changed(ticket: Ticket, old: int, new: int, actor: User | None) -> None:
    """Recompute from the original start with the new target, pauses kept; may breach at once."""
    now = timezone.now()
    all_rules = rules()
    targets = targets_for(ticket, new)
    for metric, target in targets.items():
        clocks = _open_clocks(ticket, (metric,))
        if not clocks and metric == Metric.RESOLUTION and ticket.status not in STOP_STATUSES:
            _start(ticket, target, ticket.created_at, all_rules[metric], now=now)
            clocks = _open_clocks(ticket, (metric,))
        for clock in clocks:
            _retarget(clock, target, new, all_rules[metric], now, actor)
    for clock in _open_clocks(ticket):
        if clock.metric not in targets:  # the new severity has no such objective
            _retarget(clock, Target(clock.metric, None, clock.calendar), new, all_rules[clock.metric], now, actor)
    refresh_ticket(ticket)


# --------------------------------------------------------------------------- clock changes


def _open_clocks(ticket: Ticket, metrics: tuple[str, ...] | None = None) -> list[Clock]:
    qs = ticket.clocks.filter(stopped_at__isnull=True).exclude(  # type: ignore[attr-defined]
        state__in=(ClockState.MET, ClockState.STOPPED))
    if metrics is not None:
        qs = qs.filter(metric__in=metrics)
    # Locked: a sweep breaching one of them concurrently either commits first (we then see the breach and keep
    # it) or waits for us (and then finds the clock stopped). Every hook runs inside the action's transaction.
    return list(qs.select_for_update().order_by("id"))


def _start(ticket: Ticket, target: Target, at: datetime, rule: Rule, now: datetime | None = None) -> Clock:
    clock = Clock(ticket=ticket, metric=target.metric, severity=ticket.severity, target_minutes=target.minutes,
                  calendar=target.calendar, started_at=at, state=ClockState.RUNNING)
    clock.due_at, clock.warn_at = timing.schedule(clock, calendar_for(clock.calendar), rule.warning_minutes)
    clock.save()
    _history(clock, "started", at, target_minutes=target.minutes, calendar=target.calendar,
             due_at=_iso(clock.due_at))
    if clock.due_at is not None and clock.due_at < (now or at):
        breach(clock, now or at, reason="already past due when started")
    return clock


def _stop(clock: Clock, at: datetime, *, reason: str, verdict: bool = True) -> None:
    """Stop the clock: met if in time, breached past its due instant. Without `verdict` (the objective became moot:
    a response clock on a ticket solved or closed before any response) an in-time clock is `stopped`, counted
    neither met nor breached; one past due is still breached."""
    clock.stopped_at = at
    if clock.pauses and clock.pauses[-1][1] is None:
        clock.pauses[-1][1] = timing.dump_pauses([(at, at)])[0][1]
    if clock.state != ClockState.BREACHED:
        if clock.due_at is not None and at > clock.due_at:
            breach(clock, at, reason="answered after the due instant" if verdict else "due instant passed")
        else:
            clock.state = ClockState.MET if verdict else ClockState.STOPPED
    clock.save(update_fields=["stopped_at", "pauses", "state"])
    _history(clock, "met" if clock.state == ClockState.MET else "stopped", at, reason=reason)


def _pause(clock: Clock, at: datetime, rule: Rule, status: str) -> None:
    if clock.state == ClockState.BREACHED:
        return  # a breached clock stays breached; pausing it would hide the overrun
    if clock.due_at is not None and clock.due_at < at:
        breach(clock, at, reason="due instant passed")  # before any sweep saw it: breached, not paused
        return
    clock.pauses = [*clock.pauses, [timing.dump_pauses([(at, None)])[0][0], None]]
    clock.state = ClockState.PAUSED
    clock.due_at, clock.warn_at = timing.schedule(clock, calendar_for(clock.calendar), rule.warning_minutes)
    clock.save(update_fields=["pauses", "state", "due_at", "warn_at"])
    _history(clock, "paused", at, status=status)


def _resume(clock: Clock, at: datetime, rule: Rule, status: str) -> None:
    pauses = [list(p) for p in clock.pauses]
    pauses[-1][1] = timing.dump_pauses([(at, at)])[0][1]
    clock.pauses = pauses
    if clock.state != ClockState.BREACHED:  # a clock breached while paused stays breached
        clock.state = ClockState.RUNNING
    clock.due_at, clock.warn_at = timing.schedule(clock, calendar_for(clock.calendar), rule.warning_minutes)
    _forget_outdated_warning(clock)
    clock.save(update_fields=["pauses", "state", "due_at", "warn_at", "warned_at"])
    _history(clock, "resumed", at, status=status, due_at=_iso(clock.due_at))
    if clock.due_at is not None and clock.due_at < at:
        breach(clock, at, reason="past due when resumed")


def _forget_outdated_warning(clock: Clock) -> None:
    """A clock resumed after a pause that cost business time is due later than when it was warned: the warning
    given was for the old due instant, so the sweep warns again before the new one (as after a calendar edit
    that moves it). A pause that moved nothing keeps the warning it had."""
    if clock.warned_at is not None and clock.warn_at is not None and clock.warn_at > clock.warned_at:
        clock.warned_at = None


def _resume_resolution(ticket: Ticket, now: datetime, rule: Rule) -> None:
    """A reopened ticket: its resolution clock runs again, the solved interval counted as paused."""
    clock = ticket.clocks.filter(metric=Metric.RESOLUTION).order_by("-id").first()  # type: ignore[attr-defined]
    if clock is None or clock.stopped_at is None:
        return
    stopped = clock.stopped_at
    clock.pauses = [*clock.pauses, timing.dump_pauses([(stopped, now)])[0]]
    clock.stopped_at = None
    if clock.state == ClockState.MET:
        clock.state = ClockState.RUNNING
    clock.due_at, clock.warn_at = timing.schedule(clock, calendar_for(clock.calendar), rule.warning_minutes)
    _forget_outdated_warning(clock)
    clock.save(update_fields=["pauses", "stopped_at", "state", "due_at", "warn_at", "warned_at"])
    _history(clock, "reopened", now, due_at=_iso(clock.due_at))


def _retarget(clock: Clock, target: Target, severity: int, rule: Rule, now: datetime, actor: User | None) -> None:
    if clock.state == ClockState.RUNNING and clock.due_at is not None and clock.due_at < now:
        # Missed under the old severity before any sweep saw it. When the new target is past too, the breach is
        # recorded below against it (SPEC: breached at the upgrade); otherwise it is recorded now, as the sweep
        # would have, so that a downgrade (or a move to best efforts) cannot erase a breach that happened.
        probe = Clock(target_minutes=target.minutes, started_at=clock.started_at, pauses=clock.pauses)
        new_due, _ = timing.schedule(probe, calendar_for(target.calendar), 0)
        if new_due is None or new_due >= now:
            breach(clock, now, reason="due instant passed", actor=actor)
    if target.minutes is None and clock.state == ClockState.BREACHED:
        # No objective at the new severity: a breached clock keeps the target it missed, else the breach would
        # drop out of the ticket's state and the attainment reports.
        return
    old = {"severity": clock.severity, "target_minutes": clock.target_minutes, "calendar": clock.calendar,
           "due_at": _iso(clock.due_at)}
    clock.severity, clock.target_minutes, clock.calendar = severity, target.minutes, target.calendar
    clock.due_at, clock.warn_at = timing.schedule(clock, calendar_for(clock.calendar), rule.warning_minutes)
    clock.warned_at = None
    clock.save(update_fields=["severity", "target_minutes", "calendar", "due_at", "warn_at", "warned_at"])
    new = {"severity": severity, "target_minutes": target.minutes, "calendar": target.calendar,
           "due_at": _iso(clock.due_at)}
    _history(clock, "recomputed", now, reason="severity changed", old=old, new=new)
    from supportdesk.tickets.actions import record_event

    record_event(clock.ticket, actor, "sla.recomputed", "system", metric=clock.metric, old=old, new=new)
    # A paused clock too: its new due instant may lie before the pause began (the time used already exceeds the
    # new target), so it is breached at the change, not only once the pause ends.
    if clock.state in OPEN_CLOCK_STATES and clock.due_at is not None and clock.due_at < now:
        breach(clock, now, reason="severity changed: the new due instant had already passed", actor=actor)


def breach(clock: Clock, at: datetime, *, reason: str, actor: User | None = None) -> bool:
    """Record the breach once, with the overrun frozen now (business time past due). False if already."""
    if clock.breached_at is not None or clock.target_minutes is None:
        return False
    overrun = -timing.balance(clock, calendar_for(clock.calendar), at)  # type: ignore[operator]
    seconds = max(0, timing.whole_seconds(overrun))
    # Only a clock still open in the database: a sweep holding a stale copy of a clock that was met meanwhile
    # must not breach it.
    updated = Clock.objects.filter(pk=clock.pk, breached_at__isnull=True, stopped_at__isnull=True,
                                   state__in=OPEN_CLOCK_STATES).update(
        state=ClockState.BREACHED, breached_at=at, overrun_seconds=seconds)
    if not updated:
        return False
    clock.state, clock.breached_at, clock.overrun_seconds = ClockState.BREACHED, at, seconds
    _history(clock, "breached", at, reason=reason, overrun_seconds=seconds, due_at=_iso(clock.due_at))
    from supportdesk.tickets.actions import record_event

    record_event(clock.ticket, actor, "sla.breached", "system", metric=clock.metric, due_at=_iso(clock.due_at),
                 overrun_seconds=seconds, reason=reason)
    from .notices import notify_breach

    notify_breach(clock)
    return True


# --------------------------------------------------------------------------- ticket summary


def refresh_ticket(ticket: Ticket) -> None:
    """Denormalise the nearest due instant of the clocks still awaited (running, or breached and not yet
    answered: QUEUE_DUE_STATES) and a one-word state onto the ticket."""
    from supportdesk.tickets.models import Ticket as TicketModel

    clocks = list(ticket.clocks.values_list("state", "target_minutes", "stopped_at"))  # type: ignore[attr-defined]
    due = ticket.clocks.filter(state__in=QUEUE_DUE_STATES, stopped_at__isnull=True).aggregate(  # type: ignore[attr-defined]
        due=Min("due_at"))["due"]
    state = summary_state(clocks)
    TicketModel.objects.filter(pk=ticket.pk).update(sla_due_at=due, sla_state=state)
    ticket.sla_due_at, ticket.sla_state = due, state


def summary_state(clocks: list[tuple[str, int | None, datetime | None]]) -> str:
    targeted = [(state, stopped) for state, minutes, stopped in clocks if minutes is not None]
    if not targeted:
        return "best efforts"
    states = {state for state, _ in targeted}
    open_states = {state for state, stopped in targeted if stopped is None and state in OPEN_CLOCK_STATES}
    for state in (ClockState.BREACHED, ClockState.RUNNING, ClockState.PAUSED):
        if state in states and (state == ClockState.BREACHED or state in open_states):
            return str(state)
    # Met when any objective was met; only clocks stopped with no verdict: "stopped" (no response was needed).
    return str(ClockState.STOPPED) if states == {ClockState.STOPPED} else str(ClockState.MET)


def _history(clock: Clock, kind: str, at: datetime, internal: bool = False, **data: Any) -> None:
    ClockEvent.objects.create(clock=clock, kind=kind, at=at, internal=internal, data=data)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def business_seconds(value: timedelta | None) -> int | None:
    return None if value is None else timing.whole_seconds(value)
