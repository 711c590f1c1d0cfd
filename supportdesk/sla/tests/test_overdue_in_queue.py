"""SPEC §5/issue 3 "Queues sort by due": a clock breached but still unanswered stays due (in the past), so its
ticket leads the queue instead of sinking below tickets that are still in time or have no target."""

from __future__ import annotations

import pytest

from supportdesk.factories import TicketFactory
from supportdesk.sla import actions as sla_actions
from supportdesk.sla.sweep import sweep
from supportdesk.tickets import actions
from supportdesk.tickets.queries import agent_queue

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)  # Monday 10:00 Toronto


def queue_of(client, agent) -> list[int]:  # noqa: ANN001
    return [t.pk for t in agent_queue(agent) if t.client_id == client.pk]


def test_a_breached_unanswered_ticket_keeps_its_due_and_leads_the_queue(clock, staff):
    # Given a severity 3 ticket due 14:00 Toronto and, later, a severity 2 ticket due 15:30 Toronto
    client = client_with("premium")
    clock.at(MONDAY_10)
    overdue = TicketFactory(requester=requester_of(client), severity=3)
    clock.at(utc(2026, 4, 6, 17, 30))
    in_time = TicketFactory(requester=requester_of(client), severity=2)
    # When the sweep breaches the first one at 14:05 Toronto and nobody has answered it yet
    clock.at(utc(2026, 4, 6, 18, 5))
    assert sweep()["breached"] == 1
    overdue.refresh_from_db()
    # Then its queue due is still the instant it was due (in the past), its state "breached"
    assert (overdue.sla_state, overdue.sla_due_at) == ("breached", utc(2026, 4, 6, 18, 0))
    # And it sorts before the ticket that is still in time
    assert queue_of(client, staff["agent"]) == [overdue.pk, in_time.pk]
    # And once answered it no longer has anything due
    clock.at(utc(2026, 4, 6, 18, 30))
    actions.add_message(staff["agent"], overdue, body="Sorry for the wait", kind="public")
    overdue.refresh_from_db()
    assert (overdue.sla_state, overdue.sla_due_at) == ("breached", None)
    assert queue_of(client, staff["agent"]) == [in_time.pk, overdue.pk]


def test_a_calendar_recompute_keeps_the_due_of_a_breached_unanswered_clock(clock, staff, premium_with_resolution,
                                                                            django_capture_on_commit_callbacks):
    # Given a ticket whose initial response (due 14:00 Toronto) is breached and unanswered, while its resolution
    # clock (16 business hours) still runs
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    clock.at(utc(2026, 4, 6, 18, 5))
    sweep()
    # When a holiday edit recomputes the open clocks of the business-hours calendar (the resolution clock moves)
    with django_capture_on_commit_callbacks(execute=True):
        job = sla_actions.update_calendar(staff["manager"], "business-hours", custom_holidays=["2026-04-07"])
    job.refresh_from_db()
    assert job.changed == 1
    ticket.refresh_from_db()
    # Then the ticket still sorts by the breached response's due instant, not the later resolution one
    assert ticket.sla_due_at == utc(2026, 4, 6, 18, 0) == ticket.clocks.get(metric="initial_response").due_at
