"""R20: the signed phone-system webhook: signatures, window, replays, once-only events in any order."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from supportdesk.factories import ClientFactory, ClientUserFactory
from supportdesk.telephony.models import Call, CallEvent, WebhookReceipt
from supportdesk.telephony.signing import sign
from supportdesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
SECRET = "test-phone-secret"
CALLER = "+14165550123"


@pytest.fixture(autouse=True)
def _secret(settings):  # noqa: ANN001, ANN202
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def known_client():  # noqa: ANN201
    client = ClientFactory(phones=[CALLER])
    ClientUserFactory(client=client, client_role="client_admin")
    return client


def event(kind: str, *, event_id: str | None = None, call_id: str = "call-1", **extra) -> dict:  # noqa: ANN003
    return {"event_id": event_id or f"{call_id}-{kind}", "call_id": call_id, "type": kind,
            "occurred_at": "2026-03-10T15:00:00Z", "from": CALLER, "to": "+18005550000", **extra}


def post(payload: dict | bytes, *, timestamp: int | None = None, secret: str = SECRET, signature: str | None = None):  # noqa: ANN201
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {"X-Supportdesk-Timestamp": str(stamp),
               "X-Supportdesk-Signature": signature or sign(secret, stamp, body)}
    return HttpClient().post("/phone/webhook/", body, content_type="application/json", headers=headers)


def nothing_stored() -> bool:
    return not (Call.objects.exists() or CallEvent.objects.exists() or WebhookReceipt.objects.exists()
                or Ticket.objects.exists())


def test_given_a_signed_ringing_event_from_a_known_number_then_a_phone_ticket_opens(known_client):
    response = post(event("ringing"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processed"
    ticket = Ticket.objects.get()
    assert ticket.client == known_client and ticket.channel == "phone"
    assert response.json()["ticket_id"] == ticket.pk
    opening = ticket.messages.get()
    assert (opening.source_id, opening.channel, opening.from_staff) == ("call:webhook:call-1", "phone", False)


@pytest.mark.parametrize("case", ["bad_signature", "wrong_secret", "too_old", "too_new", "missing", "not_a_number"])
def test_given_a_bad_or_stale_signature_then_the_delivery_is_refused_and_nothing_is_stored(known_client, case):
    now = int(time.time())
    kwargs: dict = {
        "bad_signature": {"signature": "sha256=" + "0" * 64},
        "wrong_secret": {"secret": "another-secret"},
        "too_old": {"timestamp": now - 330},
        "too_new": {"timestamp": now + 330},
        "missing": {"signature": " "},
        "not_a_number": {"signature": "sha256=abc"},
    }[case]
    response = post(event("ringing"), **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("phone.bad_signature", "phone.stale_timestamp")
    assert nothing_stored()


def test_given_a_body_changed_after_signing_then_it_is_refused():
    body = json.dumps(event("ringing")).encode()
    stamp = int(time.time())
    tampered = body.replace(b"ringing", b"answered")
    response = HttpClient().post("/phone/webhook/", tampered, content_type="application/json",
                                 headers={"X-Supportdesk-Timestamp": str(stamp),
                                          "X-Supportdesk-Signature": sign(SECRET, stamp, body)})
    assert response.status_code == 401 and nothing_stored()


def test_given_a_replayed_delivery_then_it_is_refused_and_stores_nothing_more(known_client):
    stamp = int(time.time())
    body = json.dumps(event("ringing")).encode()
    assert post(body, timestamp=stamp).status_code == 200
    counts = (Call.objects.count(), CallEvent.objects.count(), WebhookReceipt.objects.count(), Message.objects.count())
    replay = post(body, timestamp=stamp)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "phone.replayed"
    assert counts == (Call.objects.count(), CallEvent.objects.count(), WebhookReceipt.objects.count(),
                      Message.objects.count())


def test_given_the_same_event_id_resent_with_a_fresh_signature_then_it_is_processed_once(known_client):
    first = post(event("ringing"), timestamp=int(time.time()) - 5)
    again = post(event("ringing"))
    assert (first.json()["status"], again.json()["status"]) == ("processed", "duplicate")
    assert CallEvent.objects.count() == 1 and Ticket.objects.count() == 1


@pytest.mark.parametrize("order", list(itertools.permutations(["ringing", "answered", "ended", "voicemail"]))[::5])
def test_given_events_in_any_order_then_the_call_ends_in_the_same_state_with_one_ticket(known_client, order):
    extra = {"ended": {"duration_seconds": 95},
             "voicemail": {"recording_url": "https://recordings.example.com/rec-1.mp3", "transcript": "Server is down"}}
    for kind in order:
        assert post(event(kind, **extra.get(kind, {}))).status_code == 200
    call = Call.objects.get()
    assert call.state == "voicemail" and call.duration_seconds == 95
    assert call.recording_url == "https://recordings.example.com/rec-1.mp3"
    ticket = Ticket.objects.get()
    voicemails = ticket.messages.filter(source_id="call:webhook:call-1:voicemail")
    assert voicemails.count() == 1 and "rec-1.mp3" in voicemails.get().body and "Server is down" in voicemails.get().body
    assert sorted(ticket.events.filter(kind__startswith="call.").values_list("kind", flat=True)) == sorted(
        f"call.{k}" for k in order)


@pytest.mark.parametrize("url", ["http://127.0.0.1/rec.mp3", "http://10.0.0.5/rec.mp3", "http://169.254.169.254/latest",
                                 "http://[::1]/rec", "file:///etc/passwd", "http://localhost:8000/x"])
def test_given_a_voicemail_link_to_a_private_address_then_it_is_refused_and_nothing_is_stored(known_client, url):
    response = post(event("voicemail", recording_url=url))
    assert response.status_code == 422 and "recording_url" in response.json()["error"]["fields"]
    assert nothing_stored()


def test_given_an_unknown_number_then_the_call_is_kept_without_a_ticket():
    response = post(event("ringing", **{"from": "+15550000000"}))
    assert response.status_code == 200 and response.json()["ticket_id"] is None
    assert Call.objects.get().client is None and not Ticket.objects.exists()


def test_given_a_caller_naming_their_open_ticket_then_the_call_updates_that_ticket(known_client):
    from supportdesk.factories import TicketFactory

    requester = known_client.people.get()
    existing = TicketFactory(requester=requester)
    response = post(event("ringing", ticket_id=existing.pk))
    assert response.json()["ticket_id"] == existing.pk and Ticket.objects.count() == 1
    assert existing.messages.filter(channel="phone").exists()


def test_given_a_persons_own_phone_then_that_person_is_the_requester():
    client = ClientFactory()
    person = ClientUserFactory(client=client, phone="+14165559999")
    post(event("ringing", **{"from": "+1 (416) 555-9999"}))
    assert Ticket.objects.get().requester == person


@pytest.mark.parametrize("payload,code", [
    (b"not json", "phone.bad_payload"),
    ({"event_id": "e", "call_id": "c", "type": "ringing"}, "phone.bad_payload"),
    ({"event_id": "e", "call_id": "c", "type": "ringing", "occurred_at": "2026-03-10T15:00"}, "phone.bad_payload"),
    ({"event_id": "e", "call_id": "c", "type": "exploded", "occurred_at": "2026-03-10T15:00Z"}, "phone.bad_payload"),
])
def test_given_a_signed_but_malformed_payload_then_422_and_nothing_is_stored(payload, code):
    response = post(payload)
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert nothing_stored()


@pytest.mark.parametrize("extra,field", [
    ({"recording_url": "http://[zz/rec.mp3"}, "recording_url"),     # an unclosed IPv6 bracket: urlsplit raises
    ({"recording_url": "http:///rec.mp3"}, "recording_url"),
    ({"duration_seconds": 2**40}, "duration_seconds"),              # more than the column holds (500 on PostgreSQL)
    ({"duration_seconds": 24 * 60 * 60 + 1}, "duration_seconds"),
    ({"from": "+1" + "5" * 40}, "from"),                            # longer than a stored number
    ({"to": "9" * 40}, "to"),
    ({"from": {"number": CALLER}}, "from"),                         # not stored as the text "{'number': ...}"
    ({"transcript": ["Server is down"]}, "transcript"),
    ({"severity": 0}, "severity"),                                  # was silently severity 3
    ({"severity": 9}, "severity"),
])
def test_given_a_signed_event_with_a_malformed_field_then_422_names_the_field_and_nothing_is_stored(known_client, extra, field):
    response = post(event("voicemail", **extra))
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"] and response.json()["error"]["message"]
    assert nothing_stored()


def test_given_the_longest_accepted_values_then_the_event_is_processed(known_client):
    response = post(event("ended", duration_seconds=24 * 60 * 60, severity=1, to="+" + "1" * 31))
    assert response.status_code == 200, response.content
    assert Call.objects.get().duration_seconds == 86400 and Ticket.objects.get().severity == 1


def test_the_webhook_only_accepts_post():
    assert HttpClient().get("/phone/webhook/").status_code == 405


@override_settings()
def test_given_no_secret_configured_then_every_delivery_is_refused(settings):
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": ""}
    assert post(event("ringing"), secret="").status_code == 503 and nothing_stored()


def test_the_window_is_five_minutes_either_side():
    from supportdesk.errors import DomainError
    from supportdesk.telephony.signing import verify

    body = b"{}"
    for offset in (-300, 300):
        assert verify(str(1_000_000 + offset), sign(SECRET, 1_000_000 + offset, body), body, now=1_000_000)
    for offset in (-301, 301):
        with pytest.raises(DomainError) as refused:
            verify(str(1_000_000 + offset), sign(SECRET, 1_000_000 + offset, body), body, now=1_000_000)
        assert refused.value.code == "phone.stale_timestamp"


def test_given_a_voicemail_after_the_calls_ticket_was_closed_then_a_linked_follow_up_keeps_it(known_client):
    # Given a call whose ticket an agent closed before the phone system sent the voicemail
    from supportdesk.factories import StaffFactory
    from supportdesk.tickets import actions as tickets

    assert post(event("ringing")).status_code == 200
    first = Ticket.objects.get()
    tickets.update_ticket(StaffFactory(), first, expected_version=first.version, status="closed")
    # When the voicemail arrives
    response = post(event("voicemail", transcript="Please call me back about the outage"))
    # Then it is accepted and kept on a follow-up ticket linked to the closed one
    assert response.status_code == 200, response.content
    follow_up = Ticket.objects.exclude(pk=first.pk).get()
    assert follow_up.linked_from == first and response.json()["ticket_id"] == follow_up.pk
    assert "Please call me back about the outage" in follow_up.messages.get(source_id__endswith=":voicemail").body
    assert Call.objects.get().ticket == follow_up


def test_given_the_calls_ticket_was_merged_then_later_events_go_to_the_ticket_it_was_merged_into(known_client):
    from supportdesk.factories import StaffFactory, TicketFactory
    from supportdesk.tickets.merges import merge_ticket

    assert post(event("ringing")).status_code == 200
    duplicate = Ticket.objects.get()
    target = TicketFactory(requester=duplicate.requester, subject="Outage, reported by email first")
    merge_ticket(StaffFactory(), duplicate, target)
    assert post(event("voicemail", transcript="It is down again")).status_code == 200
    assert target.messages.filter(body__contains="It is down again").exists()
    assert Call.objects.get().ticket == target
