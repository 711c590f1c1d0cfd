"""R19 + R4: a chat's ticket keeps the right initial-response clock (started when the client asked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from supportdesk.factories import ClientUserFactory, StaffFactory
from supportdesk.livechat import actions
from supportdesk.oncall.tests.factories import client_24x7
from supportdesk.sla.models import Clock

pytestmark = pytest.mark.django_db
ASKED = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)      # Tuesday 11:00 Toronto


def test_given_a_chat_picked_up_later_then_the_initial_response_runs_from_the_clients_first_message():
    client, agent = ClientUserFactory(client=client_24x7()), StaffFactory()
    with time_machine.travel(ASKED, tick=False):
        conversation = actions.start_conversation(client, start_key="s-1", subject="Sync down")
        actions.post_message(client, conversation.pk, client_msg_id="m-1", body="Calendar sync is down")
    with time_machine.travel(ASKED + timedelta(minutes=30), tick=False):
        ticket = actions.pick_up(agent, conversation.pk).ticket
    assert ticket is not None
    response = Clock.objects.get(ticket=ticket, metric="initial_response")
    assert response.state == "running" and response.started_at == ASKED
    with time_machine.travel(ASKED + timedelta(minutes=31), tick=False):
        actions.post_message(agent, conversation.pk, client_msg_id="a-1", body="Looking now")
    response.refresh_from_db()
    assert response.started_at == ASKED and response.stopped_at == ASKED + timedelta(minutes=31)
    ticket.refresh_from_db()
    assert ticket.created_at == ASKED and ticket.status == "open"
    assert ticket.messages.order_by("id").first().created_at == ASKED


def test_given_a_chats_ticket_merged_while_it_goes_on_then_the_clients_next_lines_reach_the_target():
    from supportdesk.tickets import actions as tickets
    from supportdesk.tickets.merges import merge_ticket

    person, agent = ClientUserFactory(client=client_24x7()), StaffFactory()
    conversation = actions.start_conversation(person, start_key="s-merge", subject="Sync down")
    actions.post_message(person, conversation.pk, client_msg_id="m-1", body="Calendar sync is down")
    duplicate = actions.pick_up(agent, conversation.pk).ticket
    assert duplicate is not None
    target = tickets.open_ticket(person, subject="Calendar sync outage", body="Reported by phone too").ticket
    merge_ticket(agent, duplicate, target)
    actions.post_message(person, conversation.pk, client_msg_id="m-2", body="Still down after the restart")
    assert target.messages.filter(body="Still down after the restart").exists()
    conversation.refresh_from_db()
    assert conversation.ticket_id == target.pk


def test_given_a_chats_ticket_merged_into_one_the_client_may_not_see_then_nothing_they_write_is_lost():
    from supportdesk.factories import TicketFactory
    from supportdesk.tickets.merges import merge_ticket
    from supportdesk.tickets.models import Ticket

    client = client_24x7()
    person, colleague, agent = ClientUserFactory(client=client), ClientUserFactory(client=client), StaffFactory()
    conversation = actions.start_conversation(person, start_key="s-hidden", subject="Sync down")
    actions.post_message(person, conversation.pk, client_msg_id="m-1", body="Calendar sync is down")
    duplicate = actions.pick_up(agent, conversation.pk).ticket
    assert duplicate is not None
    merge_ticket(agent, duplicate, TicketFactory(requester=colleague, subject="Colleague's outage report"))
    # the client writes on: the line is kept on a follow-up ticket linked to the duplicate
    actions.post_message(person, conversation.pk, client_msg_id="m-2", body="Still down after the restart")
    conversation.refresh_from_db()
    follow_up = Ticket.objects.get(pk=conversation.ticket_id)
    assert follow_up.linked_from_id == duplicate.pk and follow_up.requester == person
    assert follow_up.messages.filter(body="Still down after the restart").exists()


def test_given_a_waiting_chat_about_a_ticket_merged_into_one_the_client_may_not_see_then_it_can_be_picked_up():
    from supportdesk.factories import TicketFactory
    from supportdesk.tickets.merges import merge_ticket

    client = client_24x7()
    person, colleague, agent = ClientUserFactory(client=client), ClientUserFactory(client=client), StaffFactory()
    own = TicketFactory(requester=person, subject="My report")
    merge_ticket(agent, own, TicketFactory(requester=colleague, subject="Colleague's report"))
    conversation = actions.start_conversation(person, start_key="s-about", subject="About my report", ticket_id=own.pk)
    actions.post_message(person, conversation.pk, client_msg_id="m-1", body="Any news?")
    picked = actions.pick_up(agent, conversation.pk)
    assert picked.ticket is not None and picked.ticket.pk != own.pk and picked.ticket.requester == person
