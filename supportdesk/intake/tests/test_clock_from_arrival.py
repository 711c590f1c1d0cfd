"""A ticket opened from mail is dated from when the mail arrived (was stored), not from when a worker processed
it: the client asked then, so the initial-response clock runs from then (R18 with R4/R5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from supportdesk.factories import ClientUserFactory, StaffFactory
from supportdesk.intake.actions import assign_to_requester, process_inbound, receive
from supportdesk.intake.models import Outcome
from supportdesk.oncall.tests.factories import client_standard
from supportdesk.sla.models import Clock

pytestmark = pytest.mark.django_db
ARRIVED = datetime.fromisoformat("2026-03-10T14:00:00+00:00")  # a Tuesday, 10:00 in Toronto: business hours
PROCESSED = ARRIVED + timedelta(minutes=45)  # the worker was down for a while


def raw(sender: str) -> bytes:
    return (f"From: {sender}\r\nTo: support@supportdesk.example\r\nSubject: Billing module down\r\n"
            f"Message-ID: <late-{sender}>\r\n\r\nThe billing module does not open.\r\n").encode()


def test_given_mail_processed_late_then_its_ticket_and_clock_run_from_when_it_arrived():
    # Given a Premium client's person whose mail was stored at 14:00 and processed at 14:45
    person = ClientUserFactory(client=client_standard(), email="pat@firm.example")
    with time_machine.travel(ARRIVED, tick=False):
        stored = receive(raw(person.email), channel="smtp").inbound
    with time_machine.travel(PROCESSED, tick=False):
        inbound = process_inbound(stored.pk)
    # Then the ticket and its initial-response clock start at the arrival
    assert inbound.outcome == Outcome.NEW_TICKET
    ticket = inbound.ticket
    assert ticket.created_at == ARRIVED
    clock = Clock.objects.get(ticket=ticket, metric="initial_response")
    assert clock.started_at == ARRIVED
    assert clock.due_at == ARRIVED + timedelta(hours=4)  # severity 3: 4 business hours from the arrival


def test_given_mail_in_review_assigned_later_then_its_ticket_runs_from_when_it_arrived():
    # Given mail from an address nobody knows yet, stored at 14:00
    person = ClientUserFactory(client=client_standard(), email="known@firm.example")
    agent = StaffFactory(staff_roles=["agent"])
    with time_machine.travel(ARRIVED, tick=False):
        stored = receive(raw("unknown@elsewhere.example"), channel="smtp").inbound
        assert process_inbound(stored.pk).outcome == Outcome.REVIEW
    # When staff assign it to the client person 45 minutes later
    with time_machine.travel(PROCESSED, tick=False):
        ticket = assign_to_requester(agent, stored.pk, requester=person)
    # Then the ticket is dated from the arrival, as a claimed phone call is from the call
    assert ticket.created_at == ARRIVED
    assert Clock.objects.get(ticket=ticket, metric="initial_response").started_at == ARRIVED
