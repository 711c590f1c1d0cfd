"""A response clock of a ticket solved or closed before any staff response stops with no verdict ("stopped"):
no response happened, so it is neither met nor breached and stays out of attainment (SPEC §5, R5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.sla import queries
from supportdesk.sla.models import Clock
from supportdesk.sla.templatetags.sla_tags import countdown_class
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket, TicketEvent

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

# Monday 2026-04-06 10:00 in Toronto (EDT, UTC-4); a Premium severity 3 response is due 14:00 Toronto (18:00Z)
MONDAY_10 = utc(2026, 4, 6, 14, 0)
DUE = utc(2026, 4, 6, 18, 0)


def clock_of(ticket: Ticket, metric: str = "initial_response") -> Clock:
    return ticket.clocks.get(metric=metric)


def attainment_counts(manager) -> tuple[int, int]:  # noqa: ANN001
    rows = queries.attainment(manager, now=MONDAY_10 + timedelta(days=1))
    return sum(r.met for r in rows), sum(r.breached for r in rows)


def test_client_solving_own_ticket_in_time_stops_the_initial_response_without_verdict(clock, staff):
    # Given a Premium severity 3 ticket nobody at the vendor answered yet
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    before = attainment_counts(staff["manager"])
    # When the client solves it an hour later (found the answer alone)
    clock.at(MONDAY_10 + timedelta(hours=1))
    ticket = actions.update_ticket(ticket.requester, ticket, expected_version=ticket.version, status="solved")
    # Then the initial response clock is stopped: no verdict, nothing left to count down
    c = clock_of(ticket)
    assert (c.state, c.stopped_at, c.breached_at) == ("stopped", MONDAY_10 + timedelta(hours=1), None)
    assert c.get_state_display() == "Stopped: no response needed"
    assert [e.kind for e in c.history.all()] == ["started", "stopped"]
    ticket.refresh_from_db()
    assert ticket.sla_state == "stopped" and ticket.sla_due_at is None
    # And attainment is unchanged: neither met nor breached
    assert attainment_counts(staff["manager"]) == before == (0, 0)


def test_staff_closing_without_reply_in_time_stops_the_initial_response(clock):
    # Given an unanswered Premium severity 3 ticket
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When an agent closes it two hours later without writing to the client
    clock.at(MONDAY_10 + timedelta(hours=2))
    ticket = actions.update_ticket(StaffFactory(), ticket, expected_version=ticket.version, status="closed")
    # Then the clock stops with no verdict and no breach is recorded
    assert clock_of(ticket).state == "stopped"
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla.breached").exists()


def test_closing_after_the_due_instant_without_reply_is_a_breach(clock, staff):
    # Given an unanswered Premium severity 3 ticket due 14:00 Toronto, not yet seen by any sweep
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    # When an agent closes it at 15:00 Toronto without a reply
    clock.at(DUE + timedelta(hours=1))
    ticket = actions.update_ticket(StaffFactory(), ticket, expected_version=ticket.version, status="closed")
    # Then it is breached as before, the hour of overrun frozen, and counted in attainment
    c = clock_of(ticket)
    assert (c.state, c.overrun_seconds, c.stopped_at) == ("breached", 3600, DUE + timedelta(hours=1))
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla.breached").count() == 1
    assert attainment_counts(staff["manager"]) == (0, 1)


def test_staff_reply_then_solve_is_met(clock, staff):
    # Given a ticket an agent answered in time
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    clock.at(MONDAY_10 + timedelta(minutes=30))
    actions.add_message(agent, ticket, body="We are on it.", kind="public")
    # When it is solved later
    clock.at(MONDAY_10 + timedelta(hours=2))
    ticket.refresh_from_db()
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="solved")
    # Then the initial response stays met at the reply and counts as met
    c = clock_of(ticket)
    assert (c.state, c.stopped_at) == ("met", MONDAY_10 + timedelta(minutes=30))
    ticket.refresh_from_db()
    assert ticket.sla_state == "met"
    assert attainment_counts(staff["manager"]) == (1, 0)


def test_solving_in_time_meets_the_resolution_and_stops_the_next_update(clock, premium_with_resolution):
    # Given a ticket with resolution and next-update objectives; the client wrote again after an agent's reply,
    # so a next-update clock runs
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    clock.at(MONDAY_10 + timedelta(minutes=20))
    actions.add_message(agent, ticket, body="Try a restart.", kind="public")
    assert clock_of(ticket, "next_update").state == "running"
    # When the client solves it an hour later
    clock.at(MONDAY_10 + timedelta(hours=1))
    ticket.refresh_from_db()
    ticket = actions.update_ticket(ticket.requester, ticket, expected_version=ticket.version, status="solved")
    # Then solving meets the resolution (what it measures), the next update needed no response, the first was met
    assert clock_of(ticket, "resolution").state == "met"
    assert clock_of(ticket, "next_update").state == "stopped"
    assert clock_of(ticket).state == "met"
    ticket.refresh_from_db()
    assert ticket.sla_state == "met"


def test_reopening_does_not_restart_a_stopped_initial_response(clock, premium_with_resolution):
    # Given a ticket the client solved before any response
    clock.at(MONDAY_10)
    agent = StaffFactory()
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    clock.at(MONDAY_10 + timedelta(hours=1))
    ticket = actions.update_ticket(ticket.requester, ticket, expected_version=ticket.version, status="solved")
    # When it is reopened and an agent replies
    clock.at(MONDAY_10 + timedelta(hours=2))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    actions.add_message(agent, ticket, body="Reopened: looking again.", kind="public")
    # Then the first-response question stays settled: stopped, not met; the resolution runs again
    c = clock_of(ticket)
    assert (c.state, c.stopped_at) == ("stopped", MONDAY_10 + timedelta(hours=1))
    assert clock_of(ticket, "resolution").state == "running"


def test_api_shows_the_stopped_clock_without_a_countdown(clock, as_person):
    # Given a ticket its client solved in time before any response
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    clock.at(MONDAY_10 + timedelta(hours=1))
    actions.update_ticket(ticket.requester, ticket, expected_version=ticket.version, status="solved")
    # When the client reads its clocks
    clock.at(MONDAY_10 + timedelta(hours=2))
    response = as_person(ticket.requester).get(f"/api/v1/sla/tickets/{ticket.pk}/clocks")
    # Then the clock is stopped, labelled, with no time left and no overrun
    assert response.status_code == 200
    [c] = response.json()["items"]
    assert (c["state"], c["state_label"]) == ("stopped", "Stopped: no response needed")
    assert c["remaining_seconds"] is None and c["overrun_seconds"] is None and c["breached_at"] is None
    assert c["stopped_at"].startswith("2026-04-06T15:00")


def test_ticket_pages_show_the_stopped_state_and_no_live_countdown(clock, staff, as_person):
    # Given a ticket an agent closed in time without a reply
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    clock.at(MONDAY_10 + timedelta(hours=1))
    actions.update_ticket(staff["agent"], ticket, expected_version=ticket.version, status="closed")
    # When the agent and the client open the ticket
    console = as_person(staff["agent"]).get(f"/console/tickets/{ticket.pk}/").content.decode()
    portal = as_person(ticket.requester).get(f"/portal/tickets/{ticket.pk}/").content.decode()
    # Then both show the stopped state, and the clock carries no data-due for app.js to count down
    for html in (console, portal):
        assert "Stopped: no response needed" in html and "sla-state-stopped" in html
        panel = html[html.index('class="card sla-clocks"'):]
        panel = panel[:panel.index("</section>")]
        assert "data-due" not in panel and "of business time left" not in panel
    assert countdown_class(DUE, None, "stopped", MONDAY_10) == "stopped"
