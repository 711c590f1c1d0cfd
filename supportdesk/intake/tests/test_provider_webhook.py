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
