"""The Huey jobs of intake run (tests run Huey immediately): the sweep processes pending mail."""

from __future__ import annotations

from supportdesk.intake import actions, tasks
from supportdesk.intake.models import InboundMessage, Outcome

from .conftest import corpus_raw


def test_the_periodic_sweep_processes_pending_mail_and_imap_polling_is_off_without_a_host(mail_world, monkeypatch):
    actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp")
    assert tasks.process_pending_task.call_local() == 1
    assert InboundMessage.objects.get().outcome == Outcome.NEW_TICKET
    monkeypatch.delenv("SUPPORTDESK_IMAP_HOST", raising=False)
    assert tasks.poll_imap_task.call_local() == 0
