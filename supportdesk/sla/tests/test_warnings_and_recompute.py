"""Warnings before the due instant (once, never while the calendar is closed), breaches recorded once with a
frozen overrun, and calendar edits that recompute every open clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.accounts.actions import assign_tam
from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.sla import actions as sla_actions
from supportdesk.sla.models import Clock, RecomputeJob
from supportdesk.sla.sweep import sweep
from supportdesk.tickets import actions
from supportdesk.tickets.models import TicketEvent

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)  # Monday 10:00 Toronto


@pytest.fixture
def watched(clock, staff):  # noqa: ANN001, ANN201
    """A Premium severity 3 ticket (due 14:00 Toronto) with an assignee and a TAM."""
    clock.at(MONDAY_10)
    client = client_with("premium")
    assign_tam(None, client=client, tam=staff["tam"])
    ticket = TicketFactory(requester=requester_of(client), severity=3)
    ticket = actions.update_ticket(None, ticket, expected_version=ticket.version, assignee=staff["agent"])
    return ticket


def warnings(ticket) -> list[str]:  # noqa: ANN001
    return sorted(OutboxItem.objects.filter(ticket=ticket, topic="sla.warning").values_list("recipient", flat=True))


def test_warning_fires_once_to_assignee_tam_and_managers(watched, staff, clock):
    # Given the default warning 15 minutes before the due instant (13:45 Toronto)
    c = watched.clocks.get(metric="initial_response")
    assert c.warn_at == utc(2026, 4, 6, 17, 45)
    # When the sweep runs before that, nothing happens
    assert sweep(utc(2026, 4, 6, 17, 44))["warned"] == 0
    # When it runs at 13:46 and again at 13:50
    clock.at(utc(2026, 4, 6, 17, 46))
    assert sweep()["warned"] == 1
    assert sweep(utc(2026, 4, 6, 17, 50))["warned"] == 0
    # Then the assignee, the TAM and the manager got one warning each
    assert warnings(watched) == sorted([staff["agent"].email, staff["tam"].email, staff["manager"].email])
    c.refresh_from_db()
    assert c.warned_at == utc(2026, 4, 6, 17, 46)
    assert c.history.filter(kind="warned", internal=True).count() == 1


def test_warning_lead_is_calendar_time_moved_to_the_next_opening_when_closed(clock, staff):
    # Given a severity 3 ticket opened Monday 13:10 Toronto: 3h50 today, 10 minutes Tuesday (due 08:10)
    clock.at(utc(2026, 4, 6, 17, 10))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    c = ticket.clocks.get(metric="initial_response")
    assert c.due_at == utc(2026, 4, 7, 12, 10)
    # Then the default 15-minute warning (calendar time: 07:55, closed) goes out at the 08:00 opening,
    # not 15 business minutes earlier on Monday afternoon
    assert c.warn_at == utc(2026, 4, 7, 12, 0)
    assert sweep(utc(2026, 4, 6, 20, 56))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 4, 0))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 12, 0))["warned"] == 1


def test_warning_never_fires_while_the_calendar_is_closed(clock, staff):
    # Given a warning lead of 12 hours (calendar time)
    sla_actions.update_metric_rule(None, "initial_response", warning_minutes=720)
    # And a severity 3 ticket opened Monday 16:50 Toronto: 10 minutes today, 3h50 Tuesday (due 11:50)
    clock.at(utc(2026, 4, 6, 20, 50))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    c = ticket.clocks.get(metric="initial_response")
    assert c.due_at == utc(2026, 4, 7, 15, 50)
    # Then 12 hours before the due instant is Monday 23:50, closed: the warning waits for Tuesday 08:00
    assert c.warn_at == utc(2026, 4, 7, 12, 0)
    # At midnight and at 07:59 Tuesday (closed) the sweep warns nobody
    assert sweep(utc(2026, 4, 7, 4, 0))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 11, 59))["warned"] == 0
    # And at the 08:00 opening it does, once
    assert sweep(utc(2026, 4, 7, 12, 0))["warned"] == 1
    assert sweep(utc(2026, 4, 7, 12, 1))["warned"] == 0


def test_sweep_never_warns_while_closed_even_when_the_warning_instant_has_passed(clock, staff):
    # Given a clock whose stored warning instant is Monday 17:00 Toronto (closing), e.g. from an older schedule
    clock.at(utc(2026, 4, 6, 20, 50))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    Clock.objects.filter(ticket=ticket).update(warn_at=utc(2026, 4, 6, 21, 0))
    # Then the sweep warns nobody at midnight or before the opening, and once at 08:00
    assert sweep(utc(2026, 4, 7, 4, 0))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 11, 59))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 12, 0))["warned"] == 1


def test_changing_the_warning_lead_reschedules_open_clocks(watched, staff, clock, django_capture_on_commit_callbacks):
    # Given the clock due 14:00 Toronto with the default warning at 13:45
    c = watched.clocks.get(metric="initial_response")
    assert c.warn_at == utc(2026, 4, 6, 17, 45)
    # When a manager sets the initial-response warning to 60 minutes
    with django_capture_on_commit_callbacks(execute=True):
        sla_actions.update_metric_rule(staff["manager"], "initial_response", warning_minutes=60)
    # Then the open clock is rescheduled by a job: it warns at 13:00
    job = RecomputeJob.objects.get()
    assert (job.calendar, job.state, job.total, job.changed) == ("business-hours", "done", 1, 1)
    c.refresh_from_db()
    assert c.warn_at == utc(2026, 4, 6, 17, 0)
    assert sweep(utc(2026, 4, 6, 17, 1))["warned"] == 1
    # And changing only the pause statuses starts no job
    sla_actions.update_metric_rule(staff["manager"], "initial_response", pause_statuses=["on_hold"])
    assert RecomputeJob.objects.count() == 1


def test_breach_is_recorded_once_with_the_overrun_frozen(watched, staff, clock):
    # Given the clock due 14:00 Toronto; when the sweep first runs at 14:07 and again at 16:00
    assert sweep(utc(2026, 4, 6, 18, 7))["breached"] == 1
    assert sweep(utc(2026, 4, 6, 20, 0))["breached"] == 0
    # Then the breach is recorded once, 7 business minutes over, and stays frozen
    c = watched.clocks.get(metric="initial_response")
    assert c.state == "breached" and c.breached_at == utc(2026, 4, 6, 18, 7) and c.overrun_seconds == 420
    assert TicketEvent.objects.filter(ticket=watched, kind="sla.breached").count() == 1
    assert OutboxItem.objects.filter(ticket=watched, topic="sla.breach").count() == 3
    # And a late reply keeps the breach and its frozen overrun
    clock.at(utc(2026, 4, 6, 20, 30))
    actions.add_message(staff["agent"], watched, body="Here we are", kind="public")
    c.refresh_from_db()
    assert c.state == "breached" and c.overrun_seconds == 420 and c.stopped_at == utc(2026, 4, 6, 20, 30)
    watched.refresh_from_db()
    assert watched.sla_state == "breached" and watched.sla_due_at is None


def test_holiday_edit_recomputes_open_clocks_as_a_job(clock, django_capture_on_commit_callbacks):
    # Given open severity 3 clocks opened Monday 16:00 Toronto (due Tuesday 11:00) and one already answered
    clock.at(utc(2026, 4, 6, 20, 0))
    client = client_with("premium")
    open_tickets = [TicketFactory(requester=requester_of(client), severity=3) for _ in range(3)]
    answered = TicketFactory(requester=requester_of(client), severity=3)
    actions.add_message(StaffFactory(), answered, body="Done", kind="public")
    answered_due = answered.clocks.get().due_at
    assert open_tickets[0].clocks.get().due_at == utc(2026, 4, 7, 15, 0)
    # When a manager makes Tuesday 2026-04-07 a holiday
    manager = StaffFactory(staff_roles=["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        job = sla_actions.update_calendar(manager, "business-hours", custom_holidays=["2026-04-07"])
    # Then a job recomputed the open clocks (Wednesday 11:00 Toronto) and reports its progress
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.changed, job.percent) == ("done", 3, 3, 3, 100)
    for ticket in open_tickets:
        ticket.refresh_from_db()
        assert ticket.clocks.get().due_at == utc(2026, 4, 8, 15, 0) == ticket.sla_due_at
    # And the answered clock is untouched
    assert answered.clocks.get().due_at == answered_due


def test_calendar_edit_refuses_bad_input(db):
    from supportdesk.errors import Invalid

    with pytest.raises(Invalid) as zone:
        sla_actions.update_calendar(None, "business-hours", zone="Mars/Olympus")
    assert zone.value.code == "sla.bad_zone" and "zone" in zone.value.fields
    with pytest.raises(Invalid) as hours:
        sla_actions.update_calendar(None, "business-hours", hours="17:00-08:00")
    assert hours.value.code == "sla.bad_hours"
    with pytest.raises(Invalid) as day:
        sla_actions.update_calendar(None, "business-hours", custom_holidays=["2026-02-30"])
    assert day.value.code == "sla.bad_date"
    with pytest.raises(Invalid) as holidays:
        sla_actions.update_calendar(None, "weekdays-24h", holidays="CA-ON")
    assert holidays.value.code == "sla.bad_holidays"
    with pytest.raises(Invalid) as both:  # which one would win is not guessed
        sla_actions.update_calendar(None, "business-hours", hours="09:00-17:00", weekly={"0": ["08:00-12:00"]})
    assert both.value.code == "sla.bad_hours"
    assert not Clock.objects.exists() and not RecomputeJob.objects.exists()


def test_a_sweep_holding_a_stale_clock_neither_warns_nor_breaches_one_met_meanwhile(watched, staff, clock):
    # Given a sweep that loaded the running clock (due 14:00 Toronto) just before an agent answered late
    from supportdesk.sla.service import breach

    stale = watched.clocks.get(metric="initial_response")
    clock.at(utc(2026, 4, 6, 17, 59))
    actions.add_message(staff["agent"], watched, body="Here we are", kind="public")
    # When it goes on to breach that copy at 14:05 Toronto
    assert breach(stale, utc(2026, 4, 6, 18, 5), reason="due instant passed") is False
    # Then the clock stays met, with no breach recorded and no breach notice
    c = watched.clocks.get(metric="initial_response")
    assert c.state == "met" and c.breached_at is None and c.overrun_seconds is None
    assert not TicketEvent.objects.filter(ticket=watched, kind="sla.breached").exists()
    assert not OutboxItem.objects.filter(ticket=watched, topic="sla.breach").exists()


def test_a_holiday_edit_that_moves_the_due_instant_warns_again_before_the_new_one(watched, staff, clock,
                                                                                 django_capture_on_commit_callbacks):
    # Given the clock due 14:00 Toronto Monday, warned at 13:46
    clock.at(utc(2026, 4, 6, 17, 46))
    assert sweep()["warned"] == 1
    # When a manager makes Monday a holiday at 13:50 (the ticket now starts Tuesday 08:00, due 12:00)
    clock.at(utc(2026, 4, 6, 17, 50))
    with django_capture_on_commit_callbacks(execute=True):
        sla_actions.update_calendar(staff["manager"], "business-hours", custom_holidays=["2026-04-06"])
    c = watched.clocks.get(metric="initial_response")
    assert c.due_at == utc(2026, 4, 7, 16, 0) and c.warned_at is None
    # Then a new warning goes out 15 minutes before the new due instant, once
    assert sweep(utc(2026, 4, 7, 15, 44))["warned"] == 0
    assert sweep(utc(2026, 4, 7, 15, 45))["warned"] == 1
    assert sweep(utc(2026, 4, 7, 15, 50))["warned"] == 0
    assert len(warnings(watched)) == 6


def test_a_sweep_that_first_runs_after_the_due_instant_breaches_without_a_late_warning(watched, staff, clock):
    # Given the clock due 14:00 Toronto and no sweep before 14:05 (the worker was down)
    # When the sweep runs at 14:05
    result = sweep(utc(2026, 4, 6, 18, 5))
    # Then the clock is breached and nobody gets a "due soon" warning for an objective already missed
    assert result == {"warned": 0, "breached": 1}
    assert warnings(watched) == []
    assert OutboxItem.objects.filter(ticket=watched, topic="sla.breach").count() == 3


def test_a_recompute_does_not_overwrite_a_clock_changed_since_it_read_it(clock, staff):
    # Given two open severity 3 clocks read by a recompute (business hours, 240 minutes)
    from supportdesk.sla.sweep import _write

    clock.at(MONDAY_10)
    client = client_with("premium")
    kept, raised = (TicketFactory(requester=requester_of(client), severity=3) for _ in range(2))
    later = utc(2026, 4, 9, 18, 0)
    # When one is raised to severity 1 before the recompute writes what it computed for the old target
    clock.at(MONDAY_10 + timedelta(minutes=10))
    raised = actions.update_ticket(staff["manager"], raised, expected_version=raised.version, severity=1)
    new_due = raised.clocks.get().due_at
    _write([(c.pk, c.ticket_id, later, later, True, 240) for c in Clock.objects.filter(ticket__in=[kept, raised])],
           "business-hours")
    # Then the unchanged clock takes the recomputed instant and the raised one keeps its severity 1 due instant
    assert kept.clocks.get().due_at == later
    assert raised.clocks.get().due_at == new_due == MONDAY_10 + timedelta(minutes=30)


def test_a_clock_is_not_breached_at_its_due_instant_and_a_reply_then_is_in_time(clock, staff):
    # Given a severity 3 ticket opened Monday 13:00 Toronto: 4 business hours used up exactly at closing (17:00)
    clock.at(utc(2026, 4, 6, 17, 0))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    c = ticket.clocks.get(metric="initial_response")
    assert c.due_at == utc(2026, 4, 6, 21, 0)
    # When the sweep runs at the due instant itself
    clock.at(c.due_at)
    assert sweep()["breached"] == 0
    # Then the clock still runs, and a reply at that instant meets the objective
    actions.add_message(staff["agent"], ticket, body="On it.")
    c.refresh_from_db()
    assert (c.state, c.breached_at, c.stopped_at) == ("met", None, c.due_at)
    # And a sweep one second after a due instant breaches (another ticket, same start)
    clock.at(utc(2026, 4, 6, 17, 0))
    other = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    assert sweep(utc(2026, 4, 6, 21, 0, 1))["breached"] == 1
    assert other.clocks.get(metric="initial_response").state == "breached"
