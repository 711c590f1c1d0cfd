"""Twilio callbacks as Twilio sends them (signed with the official RequestValidator), TwiML answers,
and calls logged by hand (a logged outbound call is the initial response)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient
from twilio.request_validator import RequestValidator

from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.oncall import actions as oncall
from supportdesk.oncall.tests.factories import client_24x7, client_standard
from supportdesk.telephony.models import Call
from supportdesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
TOKEN = "twilio-test-auth-token"
VOICE = "http://testserver/phone/twilio/voice/"
RECORDING = "http://testserver/phone/twilio/recording/"
BUSINESS = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)   # Tuesday 11:00 Toronto
NIGHT = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)       # Tuesday 23:00 Toronto


@pytest.fixture(autouse=True)
def _token(monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setenv("SUPPORTDESK_TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("SUPPORTDESK_PHONE_FORWARD_TO", raising=False)


def twilio_post(url: str, params: dict, *, token: str = TOKEN):  # noqa: ANN201
    signature = RequestValidator(token).compute_signature(url, params)
    return HttpClient().post(url.removeprefix("http://testserver"), params, headers={"X-Twilio-Signature": signature})


def verbs(response) -> list[str]:  # noqa: ANN001
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return [child.tag for child in root]


def incoming(number: str, sid: str = "CA0001", status: str = "ringing") -> dict:
    return {"AccountSid": "AC123", "CallSid": sid, "From": number, "To": "+18005550000", "CallStatus": status,
            "Direction": "inbound"}


def test_given_an_unsigned_or_wrongly_signed_callback_then_it_is_refused_and_nothing_is_stored():
    params = incoming("+14165550123")
    assert HttpClient().post("/phone/twilio/voice/", params).status_code == 403
    assert twilio_post(VOICE, params, token="another-token").status_code == 403
    tampered = RequestValidator(TOKEN).compute_signature(VOICE, params)
    response = HttpClient().post("/phone/twilio/voice/", {**params, "From": "+15550001111"},
                                 headers={"X-Twilio-Signature": tampered})
    assert response.status_code == 403 and not Call.objects.exists()


def test_given_no_auth_token_configured_then_callbacks_are_refused(monkeypatch):
    monkeypatch.delenv("SUPPORTDESK_TWILIO_AUTH_TOKEN")
    assert twilio_post(VOICE, incoming("+14165550123")).status_code == 503 and not Call.objects.exists()


def test_given_a_24x7_client_calling_at_night_then_twilio_dials_the_engineer_on_call():
    client = client_24x7(phones=["+14165550123"])
    ClientUserFactory(client=client)
    engineer = StaffFactory(phone="+14165557777")
    oncall.add_shift(None, staff=engineer, weekday=1, start="17:00", end="09:00")
    with time_machine.travel(NIGHT, tick=False):
        response = twilio_post(VOICE, incoming("+14165550123"))
    assert response.status_code == 200
    assert verbs(response)[:2] == ["Say", "Dial"]
    assert ET.fromstring(response.content).find("Dial").text == "+14165557777"
    call = Call.objects.get()
    assert call.provider == "twilio" and call.client == client and call.ticket.channel == "phone"


@pytest.mark.parametrize("who", ["standard_client_at_night", "not_entitled_in_hours", "unknown_number"])
def test_given_no_live_answer_then_twilio_gets_a_greeting_and_a_voicemail_record(who):
    if who == "unknown_number":
        number, when = "+15550001111", BUSINESS
    else:
        client = client_standard(phones=["+14165550123"])
        ClientUserFactory(client=client)
        number, when = "+14165550123", NIGHT if who == "standard_client_at_night" else BUSINESS
    with time_machine.travel(when, tick=False):
        response = twilio_post(VOICE, incoming(number))
    tags = verbs(response)
    assert tags[0] == "Say" and "Record" in tags
    record = ET.fromstring(response.content).find("Record")
    assert record.get("action") == "/phone/twilio/recording/" and record.get("recordingStatusCallback")
    if who == "not_entitled_in_hours":
        assert b"does not include the phone line" in response.content and b"/portal/" in response.content


def test_given_a_completed_recording_then_the_voicemail_lands_once_on_the_calls_ticket():
    client = client_24x7(phones=["+14165550123"])
    ClientUserFactory(client=client)
    with time_machine.travel(NIGHT, tick=False):
        twilio_post(VOICE, incoming("+14165550123"))
    params = {"AccountSid": "AC123", "CallSid": "CA0001", "RecordingSid": "RE0001", "RecordingStatus": "completed",
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC123/Recordings/RE0001",
              "RecordingDuration": "42"}
    first = twilio_post(RECORDING, params)
    again = twilio_post(RECORDING, params)   # the <Record action> and the status callback both report it
    assert first.status_code == again.status_code == 200
    assert verbs(first) == ["Say", "Hangup"]
    ticket = Ticket.objects.get()
    voicemail = ticket.messages.get(source_id="call:twilio:CA0001:voicemail")
    assert "Recordings/RE0001" in voicemail.body
    completed = twilio_post(VOICE, {**incoming("+14165550123", status="completed"), "CallDuration": "60"})
    assert verbs(completed) == []
    assert Call.objects.get().state == "voicemail" and Call.objects.get().duration_seconds == 60


def login(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def test_given_an_agent_logs_an_outbound_call_then_it_is_a_staff_response_on_the_ticket():
    agent = StaffFactory()
    ticket = TicketFactory()
    response = login(agent).post("/api/v1/phone/calls", {"ticket_id": ticket.pk, "direction": "outbound",
                                                         "outcome": "connected", "number": "+14165550123",
                                                         "duration_minutes": 12, "summary": "Walked through restore"},
                                 content_type="application/json")
    assert response.status_code == 201, response.content
    message = Message.objects.get(ticket=ticket, kind="call")
    assert message.from_staff and message.channel == "phone" and "Walked through restore" in message.body
    ticket.refresh_from_db()
    assert ticket.status == "open"   # the first staff response moves a new ticket to open
    assert ticket.events.filter(kind="message.call").exists()


def test_given_an_unanswered_attempt_then_it_is_kept_as_an_internal_note():
    agent, ticket = StaffFactory(), TicketFactory()
    login(agent).post("/api/v1/phone/calls", {"ticket_id": ticket.pk, "outcome": "no_answer", "summary": "Rang out"},
                      content_type="application/json")
    assert Message.objects.get(ticket=ticket, source_id__startswith="call:manual:").kind == "internal"
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_call_logging_authorization_clients_cannot_log_or_list_and_bad_input_is_422():
    agent, ticket = StaffFactory(), TicketFactory()
    requester = ticket.requester
    body = {"ticket_id": ticket.pk, "summary": "x"}
    as_client = login(requester).post("/api/v1/phone/calls", body, content_type="application/json")
    assert as_client.status_code == 404
    assert login(requester).get("/api/v1/phone/calls").json()["items"] == []
    assert HttpClient().post("/api/v1/phone/calls", body, content_type="application/json").status_code == 401
    bad = login(agent).post("/api/v1/phone/calls", {**body, "outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "phone.bad_outcome"
    missing = login(agent).post("/api/v1/phone/calls", {**body, "ticket_id": 999999}, content_type="application/json")
    assert missing.status_code == 404
    too_long = login(agent).post("/api/v1/phone/calls", {**body, "number": "+1" + "4" * 40}, content_type="application/json")
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "phone.bad_number"
    assert not ticket.calls.exists()


def test_given_a_logged_call_summary_with_a_nul_character_then_it_is_kept_without_it_on_every_database():
    # Given an agent and a ticket; when a call is logged through the API with a summary pasted with a NUL
    agent, ticket = StaffFactory(), TicketFactory()
    logged = login(agent).post("/api/v1/phone/calls", {"ticket_id": ticket.pk, "summary": "Restarted\x00 the server"},
                               content_type="application/json")
    # Then it is logged (SQLite stored the NUL, PostgreSQL refused the call) with the summary without it
    assert logged.status_code == 201, logged.content
    assert logged.json()["summary"] == "Restarted the server"


def test_call_log_page_for_staff_only_with_errors_in_place():
    agent, ticket = StaffFactory(), TicketFactory()
    assert login(ticket.requester).get(f"/phone/log/{ticket.pk}/").status_code == 404
    assert HttpClient().get(f"/phone/log/{ticket.pk}/").status_code == 302
    http = login(agent)
    assert http.get(f"/phone/log/{ticket.pk}/").status_code == 200
    bad = http.post(f"/phone/log/{ticket.pk}/", {"direction": "outbound", "outcome": "connected", "number": "call me",
                                                 "summary": "hello"})
    assert bad.status_code == 200 and b"needs digits" in bad.content
    ok = http.post(f"/phone/log/{ticket.pk}/", {"direction": "outbound", "outcome": "connected", "number": "+14165550123",
                                                "summary": "Called back"})
    assert ok.status_code == 302 and ok["Location"] == f"/console/tickets/{ticket.pk}/"


def test_given_signed_callbacks_with_odd_values_then_they_are_processed_not_500():
    client = client_24x7(phones=["+14165550123"])
    ClientUserFactory(client=client)
    assert twilio_post(VOICE, incoming("+14165550123")).status_code == 200
    # RFC 2822 "-0000" parses to a naive time; it used to be compared with aware ones (TypeError, 500).
    answered = twilio_post(VOICE, {**incoming("+14165550123", status="in-progress"),
                                   "Timestamp": "Tue, 10 Mar 2026 15:00:00 -0000"})
    assert answered.status_code == 200
    assert Call.objects.get().answered_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    # "²".isdigit() is true but int("²") raised ValueError (500): a duration that is not ASCII digits is ignored.
    ended = twilio_post(VOICE, {**incoming("+14165550123", status="completed"), "CallDuration": "\u00b2"})
    assert ended.status_code == 200 and Call.objects.get().duration_seconds is None


@pytest.mark.parametrize("params", [{"CallSid": "CA" + "0" * 120}, {"From": "+1" + "5" * 40}])
def test_given_a_signed_callback_with_values_longer_than_a_call_holds_then_422_and_nothing_is_stored(params):
    response = twilio_post(VOICE, {**incoming("+14165550123"), **params})
    assert response.status_code == 422 and response.content
    assert not Call.objects.exists() and not Ticket.objects.exists()


def test_given_a_logged_outbound_call_first_then_it_stops_the_initial_response_clock_and_no_answer_does_not():
    from supportdesk.sla.models import Clock

    agent, ticket = StaffFactory(), TicketFactory()
    clock = Clock.objects.get(ticket=ticket, metric="initial_response")
    login(agent).post("/api/v1/phone/calls", {"ticket_id": ticket.pk, "outcome": "no_answer", "summary": "Rang out"},
                      content_type="application/json")
    clock.refresh_from_db()
    assert clock.stopped_at is None
    login(agent).post("/api/v1/phone/calls", {"ticket_id": ticket.pk, "outcome": "connected", "summary": "Spoke"},
                      content_type="application/json")
    clock.refresh_from_db()
    call = Message.objects.get(ticket=ticket, kind="call")
    assert clock.stopped_at == call.created_at


def test_the_call_log_page_lists_every_call_of_the_ticket_20_at_a_time():
    # Given a ticket with 21 calls, the newest last
    agent, ticket = StaffFactory(), TicketFactory()
    start = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    Call.objects.bulk_create([Call(provider="manual", call_id=f"c{n}", ticket=ticket, from_number=f"+1416555{n:04d}",
                                   created_at=start.replace(minute=n)) for n in range(21)])
    http = login(agent)
    # When an agent opens the log-call page, then its second page
    first, second = (http.get(f"/phone/log/{ticket.pk}/", {"calls_page": page}) for page in (1, 2))
    # Then the first page holds the 20 newest calls, the second the oldest one, and the pager says how many there are
    assert b"+14165550020" in first.content and b"+14165550001" in first.content
    assert b"+14165550000" not in first.content and b"21 calls" in first.content
    assert b"+14165550000" in second.content and b"+14165550001" not in second.content


@pytest.mark.parametrize("field", ["ticket_id", "duration_minutes"])
def test_given_json_true_for_a_logged_call_number_then_422_on_that_field_not_read_as_1(field):
    # Given an agent and a ticket; when a call is logged with true where a number belongs
    agent, ticket = StaffFactory(), TicketFactory()
    body = {"ticket_id": ticket.pk, "summary": "Called back", "duration_minutes": 5} | {field: True}
    answer = login(agent).post("/api/v1/phone/calls", body, content_type="application/json")
    # Then it is refused on that field, and nothing is logged
    assert answer.status_code == 422, answer.content
    assert field in str(answer.json()["error"]["fields"])
    assert not ticket.calls.exists()
