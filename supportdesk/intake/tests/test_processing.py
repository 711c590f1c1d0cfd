"""Storing and processing are apart: a crash in between is recovered exactly once; duplicates collapse."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from supportdesk.intake import actions
from supportdesk.intake.models import InboundMessage, InboundStatus, IntakeEvent, Outcome
from supportdesk.tickets import actions as tickets
from supportdesk.tickets.models import Message, Ticket

from .conftest import corpus_raw


def test_given_processing_crashes_then_the_message_stays_pending_and_is_processed_once_on_restart(
        mail_world, monkeypatch):
    # Given a stored message whose processing crashes half way (after the ticket row was written)
    ticket = mail_world["ticket"]
    stored = actions.receive(corpus_raw("06_reply_subject_token.eml", ticket.pk), channel="smtp").inbound
    real_add = tickets.add_message

    def crash_after_writing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        real_add(*args, **kwargs)
        raise MemoryError("worker killed")

    monkeypatch.setattr(tickets, "add_message", crash_after_writing)
    crashed = actions.process_inbound(stored.pk)
    # Then nothing of it is left but the stored message, still pending
    assert crashed.status == InboundStatus.PENDING and crashed.attempts == 1 and "worker killed" in crashed.error
    assert not Message.objects.filter(source_id="<c06@acme.example>").exists()
    # When the worker restarts and sweeps pending messages (twice, as a second worker might)
    monkeypatch.undo()
    assert actions.process_pending() == 1
    assert actions.process_pending() == 0
    assert actions.process_inbound(stored.pk).outcome == Outcome.THREADED
    # Then the reply is on the ticket exactly once
    assert Message.objects.filter(source_id="<c06@acme.example>", ticket=ticket).count() == 1


def test_the_cli_processes_pending_messages(mail_world):
    actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp")
    from supportdesk.cli import app

    result = CliRunner().invoke(app, ["intake", "process"])
    assert result.exit_code == 0, result.output
    assert "processed 1 pending message" in result.output
    assert InboundMessage.objects.get().outcome == Outcome.NEW_TICKET


def test_given_a_terminal_when_the_cli_processes_stored_mail_then_it_shows_its_progress(mail_world, monkeypatch):
    # Given two stored messages and a terminal (a stream the bar may draw on), bars shown from one message on
    import io
    from functools import partial

    from supportdesk import progress
    from supportdesk.cli import app
    from supportdesk.intake import cli

    actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp")
    actions.receive(corpus_raw("02_multipart_alternative.eml", 0), channel="smtp")
    terminal = io.StringIO()
    monkeypatch.setattr(progress, "progress_bar", partial(progress.progress_bar, stream=terminal))
    monkeypatch.setattr(cli, "BAR_FROM_MESSAGES", 1)
    # When they are processed from the command line
    result = CliRunner().invoke(app, ["intake", "process"])
    # Then the bar went through both, and stdout keeps the plain summary
    assert result.exit_code == 0, result.output
    assert "Processing stored mail" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert result.stdout.strip() == "processed 2 pending message(s)"


def test_a_message_failing_every_time_ends_in_review_not_in_a_loop(mail_world, monkeypatch):
    stored = actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp").inbound

    def always_fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(tickets, "open_ticket", always_fails)
    for _ in range(actions.MAX_ATTEMPTS):
        actions.process_inbound(stored.pk)
    stored.refresh_from_db()
    assert stored.status == InboundStatus.PROCESSED and stored.outcome == Outcome.UNPARSEABLE
    assert stored.needs_review and "storage unavailable" in stored.error


def test_duplicate_deliveries_collapse_and_a_reused_message_id_is_not_added_twice(mail_world):
    raw = corpus_raw("01_plain_new_ticket.eml", 0)
    first = actions.receive(raw, channel="smtp")
    again = actions.receive(b"Received: from another.relay\r\n\tby mx; Mon, 23 Nov 2026\r\n" + raw, channel="imap")
    assert first.created and not again.created and again.inbound.pk == first.inbound.pk
    assert actions.process_inbound(first.inbound.pk).outcome == Outcome.NEW_TICKET
    # the same Message-ID with other content (e.g. a resend with a changed footer) is a duplicate
    changed = actions.receive(raw + b"\r\n-- sent from my phone\r\n", channel="smtp")
    assert changed.created
    assert actions.process_inbound(changed.inbound.pk).outcome == Outcome.DUPLICATE
    assert Ticket.objects.filter(subject="Cannot print invoices").count() == 1
    assert IntakeEvent.objects.filter(kind="inbound.received").count() == 2


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(mail_world):
    ticket, agent = mail_world["ticket"], mail_world["agent"]
    tickets.update_ticket(agent, ticket, expected_version=ticket.version, status="closed")
    inbound = actions.process_inbound(
        actions.receive(corpus_raw("04_reply_in_reply_to.eml", 0), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.NEW_TICKET and inbound.ticket.linked_from == ticket
    assert "Follow-up" in inbound.error


def test_a_colleague_reply_threads_when_the_colleague_may_see_the_ticket(mail_world):
    # bob is a client admin of Acme: he may see alice's ticket, so his reply by References threads
    inbound = actions.process_inbound(
        actions.receive(corpus_raw("05_reply_references.eml", 0), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.THREADED and inbound.ticket == mail_world["ticket"]
    assert inbound.ticket_message.author == mail_world["bob"]


def test_polling_an_unreachable_imap_server_says_so_without_a_traceback(mail_world, settings):
    # Given an IMAP mailbox configured on a port where nothing listens
    from supportdesk.cli import app

    from .conftest import free_port

    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "IMAP": {"host": "127.0.0.1", "port": free_port(),
                                                             "user": "support", "security": "none"}}
    # When staff poll it from the command line
    result = CliRunner().invoke(app, ["intake", "poll-imap"])
    # Then they get a one-line error naming the mailbox and exit code 1, not a traceback
    assert result.exit_code == 1, result.output
    assert "error: could not poll support@127.0.0.1:" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, OSError)


class WorkerKilled(BaseException):
    """Stands for the worker dying mid-way (kill -9, out of memory): no `except Exception` sees it."""


def test_a_message_that_kills_the_worker_every_time_ends_in_review_not_in_a_loop(mail_world, monkeypatch):
    # Given a stored message whose processing kills the worker each time
    stored = actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp").inbound
    tickets_before = Ticket.objects.count()

    def killed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise WorkerKilled

    monkeypatch.setattr(actions, "_process", killed)
    # When the worker is restarted and sweeps it again, three times
    for _ in range(actions.MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            actions.process_pending()
    # Then each cut-short attempt was counted, and the next sweep sends it to review instead of retrying
    assert InboundMessage.objects.get(pk=stored.pk).attempts == actions.MAX_ATTEMPTS
    monkeypatch.undo()
    assert actions.process_pending() == 1
    inbound = InboundMessage.objects.get(pk=stored.pk)
    assert inbound.outcome == Outcome.UNPARSEABLE and "cut short 3 times" in inbound.error and inbound.needs_review
    assert Ticket.objects.count() == tickets_before


def test_a_message_processed_at_the_first_try_keeps_no_attempt(mail_world):
    inbound = actions.process_inbound(actions.receive(corpus_raw("01_plain_new_ticket.eml", 0), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.NEW_TICKET and inbound.attempts == 0
    assert InboundMessage.objects.get(pk=inbound.pk).attempts == 0


def test_the_review_queue_on_the_command_line_comes_a_page_at_a_time_and_says_how_many_wait(db, monkeypatch):
    # Given three messages waiting for review and pages of two
    from datetime import UTC, datetime, timedelta

    from supportdesk.cli import app
    from supportdesk.intake import cli as intake_cli

    monkeypatch.setattr(intake_cli, "REVIEW_PAGE", 2)
    start = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    for n in range(3):
        InboundMessage.objects.create(channel="smtp", raw=b"x", size=1, sha256=f"{n}", content_hash=f"{n}",
                                      message_id=f"<r{n}@x>", sender=f"s{n}@x.example", subject=f"review {n}",
                                      status=InboundStatus.PROCESSED, outcome=Outcome.REVIEW,
                                      received_at=start + timedelta(hours=n))
    # When staff list the queue, then its second page
    first, second = (CliRunner().invoke(app, ["intake", "review", *extra]) for extra in ([], ["--page", "2"]))
    # Then each page lists its messages newest first, one line each with the UTC time, and says what else waits
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert [line.split("\t")[4] for line in first.stdout.splitlines()] == ["review 2", "review 1"]
    assert first.stdout.splitlines()[0].split("\t")[1] == "2026-11-01 07:30 UTC"
    assert "2 of 3 waiting for review (page 1); --page 2 for the next" in first.stderr
    assert [line.split("\t")[4] for line in second.stdout.splitlines()] == ["review 0"]
    assert "1 of 3 waiting for review (page 2)" in second.stderr and "--page 3" not in second.stderr
