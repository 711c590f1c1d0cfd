"""Mail-provider inbound webhooks through django-anymail: its signature/basic-auth checks, raw MIME
stored before the 2xx, refused requests store nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from supportdesk.intake.models import InboundMessage, Outcome

from .conftest import corpus_raw

SIGNING_KEY = "mailgun-signing-key-for-tests"
BASIC = "intake:webhook-secret"


@pytest.fixture
def anymail_settings(settings):  # noqa: ANN001, ANN201
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": BASIC}
    return settings


def _auth() -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(BASIC.encode()).decode()}


def _mailgun_form(raw: bytes, key: str = SIGNING_KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature, "body-mime": raw.decode(),
            "sender": "alice@acme.example", "recipient": "support@supportdesk.example"}


def test_given_a_signed_mailgun_post_then_the_raw_mime_is_stored_and_processed(
        mail_world, anymail_settings, client, django_capture_on_commit_callbacks):
    raw = corpus_raw("01_plain_new_ticket.eml", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/intake/webhook/mailgun/", _mailgun_form(raw), **_auth())
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.channel == "webhook" and bytes(inbound.raw) == raw
    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.NEW_TICKET and inbound.ticket.requester == mail_world["alice"]


def test_given_a_bad_mailgun_signature_then_it_is_refused_and_nothing_is_stored(mail_world, anymail_settings, client):
    response = client.post("/intake/webhook/mailgun/", _mailgun_form(corpus_raw("01_plain_new_ticket.eml", 0),
                                                                      key="wrong"), **_auth())
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_given_postmark_with_the_shared_secret_then_its_raw_email_is_stored(mail_world, anymail_settings, client):
    raw = corpus_raw("02_multipart_alternative.eml", 0).decode()
    payload = {"From": "alice@acme.example", "FromFull": {"Email": "alice@acme.example", "Name": ""},
               "To": "support@supportdesk.example", "Subject": "Calendar sync broken", "RawEmail": raw,
               "Headers": [{"Name": "Return-Path", "Value": "<alice@acme.example>"}]}
    response = client.post("/intake/webhook/postmark/", json.dumps(payload), content_type="application/json", **_auth())
    assert response.status_code == 200
    assert bytes(InboundMessage.objects.get().raw) == raw.encode()
    # without the secret: refused, nothing more stored
    refused = client.post("/intake/webhook/postmark/", json.dumps(payload), content_type="application/json")
    assert refused.status_code == 400 and InboundMessage.objects.count() == 1


def test_an_unconfigured_or_unknown_provider_answers_404(mail_world, client, settings):
    settings.ANYMAIL = {}
    assert client.post("/intake/webhook/postmark/", "{}", content_type="application/json").status_code == 404
    assert client.post("/intake/webhook/mailgun/", {}).status_code == 404
    assert client.post("/intake/webhook/nosuch/", {}).status_code == 404


@pytest.mark.parametrize("provider", ["mailgun", "postmark"])
def test_a_provider_post_needs_no_csrf_token(mail_world, anymail_settings, provider):
    # Given the provider's server posts as a real one does: no session, no CSRF cookie or token
    client = Client(enforce_csrf_checks=True)
    raw = corpus_raw("01_plain_new_ticket.eml", 0)
    # When it posts a valid, authenticated inbound message
    if provider == "mailgun":
        response = client.post("/intake/webhook/mailgun/", _mailgun_form(raw), **_auth())
    else:
        payload = {"From": "alice@acme.example", "FromFull": {"Email": "alice@acme.example", "Name": ""},
                   "RawEmail": raw.decode(), "MessageID": "pm-1"}
        response = client.post("/intake/webhook/postmark/", json.dumps(payload), content_type="application/json",
                               **_auth())
    # Then anymail's own checks admit it (not a 403 from the CSRF middleware) and the mail is stored
    assert response.status_code == 200, response.content[:200]
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_without_a_csrf_check_an_unauthenticated_post_is_still_refused(mail_world, anymail_settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/intake/webhook/mailgun/", _mailgun_form(corpus_raw("01_plain_new_ticket.eml", 0)))
    assert response.status_code in (400, 401, 403) and not InboundMessage.objects.exists()


def _mail_of(size: int, message_id: str) -> bytes:
    head = (f"From: alice@acme.example\r\nTo: support@supportdesk.example\r\nSubject: Logs\r\n"
            f"Message-ID: <{message_id}@acme.example>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 logs:\r\n").encode("latin-1")
    return head + b"log line\r\n" * ((size - len(head)) // 10)


def _post_mailgun_bytes(client, raw: bytes):  # noqa: ANN001, ANN202
    """A Mailgun form post whose body-mime field carries the message's bytes as they are (8-bit too)."""
    fields = _mailgun_form(b"")
    boundary = "mailgun-form-boundary"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() +
                    (raw if name == "body-mime" else value.encode()) + b"\r\n" for name, value in fields.items())
    return client.generic("POST", "/intake/webhook/mailgun/", body + f"--{boundary}--\r\n".encode(),
                          content_type=f"multipart/form-data; boundary={boundary}", **_auth())


@pytest.fixture
def small_requests(settings, anymail_settings):  # noqa: ANN001, ANN201
    # Django's general request limit far below the mail limit (as 10 MB is below 30 MB in production)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "MAIL_MAX_BYTES": 200_000, "MAIL_KEEP_HEAD_BYTES": 10_000}
    return settings


@pytest.mark.parametrize("provider", ["mailgun", "postmark"])
def test_a_mail_larger_than_the_general_request_limit_is_stored_byte_for_byte(
        mail_world, small_requests, client, provider):
    # Given a 150 KB mail with 8-bit Latin-1 text: over Django's request limit, under the mail limit
    raw = _mail_of(150_000, f"big-{provider}")
    # When the provider posts it
    if provider == "mailgun":
        response = _post_mailgun_bytes(client, raw)
    else:
        payload = {"From": "alice@acme.example", "RawEmail": raw.decode("latin-1")}
        response = client.post("/intake/webhook/postmark/", json.dumps(payload), content_type="application/json",
                               **_auth())
    # Then it is accepted and stored whole (Mailgun's form field byte for byte)
    assert response.status_code == 200, response.content[:200]
    inbound = InboundMessage.objects.get()
    assert not inbound.truncated and inbound.size > 140_000
    if provider == "mailgun":
        assert bytes(inbound.raw) == raw


def test_over_the_mail_limit_the_head_is_kept_and_far_over_it_the_post_is_refused_with_413(
        mail_world, small_requests, client):
    over = _mail_of(300_000, "over")
    assert _post_mailgun_bytes(client, over).status_code == 200
    kept = InboundMessage.objects.get()
    assert kept.outcome == Outcome.REJECTED_SIZE and kept.size == len(over) and over.startswith(bytes(kept.raw))
    # far over: more than three times the mail limit
    response = _post_mailgun_bytes(client, _mail_of(700_000, "far"))
    assert response.status_code == 413 and InboundMessage.objects.count() == 1
