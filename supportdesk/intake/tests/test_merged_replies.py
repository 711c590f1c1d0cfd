"""A client's email reply to a ticket merged into another goes to that other ticket, where work continues."""

from __future__ import annotations

from supportdesk.intake import actions
from supportdesk.intake.models import Outcome
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.merges import merge_ticket

from .conftest import corpus_raw


def test_a_reply_to_a_merged_ticket_threads_on_the_ticket_it_was_merged_into(mail_world):
    # Given alice's email ticket was merged into another ticket of hers
    duplicate = mail_world["ticket"]
    target = tickets.open_ticket(mail_world["alice"], subject="Printing and scanning fail", body="Both.").ticket
    merge_ticket(mail_world["agent"], duplicate, target)
    # When she replies to the duplicate's email thread
    inbound = actions.process_inbound(
        actions.receive(corpus_raw("04_reply_in_reply_to.eml", 0), channel="smtp").inbound.pk)
    # Then the reply is threaded on the target, saying where it was addressed, and no new ticket opens
    assert inbound.outcome == Outcome.THREADED and inbound.ticket == target
    assert inbound.ticket_message.ticket == target
    assert f"Reply to #{duplicate.pk}, which was merged into #{target.pk}." in inbound.error


def test_a_reply_from_someone_who_may_not_see_the_target_opens_a_follow_up_linked_to_their_ticket(mail_world):
    # Given alice's ticket merged into a colleague's ticket at Acme that she may not see
    from supportdesk.factories import ClientUserFactory

    duplicate = mail_world["ticket"]
    carol = ClientUserFactory(client=mail_world["acme"], email="carol@acme.example")
    target = tickets.open_ticket(carol, subject="Printing fails for carol too", body="Same.").ticket
    alice = mail_world["alice"]
    alice.client_role = "client_user"  # a plain client user: she sees her own tickets only
    alice.save(update_fields=["client_role"])
    merge_ticket(mail_world["agent"], duplicate, target)
    # When she replies to her ticket's thread
    inbound = actions.process_inbound(
        actions.receive(corpus_raw("04_reply_in_reply_to.eml", 0), channel="smtp").inbound.pk)
    # Then a new ticket opens for her, linked to her merged ticket, and nothing lands where she cannot see it
    assert inbound.outcome == Outcome.NEW_TICKET and inbound.ticket.linked_from == duplicate
    assert not target.messages.filter(author=alice).exists()
