"""Opening a ticket writes its rows in one batch prepared before the transaction (prepared_inserts.InsertBatch):
each row holds what it held when the rows were written one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.factories import ClientUserFactory
from supportdesk.tickets import actions as tickets

pytestmark = pytest.mark.django_db


def test_given_a_ticket_opened_with_an_earlier_time_then_its_opening_event_is_stamped_when_it_was_recorded():
    requester = ClientUserFactory()
    earlier = timezone.now() - timedelta(days=2)
    opened = tickets.open_ticket(requester, subject="Printer", body="It jams", at=earlier).ticket
    event = opened.events.get(kind="ticket.opened")
    assert opened.created_at == earlier
    assert event.created_at > earlier + timedelta(days=1)  # recorded now, as every other event
    assert event.data["message_id"] == opened.messages.get().pk


def test_given_a_follow_up_of_a_closed_ticket_then_it_is_linked_and_says_so_in_its_history():
    # one mechanism for email, chat and phone follow-ups: open_ticket(linked_from=...) in the opening rows
    requester = ClientUserFactory()
    closed = tickets.open_ticket(requester, subject="Printer", body="It jams").ticket
    follow_up = tickets.open_ticket(requester, subject="Printer again", body="Still jams", linked_from=closed).ticket
    follow_up.refresh_from_db()
    assert follow_up.linked_from_id == closed.pk
    linked = follow_up.events.get(kind="ticket.linked")
    assert linked.data == {"linked_from": closed.pk}
    assert not closed.events.filter(kind="ticket.linked").exists()
