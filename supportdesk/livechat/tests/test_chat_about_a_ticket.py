"""A chat started about a ticket: the ticket number may come as a number or its digits; anything else is refused
with a clear error (it was silently ignored, so the chat opened a new ticket instead of updating the named one).
NUL characters in a chat are dropped (PostgreSQL text cannot hold them: the socket failed)."""

from __future__ import annotations

import pytest

from supportdesk.errors import Invalid, NotFound
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.livechat import actions
from supportdesk.livechat.models import Conversation
from supportdesk.oncall.tests.factories import client_24x7

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_person():  # noqa: ANN201
    return ClientUserFactory(client=client_24x7(name="Night Owls LLP"))


@pytest.mark.parametrize("as_sent", [int, str])
def test_given_a_ticket_number_when_a_chat_starts_about_it_then_pickup_updates_that_ticket(client_person, as_sent):
    ticket = TicketFactory(requester=client_person)
    conversation = actions.start_conversation(client_person, start_key="s-1", ticket_id=as_sent(ticket.pk))
    actions.post_message(client_person, conversation.pk, client_msg_id="m-1", body="About this one")

    picked = actions.pick_up(StaffFactory(), conversation.pk)

    assert picked.ticket_id == ticket.pk
    assert ticket.messages.filter(channel="chat").count() == 1


@pytest.mark.parametrize("wrong", [1.5, True, [1], {"id": 1}, "12a"])
def test_given_a_malformed_ticket_id_when_a_chat_starts_then_it_is_refused_and_nothing_is_stored(client_person, wrong):
    with pytest.raises(Invalid) as refused:
        actions.start_conversation(client_person, start_key="s-1", ticket_id=wrong)
    assert refused.value.code == "chat.bad_frame" and "ticket_id" in refused.value.fields
    assert not Conversation.objects.exists()


def test_given_someone_elses_ticket_when_a_chat_starts_about_it_then_not_found(client_person):
    other = TicketFactory()
    with pytest.raises(NotFound):
        actions.start_conversation(client_person, start_key="s-1", ticket_id=other.pk)
    assert not Conversation.objects.exists()


def test_given_nul_characters_in_a_chat_then_they_are_dropped_not_a_database_error(client_person):
    conversation = actions.start_conversation(client_person, start_key="s-1", subject="Server\x00 down")
    posted = actions.post_message(client_person, conversation.pk, client_msg_id="m-1", body="It\x00 fails")

    assert conversation.subject == "Server down"
    assert posted.message.body == "It fails"
    with pytest.raises(Invalid) as refused:
        actions.post_message(client_person, conversation.pk, client_msg_id="m-2", body="\x00")
    assert refused.value.code == "chat.body_required"


@pytest.mark.parametrize("huge", [2**63, 10**30, -1, 0, "9" * 30, "9" * 5000])
def test_given_a_conversation_or_ticket_number_past_64_bits_then_not_found_not_a_failed_socket(client_person, huge):
    # Given a client's chat (a WebSocket has no middleware: a database overflow or int() of thousands of digits
    # ended the connection instead of answering an error frame)
    conversation = actions.start_conversation(client_person, start_key="s-1")
    # When a frame names a conversation or a ticket by a number no row can have
    # Then it is answered as a missing one, and nothing is stored
    with pytest.raises(NotFound):
        actions.post_message(client_person, huge, client_msg_id="m-1", body="hello")
    with pytest.raises((NotFound, Invalid)):  # digits past 18 are not a ticket number at all (chat.bad_frame)
        actions.start_conversation(client_person, start_key="s-2", ticket_id=huge)
    assert list(Conversation.objects.values_list("pk", flat=True)) == [conversation.pk]
    assert not conversation.messages.exists()
