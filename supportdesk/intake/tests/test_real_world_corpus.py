"""Every message of the shared real-world corpus (read in place, never copied) goes through intake:
stored byte for byte, no crash, an outcome for each; bounces start no clock and get no reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.accounts.models import User
from supportdesk.factories import ClientFactory, ClientUserFactory
from supportdesk.intake.actions import process_inbound, receive
from supportdesk.intake.limits import mail_limits
from supportdesk.intake.models import InboundStatus, Outcome
from supportdesk.intake.parsing import Unreadable, parse
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Attachment, Message, Ticket

REPO = Path(__file__).resolve().parents[3]


def corpus_root() -> Path | None:
    for candidate in (REPO.parent / "shared" / "mail-corpus", Path("/work/shared/mail-corpus")):
        if candidate.is_dir():
            return candidate
    return None


ROOT = corpus_root()
SKIP = {"README.md", "LICENSE", "sample_output_multipart"}
FILES = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and p.name not in SKIP) if ROOT else []


def test_the_real_world_corpus_is_there():
    if ROOT is None:
        pytest.skip("the shared mail corpus (../shared/mail-corpus) is not present on this machine")
    assert len(FILES) > 150, FILES


@pytest.mark.skipif(ROOT is None, reason="the shared mail corpus (../shared/mail-corpus) is not present")
@pytest.mark.parametrize("name", FILES)
def test_every_real_world_message_is_stored_and_processed(db, name):
    # Given the sender (when there is one) is a known client user, so the full path runs: a ticket,
    # the sanitised body, every attachment
    raw = (ROOT / name).read_bytes()
    try:
        parsed = parse(raw, mail_limits())
        sender, kept_parts = parsed.sender, [a.filename for a in parsed.attachments if a.payload]
    except Unreadable:
        sender, kept_parts = "", []
    if sender and User.objects.filter(email__iexact=sender).count() == 0 and sender.count("@") == 1:
        ClientUserFactory(email=sender, client=ClientFactory(domains=[]))
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    outbox_before = OutboxItem.objects.count()
    # When it arrives and is processed
    inbound = process_inbound(receive(raw, channel="smtp").inbound.pk)
    # Then it is kept byte for byte with an outcome, and nothing was lost or crashed
    assert inbound.status == InboundStatus.PROCESSED, inbound.error
    assert inbound.outcome in Outcome.values and inbound.outcome != Outcome.REJECTED_SIZE
    assert bytes(inbound.raw) == raw and inbound.size == len(raw)
    if name.startswith("mikel-mail/multipart_report_emails/"):
        assert inbound.outcome == Outcome.BOUNCE
    if inbound.outcome in (Outcome.BOUNCE, Outcome.AUTO, Outcome.LOOP, Outcome.REVIEW, Outcome.UNPARSEABLE):
        # no clock started, no reply
        assert Ticket.objects.count() == tickets_before and Message.objects.count() == messages_before
        assert OutboxItem.objects.count() == outbox_before
    else:
        assert inbound.ticket is not None and inbound.ticket_message is not None
    if inbound.outcome in (Outcome.NEW_TICKET, Outcome.THREADED):
        # and no attachment was lost: each readable, non-empty part is stored with the message
        stored = Attachment.objects.filter(message=inbound.ticket_message).count()
        assert stored == len(kept_parts), (kept_parts, inbound.error)
