"""IMAP polling against a real dovecot on loopback: stored first, deleted or moved only afterwards."""

from __future__ import annotations

import pytest

from supportdesk.intake import imap
from supportdesk.intake.models import InboundMessage, Outcome

from .conftest import corpus_raw, free_port
from .dovecot import available, running_dovecot

pytestmark = pytest.mark.skipif(not available(), reason="needs Debian's dovecot-imapd (/usr/sbin/dovecot)")


@pytest.fixture
def dovecot():  # noqa: ANN201
    with running_dovecot(free_port()) as server:
        yield server


def config(server, **extra) -> imap.ImapConfig:  # noqa: ANN001, ANN003
    return imap.ImapConfig(host=server.host, port=server.port, user=server.user, password=server.password,
                           security="none", **extra)


def test_given_mail_in_the_mailbox_when_polled_then_each_is_stored_processed_and_deleted(mail_world, dovecot):
    # Given two messages in the INBOX
    first, second = corpus_raw("01_plain_new_ticket.eml", 0), corpus_raw("27_unknown_sender.eml", 0)
    dovecot.append(first)
    dovecot.append(second)
    # When the mailbox is polled
    stored = imap.poll_imap(config(dovecot))
    # Then both were stored byte for byte, processed, and removed from the mailbox
    assert stored == 2 and dovecot.count() == 0
    rows = {m.message_id: m for m in InboundMessage.objects.all()}
    assert bytes(rows["<c01@acme.example>"].raw) == first and bytes(rows["<c27@nowhere.example>"].raw) == second
    assert {m.channel for m in rows.values()} == {"imap"}
    from supportdesk.intake.actions import process_pending

    process_pending()
    outcomes = dict(InboundMessage.objects.values_list("message_id", "outcome"))
    assert outcomes == {"<c01@acme.example>": Outcome.NEW_TICKET, "<c27@nowhere.example>": Outcome.REVIEW}


def test_given_a_move_folder_when_polled_then_messages_are_moved_not_deleted(mail_world, dovecot):
    dovecot.append(corpus_raw("02_multipart_alternative.eml", 0))
    dovecot.append(b"Subject: placeholder\r\n\r\nx\r\n", folder="Processed")
    assert imap.poll_imap(config(dovecot, move_to="Processed")) == 1
    assert dovecot.count() == 0 and dovecot.count("Processed") == 2


def test_given_storing_fails_then_the_message_stays_in_the_mailbox(mail_world, dovecot, monkeypatch):
    from django.db import OperationalError

    dovecot.append(corpus_raw("01_plain_new_ticket.eml", 0))

    def broken_save(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("database is locked")

    monkeypatch.setattr(InboundMessage, "save", broken_save)
    assert imap.poll_imap(config(dovecot)) == 0
    monkeypatch.undo()
    assert dovecot.count() == 1 and not InboundMessage.objects.exists()
    # the next poll succeeds and the same message is stored once
    assert imap.poll_imap(config(dovecot)) == 1 and dovecot.count() == 0
    assert InboundMessage.objects.count() == 1


def test_imap_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_IMAP_HOST", "imap.example")
    monkeypatch.setenv("SUPPORTDESK_IMAP_USER", "support")
    monkeypatch.setenv("SUPPORTDESK_IMAP_PASSWORD", "pw")
    monkeypatch.setenv("SUPPORTDESK_IMAP_SECURITY", "starttls")
    conf = imap.imap_config()
    assert conf is not None and (conf.host, conf.port, conf.folder, conf.security) == ("imap.example", 143, "INBOX",
                                                                                       "starttls")
    monkeypatch.delenv("SUPPORTDESK_IMAP_HOST")
    assert imap.imap_config() is None


def test_the_poll_imap_command_polls_the_configured_mailbox(mail_world, dovecot, monkeypatch):
    from typer.testing import CliRunner

    from supportdesk.cli import app

    dovecot.append(corpus_raw("01_plain_new_ticket.eml", 0))
    for name, value in {"HOST": dovecot.host, "PORT": str(dovecot.port), "USER": dovecot.user,
                        "PASSWORD": dovecot.password, "SECURITY": "none"}.items():
        monkeypatch.setenv(f"SUPPORTDESK_IMAP_{name}", value)
    result = CliRunner().invoke(app, ["intake", "poll-imap"])
    assert result.exit_code == 0, result.output
    assert "stored 1 message" in result.output and dovecot.count() == 0
    assert InboundMessage.objects.get().outcome == Outcome.NEW_TICKET


def test_a_message_over_the_size_limit_is_kept_in_the_mailbox_and_flagged(mail_world, dovecot, small_limits):
    raw = corpus_raw("31_huge.eml", 0)
    dovecot.append(raw)
    assert imap.poll_imap(config(dovecot)) == 1
    stored = InboundMessage.objects.get()
    assert stored.outcome == Outcome.REJECTED_SIZE and stored.truncated and stored.size == len(raw)
    assert dovecot.count() == 1  # only its head is stored, so the full message stays on the server
    assert imap.poll_imap(config(dovecot)) == 0 and InboundMessage.objects.count() == 1  # not fetched again


def test_given_several_configured_mailboxes_when_the_job_polls_then_each_is_stored_and_a_failing_one_stops_none(
        mail_world, dovecot, settings):
    # Given two folders of one account (comma separated) and a second account whose server is down
    dovecot.append(corpus_raw("01_plain_new_ticket.eml", 0))
    dovecot.append(corpus_raw("02_multipart_alternative.eml", 0), folder="Support")
    account = {"host": dovecot.host, "port": dovecot.port, "user": dovecot.user, "password": dovecot.password,
               "security": "none"}
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "IMAP": [
        {**account, "host": "127.0.0.1", "port": free_port()},  # nothing listens there
        {**account, "folder": "INBOX,Support"},
    ]}
    assert [(c.port, c.folder) for c in imap.imap_configs()][1:] == [(dovecot.port, "INBOX"), (dovecot.port, "Support")]
    # When the periodic job polls
    from supportdesk.intake import tasks

    stored = tasks.poll_imap_task.call_local()
    # Then both folders were stored and emptied although the first mailbox failed
    assert stored == 2 and dovecot.count() == 0 and dovecot.count("Support") == 0
    assert InboundMessage.objects.count() == 2 and {m.channel for m in InboundMessage.objects.all()} == {"imap"}
