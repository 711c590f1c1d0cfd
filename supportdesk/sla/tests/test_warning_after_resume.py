"""Issue 3: a warning goes out before the due instant. A clock warned, then paused (waiting on the client) and
resumed has a later due instant: it is warned again before that one, as after a calendar edit that moves it;
a pause that costs no business time leaves the warning it had."""

from __future__ import annotations

import pytest

from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.sla.sweep import sweep
from supportdesk.tickets import actions

from .conftest import requester_of, utc

pytestmark = pytest.mark.django_db


def resolution_warnings(ticket) -> int:  # noqa: ANN001
    clock = ticket.clocks.get(metric="resolution")
    return clock.history.filter(kind="warned").count()


def test_a_warned_clock_resumed_with_a_later_due_is_warned_again_before_it(clock, premium_with_resolution):
    # Given a severity 3 ticket opened Monday 10:00 Toronto: resolution due Tuesday 17:00 (16 business hours)
    clock.at(utc(2026, 4, 6, 14, 0))
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    agent = StaffFactory(staff_roles=["agent"])
    manager = StaffFactory(staff_roles=["manager"])
    actions.add_message(agent, ticket, body="Working on it", kind="public")
    ticket.refresh_from_db()
    # And warned 15 minutes before, Tuesday 16:45
    clock.at(utc(2026, 4, 7, 20, 46))
    sweep()
    assert resolution_warnings(ticket) == 1
    # When it waits on the client from 16:50 until Wednesday 09:00 (70 business minutes paused)
    clock.at(utc(2026, 4, 7, 20, 50))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    clock.at(utc(2026, 4, 8, 13, 0))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    resolution = ticket.clocks.get(metric="resolution")
    assert resolution.due_at == utc(2026, 4, 8, 13, 10)  # Wednesday 09:10 Toronto
    # Then the next sweep warns again, before the new due instant
    clock.at(utc(2026, 4, 8, 13, 1))
    sweep()
    assert resolution_warnings(ticket) == 2
    # And the support manager got a notice for each due instant (the first reply stopped the response clock)
    assert OutboxItem.objects.filter(ticket=ticket, topic="sla.warning", recipient=manager.email).count() == 2


def test_a_pause_that_costs_no_business_time_keeps_the_warning_it_had(clock, premium_with_resolution):
    # Given a resolution clock due Tuesday 17:00 Toronto, warned at 16:46
    clock.at(utc(2026, 4, 6, 14, 0))
    ticket = TicketFactory(requester=requester_of(premium_with_resolution), severity=3)
    agent = StaffFactory(staff_roles=["agent"])
    clock.at(utc(2026, 4, 7, 20, 46))
    sweep()
    assert resolution_warnings(ticket) == 1
    # When it is set waiting on the client and back at the same instant (no business time paused)
    clock.at(utc(2026, 4, 7, 20, 47))
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="waiting")
    ticket = actions.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    assert ticket.clocks.get(metric="resolution").due_at == utc(2026, 4, 7, 21, 0)
    # Then the warning already given stands: no second one for the same due instant
    clock.at(utc(2026, 4, 7, 20, 48))
    sweep()
    assert resolution_warnings(ticket) == 1
