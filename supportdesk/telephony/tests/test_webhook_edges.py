"""Phone webhook input that used to be stored differently per database or slip past the checks: instants outside
2000–2100 (SQLite overflowed into a plain-text "out of range" answer, PostgreSQL stored year 1), NUL characters
(PostgreSQL refuses them in text and JSON), and recording links to loopback written in the legacy IPv4 forms a
browser still opens (2130706433, 0x7f000001, 0177.0.0.1, 127.1)."""

from __future__ import annotations

import pytest

from supportdesk.factories import ClientFactory, ClientUserFactory
from supportdesk.telephony.models import Call, CallEvent, WebhookReceipt
from supportdesk.tickets.models import Ticket

from .test_phone_webhook import (
    CALLER,
    _secret,  # noqa: F401 - the autouse fixture setting the webhook secret
    event,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_client():  # noqa: ANN201
    client = ClientFactory(phones=[CALLER])
    ClientUserFactory(client=client, client_role="client_admin")
    return client


def _nothing_stored() -> bool:
    return not (Call.objects.exists() or CallEvent.objects.exists() or WebhookReceipt.objects.exists()
                or Ticket.objects.exists())


@pytest.mark.parametrize("extra,field", [
    ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:59-14:00"}, "occurred_at"),
    ({"occurred_at": "1999-12-31T23:59:59Z"}, "occurred_at"),
    ({"event_id": "evt\x00one"}, "event_id"),
    ({"call_id": "call\x00one", "event_id": "evt-1"}, "call_id"),
    ({"to": "\x00"}, "to"),
    ({"transcript": "Hello\x00"}, "transcript"),
    ({"extra": {"note\x00": 1}}, "payload"),
    ({"recording_url": "http://2130706433/rec.mp3"}, "recording_url"),
    ({"recording_url": "http://0x7f000001/rec.mp3"}, "recording_url"),
    ({"recording_url": "http://0177.0.0.1/rec.mp3"}, "recording_url"),
    ({"recording_url": "http://127.1/rec.mp3"}, "recording_url"),
    ({"recording_url": "http://10.1/rec.mp3"}, "recording_url"),
])
def test_given_bad_input_when_posted_then_422_phone_bad_payload_and_nothing_stored(known_client, extra, field):
    response = post(event("voicemail", **extra))

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "phone.bad_payload"
    assert field in response.json()["error"]["fields"]
    assert _nothing_stored()


@pytest.mark.parametrize("url", ["https://recordings.example.com/r/1.mp3", "https://93.184.215.14/r/1.mp3"])
def test_given_a_public_recording_link_then_it_is_kept(known_client, url):
    response = post(event("voicemail", recording_url=url))

    assert response.status_code == 200, response.content
    assert Call.objects.get().recording_url == url
