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
