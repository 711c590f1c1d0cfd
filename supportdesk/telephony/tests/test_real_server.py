"""The phone webhook and a Twilio callback over real HTTP against uvicorn serving supportdesk.asgi."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from twilio.request_validator import RequestValidator

from supportdesk.factories import ClientFactory, ClientUserFactory
from supportdesk.telephony.models import Call, CallEvent
from supportdesk.telephony.signing import sign
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_signed_webhook_over_http_opens_once_and_refuses_the_replay(live_asgi, settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": "live-secret"}
    client = ClientFactory(phones=["+14165550123"])
    ClientUserFactory(client=client)
    body = json.dumps({"event_id": "ev-1", "call_id": "c-1", "type": "ringing", "occurred_at": "2026-03-10T15:00:00Z",
                       "from": "+14165550123"}).encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Supportdesk-Timestamp": stamp,
               "X-Supportdesk-Signature": sign("live-secret", stamp, body)}
    url = f"{live_asgi.http_url}/phone/webhook/"
    first = httpx.post(url, content=body, headers=headers, timeout=10)
    replay = httpx.post(url, content=body, headers=headers, timeout=10)
    forged = httpx.post(url, content=body, headers={**headers, "X-Supportdesk-Signature": "sha256=" + "f" * 64}, timeout=10)
    assert (first.status_code, replay.status_code, forged.status_code) == (200, 409, 401)
    assert Ticket.objects.get().channel == "phone" and CallEvent.objects.count() == 1


def test_twilio_voice_callback_over_http_answers_twiml(live_asgi, monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_TWILIO_AUTH_TOKEN", "live-token")
    url = f"{live_asgi.http_url}/phone/twilio/voice/"
    params = {"CallSid": "CA-live", "From": "+15550001111", "To": "+18005550000", "CallStatus": "ringing"}
    signature = RequestValidator("live-token").compute_signature(url, params)
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert response.status_code == 200
    assert [c.tag for c in ET.fromstring(response.text)][:2] == ["Say", "Record"]
    bad = httpx.post(url, data=params, headers={"X-Twilio-Signature": "bm90IGl0"}, timeout=10)
    assert bad.status_code == 403 and Call.objects.count() == 1
