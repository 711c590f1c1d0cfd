"""Ticket clocks: objectives by plan, what meets the initial response, pauses, severity changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.sla.models import Clock
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket, TicketEvent

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

# Monday 2026-04-06 10:00 in Toronto (EDT, UTC-4)
MONDAY_10 = utc(2026, 4, 6, 14, 0)
SATURDAY_NOON = utc(2026, 4, 11, 16, 0)


def initial(ticket: Ticket) -> Clock:
    return ticket.clocks.get(metric="initial_response")


def test_premium_severity_3_runs_four_business_hours(clock):
    # Given a Premium client, when a severity 3 ticket opens Monday 10:00 Toronto
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # Then its initial response is due 14:00 Toronto, on business hours, and the ticket sorts by it
    c = initial(ticket)
    assert (c.target_minutes, c.calendar, c.state) == (240, "business-hours", "running")
    assert c.due_at == utc(2026, 4, 6, 18, 0)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == c.due_at and ticket.sla_state == "running"


def test_premium_severity_1_on_saturday_starts_at_monday_midnight(clock):
    # Given Premium only (Monday–Friday 24 hours), when a severity 1 ticket opens on Saturday
    clock.at(SATURDAY_NOON)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=1)
    # Then the clock starts at Monday 00:00 Toronto: due 00:30 local = 04:30Z
    assert initial(ticket).due_at == utc(2026, 4, 13, 4, 30)


def test_premium_with_24x7_support_runs_severity_1_and_2_around_the_clock(clock):
    # Given Premium plus 24/7 Support, when severity 1 and 2 tickets open on Saturday
    clock.at(SATURDAY_NOON)
    client = client_with("premium", "support-24x7")
    sev1 = TicketFactory(requester=requester_of(client), severity=1)
    sev2 = TicketFactory(requester=requester_of(client), severity=2)
    sev3 = TicketFactory(requester=requester_of(client), severity=3)
    # Then severity 1 and 2 run on 24x7 (the strictest objective wins); severity 3 stays on business hours
    assert (initial(sev1).calendar, initial(sev1).due_at) == ("24x7", SATURDAY_NOON + timedelta(minutes=30))
    assert (initial(sev2).calendar, initial(sev2).due_at) == ("24x7", SATURDAY_NOON + timedelta(hours=2))
    assert initial(sev3).calendar == "business-hours"
    assert initial(sev3).due_at == utc(2026, 4, 13, 16, 0)  # Monday 08:00 + 4 h = 12:00 Toronto


def test_maintenance_only_is_tracked_as_best_efforts(clock):
    # Given a client with Maintenance Support only, when it opens a severity 1 ticket
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("maintenance")), severity=1)
    # Then the response is tracked without a target
    c = initial(ticket)
    assert c.target_minutes is None and c.due_at is None and c.state == "running"
    ticket.refresh_from_db()
    assert ticket.sla_state == "best efforts" and ticket.sla_due_at is None
    # And a staff reply still records when it was answered
    clock.at(MONDAY_10 + timedelta(hours=30))
    actions.add_message(StaffFactory(), ticket, body="Looking at it", kind="public")
    c.refresh_from_db()
    assert c.state == "met" and c.stopped_at == MONDAY_10 + timedelta(hours=30)


@pytest.mark.parametrize("kind", ["public", "call"])
def test_public_reply_or_logged_call_meets_the_initial_response(clock, kind):
    # Given a running Premium severity 3 clock
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When an agent replies publicly or logs a call an hour later
    clock.at(MONDAY_10 + timedelta(hours=1))
    actions.add_message(StaffFactory(), ticket, body="We are on it.", kind=kind)
    # Then the objective is met at that moment and the ticket no longer sorts by it
    c = initial(ticket)
    assert c.state == "met" and c.stopped_at == MONDAY_10 + timedelta(hours=1)
    ticket.refresh_from_db()
    assert ticket.sla_state == "met" and ticket.sla_due_at is None
    assert list(c.history.values_list("kind", flat=True)) == ["started", "met"]


def test_internal_note_and_automatic_acknowledgement_do_not_count(clock):
    # Given a new Premium ticket that got its automatic acknowledgement
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    assert OutboxItem.objects.filter(ticket=ticket, topic="ticket.acknowledgement").exists()
    # When an agent adds an internal note
    clock.at(MONDAY_10 + timedelta(minutes=5))
    actions.add_message(StaffFactory(), ticket, body="Checking logs", kind="internal")
    # Then the initial response clock still runs
    assert initial(ticket).state == "running" and initial(ticket).stopped_at is None
    # And a client follow-up does not count either
    actions.add_message(ticket.requester, ticket, body="Any news?", kind="public")
    assert initial(ticket).state == "running"


def test_reply_after_the_due_instant_is_a_breach_with_its_overrun(clock):
    # Given a severity 3 clock due 14:00 Toronto
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When the first reply comes 15:30 Toronto (before any sweep ran)
    clock.at(utc(2026, 4, 6, 19, 30))
    actions.add_message(StaffFactory(), ticket, body="Sorry for the wait", kind="public")
    # Then the clock is breached once, 90 business minutes over
    c = initial(ticket)
    assert c.state == "breached" and c.overrun_seconds == 90 * 60 and c.stopped_at == utc(2026, 4, 6, 19, 30)
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla.breached").count() == 1


def test_waiting_on_client_pauses_resolution_but_not_initial_response(clock, premium_with_resolution):
    # Given a ticket with initial response and resolution objectives, opened Monday 10:00
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    resolution = ticket.clocks.get(metric="resolution")
    # 16 business hours: Monday 10-17 and Tuesday 08-17 -> due exactly at closing, Tuesday 17:00 Toronto
    assert resolution.due_at == utc(2026, 4, 7, 21, 0)
    # When staff set it waiting on the client for two business hours
    agent = StaffFactory()
    clock.at(MONDAY_10 + timedelta(hours=1))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    resolution.refresh_from_db()
    assert resolution.state == "paused" and resolution.due_at is None
    assert initial(ticket).state == "running"
    clock.at(MONDAY_10 + timedelta(hours=3))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    # Then the resolution due moves two business hours later, and the paused time is kept
    resolution.refresh_from_db()
    assert resolution.state == "running" and resolution.due_at == utc(2026, 4, 8, 14, 0)  # Wednesday 10:00
    assert len(resolution.pauses) == 1
    # And solving it stops the resolution clock as met
    clock.at(MONDAY_10 + timedelta(hours=5))
    actions.update_ticket(agent, ticket, expected_version=ticket.version, status="solved")
    resolution.refresh_from_db()
    assert resolution.state == "met" and resolution.stopped_at == MONDAY_10 + timedelta(hours=5)


def test_staff_response_starts_a_next_update_clock(clock, premium_with_resolution):
    # Given a ticket whose plan promises updates every 8 business hours
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    assert not ticket.clocks.filter(metric="next_update").exists()
    # When an agent replies Monday 11:00 Toronto
    clock.at(MONDAY_10 + timedelta(hours=1))
    actions.add_message(StaffFactory(), ticket, body="First answer", kind="public")
    # Then the next update is due 8 business hours later: Tuesday 10:00 Toronto
    nxt = ticket.clocks.get(metric="next_update")
    assert nxt.state == "running" and nxt.due_at == utc(2026, 4, 7, 14, 0)


def test_severity_upgrade_already_past_is_breached_at_the_change(clock):
    # Given a Premium severity 3 ticket opened Monday 10:00 Toronto and unanswered
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When a manager raises it to severity 1 at 11:00 (30 min on Mon–Fri 24 h: due 10:30)
    clock.at(MONDAY_10 + timedelta(hours=1))
    manager = StaffFactory(staff_roles=["manager"])
    ticket = actions.update_ticket(manager, ticket, expected_version=ticket.version, severity=1)
    # Then the clock is recomputed from the original start and breached at the change, 30 minutes over
    c = initial(ticket)
    assert (c.severity, c.target_minutes, c.calendar) == (1, 30, "weekdays-24h")
    assert c.due_at == MONDAY_10 + timedelta(minutes=30)
    assert c.state == "breached" and c.breached_at == MONDAY_10 + timedelta(hours=1)
    assert c.overrun_seconds == 30 * 60
    event = TicketEvent.objects.get(ticket=ticket, kind="sla.breached")
    assert event.actor == manager and event.data["overrun_seconds"] == 1800 and "severity" in event.data["reason"]
    assert [e.kind for e in c.history.all()] == ["started", "recomputed", "breached"]
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"


def test_severity_upgrade_still_in_time_keeps_pauses_and_moves_due(clock):
    # Given a severity 3 ticket opened Monday 10:00
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When it becomes severity 2 at 10:15
    clock.at(MONDAY_10 + timedelta(minutes=15))
    ticket = actions.update_ticket(StaffFactory(), ticket, expected_version=ticket.version, severity=2)
    # Then it is due two hours after the original start, still running
    c = initial(ticket)
    assert c.state == "running" and c.due_at == MONDAY_10 + timedelta(hours=2)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == c.due_at


def test_agent_queue_sorts_by_the_nearest_due_instant(clock, staff):
    # Given three Premium tickets in the priority queue: severity 3 at 10:00, severity 2 at 10:30, severity 1 at 11:00
    from supportdesk.tickets.queries import agent_queue

    client = client_with("premium")
    clock.at(MONDAY_10)
    sev3 = TicketFactory(requester=requester_of(client), severity=3)  # due 14:00
    clock.at(MONDAY_10 + timedelta(minutes=30))
    sev2 = TicketFactory(requester=requester_of(client), severity=2)  # due 12:30
    clock.at(MONDAY_10 + timedelta(hours=1))
    sev1 = TicketFactory(requester=requester_of(client), severity=1)  # due 11:30
    # When the first is answered, the queue sorts the rest by due; the answered one (no running clock) last
    actions.add_message(staff["agent"], sev3, body="Hello", kind="public")
    ids = [t.pk for t in agent_queue(staff["agent"]) if t.client_id == client.pk]
    assert ids == [sev1.pk, sev2.pk, sev3.pk]


def test_reopened_ticket_resumes_its_resolution_clock_with_the_solved_time_paused(clock, premium_with_resolution):
    # Given a ticket solved Monday 11:00 Toronto, one business hour after opening
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    clock.at(MONDAY_10 + timedelta(hours=1))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="solved")
    assert ticket.clocks.get(metric="resolution").state == "met"
    # When it is reopened Tuesday 09:00 Toronto
    clock.at(utc(2026, 4, 7, 13, 0))
    actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    # Then the resolution clock runs again with 15 business hours left: due Wednesday 15:00 Toronto
    resolution = ticket.clocks.get(metric="resolution")
    assert resolution.state == "running" and resolution.stopped_at is None
    assert resolution.due_at == utc(2026, 4, 8, 19, 0)
    assert [e.kind for e in resolution.history.all()] == ["started", "met", "reopened"]


def test_a_paused_clock_is_not_breached_by_a_severity_change(clock, premium_with_resolution):
    # Given a resolution clock paused while waiting on the client
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    # When the severity changes three days later
    clock.at(MONDAY_10 + timedelta(days=3))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, severity=2)
    # Then the paused resolution clock has no due instant and is not breached (the initial response is)
    assert ticket.clocks.get(metric="resolution").state == "paused"
    assert ticket.clocks.get(metric="initial_response").state == "breached"


@pytest.fixture
def premium_with_strict_resolution(db):  # noqa: ANN001, ANN201
    """Premium whose resolution objective is 16 business hours at severity 3 but 2 at severity 1."""
    from datetime import date

    from supportdesk.catalogue.actions import publish_version
    from supportdesk.catalogue.models import Offering

    premium = Offering.objects.get(code="premium")
    latest = premium.versions.order_by("-version").first()
    features = dict(latest.features)
    features["objectives"] = {**features["objectives"], "resolution": {
        "1": {"minutes": 120, "calendar": "business-hours"}, "2": {"minutes": 480, "calendar": "business-hours"},
        "3": {"minutes": 16 * 60, "calendar": "business-hours"}}}
    publish_version(None, offering=premium, features=features, effective_from=max(latest.effective_from, date(2026, 1, 1)))
    return client_with("premium")


def test_paused_clock_already_past_the_new_target_is_breached_at_the_upgrade(clock, premium_with_strict_resolution):
    # Given a severity 3 ticket opened Monday 10:00 Toronto, waiting on the client from 13:00 (3 business hours used)
    clock.at(MONDAY_10)
    agent = StaffFactory(staff_roles=["manager"])
    ticket = TicketFactory(requester=requester_of(premium_with_strict_resolution), severity=3)
    clock.at(MONDAY_10 + timedelta(hours=3))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    assert ticket.clocks.get(metric="resolution").state == "paused"
    # When it is raised to severity 1 (resolution in 2 business hours: due 12:00, before the pause) at 14:00
    clock.at(MONDAY_10 + timedelta(hours=4))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, severity=1)
    # Then the resolution clock is breached at the change, one business hour over (the paused hour is not counted)
    resolution = ticket.clocks.get(metric="resolution")
    assert resolution.due_at == MONDAY_10 + timedelta(hours=2)
    assert resolution.state == "breached" and resolution.breached_at == MONDAY_10 + timedelta(hours=4)
    assert resolution.overrun_seconds == 3600
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla.breached", data__metric="resolution").count() == 1
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    # And when the client answers and the ticket reopens, it stays breached with the same frozen overrun
    clock.at(MONDAY_10 + timedelta(hours=5))
    actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    resolution.refresh_from_db()
    assert resolution.state == "breached" and resolution.overrun_seconds == 3600
    assert resolution.pauses[-1][1] is not None


def test_clock_past_due_when_paused_is_breached_not_paused(clock, premium_with_strict_resolution):
    # Given a severity 1 ticket (resolution due Monday 12:00 Toronto) that no sweep has looked at
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(premium_with_strict_resolution), severity=1)
    # When it is set waiting on the client at 12:30, past the due instant
    clock.at(MONDAY_10 + timedelta(hours=2, minutes=30))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    # Then the resolution clock is breached then, 30 minutes over, and not paused
    resolution = ticket.clocks.get(metric="resolution")
    assert resolution.state == "breached" and resolution.overrun_seconds == 1800 and resolution.pauses == []


def test_severity_downgrade_after_an_unswept_due_instant_keeps_the_breach(clock):
    # Given a 24/7 Support client's severity 1 ticket opened Saturday noon (30 min on 24x7: due 12:30)
    clock.at(SATURDAY_NOON)
    ticket = TicketFactory(requester=requester_of(client_with("support-24x7")), severity=1)
    assert initial(ticket).due_at == SATURDAY_NOON + timedelta(minutes=30)
    # When, unanswered and before any sweep ran, it is lowered at 13:10 to severity 3 (no objective on 24/7 alone)
    clock.at(SATURDAY_NOON + timedelta(minutes=70))
    ticket = actions.update_ticket(StaffFactory(), ticket, expected_version=ticket.version, severity=3)
    # Then the objective missed at 12:30 stays recorded: breached at the change, 40 minutes over
    c = initial(ticket)
    assert c.state == "breached" and c.breached_at == SATURDAY_NOON + timedelta(minutes=70)
    assert c.overrun_seconds == 40 * 60
    # And it keeps the target it missed, so the ticket and the attainment report still show the breach
    assert (c.target_minutes, c.calendar) == (30, "24x7")
    assert [e.kind for e in c.history.all()] == ["started", "breached"]
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"


def test_severity_upgrade_after_an_unswept_due_instant_is_breached_against_the_new_target(clock):
    # Given a Premium severity 3 ticket opened Monday 10:00 Toronto (due 14:00), unanswered, no sweep ran
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When it is raised to severity 1 at 15:00 (new due 10:30)
    clock.at(MONDAY_10 + timedelta(hours=5))
    ticket = actions.update_ticket(StaffFactory(), ticket, expected_version=ticket.version, severity=1)
    # Then it is breached at the change, the overrun measured from the new due instant
    c = initial(ticket)
    assert c.state == "breached" and c.breached_at == MONDAY_10 + timedelta(hours=5)
    assert c.overrun_seconds == 4 * 3600 + 30 * 60
    assert [e.kind for e in c.history.all()] == ["started", "recomputed", "breached"]
