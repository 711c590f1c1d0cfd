"""Opening a ticket: its clocks are planned (rules, calendars, arithmetic) before the write transaction
and inserted inside it; the result is what starting them one by one gave."""

from __future__ import annotations

import pytest

from supportdesk.sla import service
from supportdesk.sla.models import Clock, ClockEvent
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.models import Ticket

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db


def test_given_a_premium_client_when_a_ticket_opens_then_its_clocks_and_summary_match_the_plan(clock):
    clock.at(utc(2026, 3, 10, 15, 0))  # Tuesday 11:00 in Toronto
    client = client_with("premium", "support-24x7")
    plan = service.plan_opening(client, 1, utc(2026, 3, 10, 15, 0))
    ticket = tickets.open_ticket(requester_of(client), subject="Down", body="Everything is down", severity=1).ticket
    saved = list(Clock.objects.filter(ticket=ticket).order_by("id"))
    assert [(c.metric, c.target_minutes, c.calendar, c.due_at, c.warn_at) for c in saved] == [
        (c.metric, c.target_minutes, c.calendar, c.due_at, c.warn_at) for c in plan.clocks]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.sla_due_at == min(c.due_at for c in saved if c.due_at) == ticket.sla_due_at
    assert fresh.sla_state == ticket.sla_state == "running"
    started = ClockEvent.objects.filter(clock__ticket=ticket, kind="started").order_by("id")
    assert [e.data["target_minutes"] for e in started] == [c.target_minutes for c in saved]


def test_given_a_client_without_objectives_when_a_ticket_opens_then_it_is_tracked_as_best_efforts(clock):
    clock.at(utc(2026, 3, 10, 15, 0))
    client = client_with()
    ticket = tickets.open_ticket(requester_of(client), subject="Question", body="How do I?", severity=3).ticket
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.sla_due_at, fresh.sla_state) == (None, "best efforts")
    [only] = Clock.objects.filter(ticket=ticket)
    assert only.target_minutes is None and only.due_at is None


def test_given_the_ticket_changed_before_its_clocks_start_then_the_summary_is_read_back(clock):
    # start_planned trusts the plan's summary only while the ticket still carries it
    clock.at(utc(2026, 3, 10, 15, 0))
    client = client_with("premium")
    ticket = tickets.open_ticket(requester_of(client), subject="Slow", body="It is slow", severity=2).ticket
    Clock.objects.filter(ticket=ticket).delete()
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=None, sla_state="best efforts")
    ticket.refresh_from_db()
    service.start_planned(ticket, service.plan_opening(client, 2, ticket.created_at))
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.sla_state == "running" and fresh.sla_due_at == Clock.objects.get(ticket=ticket).due_at
