"""A real SMTP conversation (smtplib) with the aiosmtpd listener on a free loopback port."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supportdesk.intake.models import InboundMessage, Outcome
from supportdesk.intake.smtp import controller
from supportdesk.tickets.models import Ticket

from .conftest import corpus_raw, free_port

# The listener stores from its own thread: tests that read what it stored need committed data.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def listener():  # noqa: ANN201
    smtp = controller("127.0.0.1", free_port())
    smtp.start()
    yield smtp
    smtp.stop()


def send(smtp, raw: bytes, *, mail_from: str = "alice@acme.example", to: str = "support@supportdesk.example"):  # noqa: ANN001, ANN201
    with smtplib.SMTP(smtp.hostname, smtp.port, timeout=20) as client:
        client.ehlo("client.acme.example")
        client.mail(mail_from)
        code, _ = client.rcpt(to)
        assert code == 250
        return client.data(raw)


@committed
def test_given_a_client_email_when_sent_over_smtp_then_250_comes_after_it_is_stored_and_it_opens_a_ticket(
        mail_world, listener):
    raw = corpus_raw("01_plain_new_ticket.eml", 0)
    code, reply = send(listener, raw)
    assert code == 250 and b"stored as" in reply
    inbound = InboundMessage.objects.get(message_id="<c01@acme.example>")
    assert bytes(inbound.raw) == raw and inbound.channel == "smtp" and inbound.envelope_from == "alice@acme.example"
    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.NEW_TICKET
    assert inbound.ticket.subject == "Cannot print invoices" and inbound.ticket.requester == mail_world["alice"]


@committed
def test_given_the_same_message_delivered_twice_then_it_is_stored_and_processed_once(mail_world, listener):
    raw = corpus_raw("02_multipart_alternative.eml", 0)
    assert send(listener, raw)[0] == 250
    # the second delivery took another route: an extra Received header
    assert send(listener, b"Received: from relay2.acme.example by mx; Mon, 23 Nov 2026\r\n" + raw)[0] == 250
    assert InboundMessage.objects.filter(message_id="<c02@acme.example>").count() == 1
    assert Ticket.objects.filter(subject="Calendar sync broken").count() == 1


@committed
def test_given_a_null_return_path_then_the_message_is_a_bounce_and_starts_nothing(mail_world, listener):
    tickets_before = Ticket.objects.count()
    assert send(listener, corpus_raw("01_plain_new_ticket.eml", 0), mail_from="")[0] == 250
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == Outcome.BOUNCE and inbound.envelope_from == "<>"
    assert Ticket.objects.count() == tickets_before


def test_given_storage_fails_then_the_sender_gets_a_temporary_failure_451(db, listener, monkeypatch):
    from django.db import OperationalError

    def broken_save(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(InboundMessage, "save", broken_save)
    code, reply = send(listener, corpus_raw("01_plain_new_ticket.eml", 0))
    assert code == 451 and b"try again" in reply
    monkeypatch.undo()
    assert not InboundMessage.objects.exists()


def test_given_a_recipient_of_another_domain_then_relaying_is_refused(listener):
    with smtplib.SMTP(listener.hostname, listener.port, timeout=20) as client:
        client.ehlo("x")
        client.mail("alice@acme.example")
        code, _ = client.rcpt("someone@elsewhere.example")
    assert code == 550


def test_given_a_message_over_the_size_limit_then_smtp_refuses_it_permanently(db, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "MAIL_MAX_BYTES": 2000}
    smtp = controller("127.0.0.1", free_port())
    smtp.start()
    try:
        code, reply = send(smtp, corpus_raw("01_plain_new_ticket.eml", 0) + b"more log lines\r\n" * 200)
        assert code == 552, reply
    finally:
        smtp.stop()
    assert not InboundMessage.objects.exists()


def test_the_listener_module_runs_until_terminated(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "SUPPORTDESK_DATA_DIR": str(tmp_path), "SUPPORTDESK_TESTING": "0",
           "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    process = subprocess.Popen([sys.executable, "-m", "supportdesk.intake.smtp", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    assert client.ehlo()[0] == 250
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "listener did not start"
                time.sleep(0.2)
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0


@pytest.mark.parametrize(("smtp_port", "listen", "expected"), [
    (None, "0.0.0.0:25", ("0.0.0.0", 25)),  # the configured address is honoured by `supportdesk serve`
    (None, "", ("127.0.0.1", 2525)),  # nothing configured: 2525 on the web host
    (2626, "0.0.0.0:25", ("127.0.0.1", 2626)),  # an explicit --smtp-port wins
    (0, "0.0.0.0:25", ("127.0.0.1", 0)),  # 0 turns it off
    (None, ":2600", ("127.0.0.1", 2600)),
    (None, "[::1]:2525", ("::1", 2525)),
])
def test_serve_starts_the_listener_on_the_configured_address(smtp_port, listen, expected):
    from supportdesk.cli import smtp_address

    assert smtp_address("127.0.0.1", smtp_port, listen) == expected


def test_a_malformed_listen_setting_is_a_clear_error():
    import typer

    from supportdesk.cli import smtp_address

    with pytest.raises(typer.Exit) as exited:
        smtp_address("127.0.0.1", None, "localhost")
    assert exited.value.exit_code == 2
