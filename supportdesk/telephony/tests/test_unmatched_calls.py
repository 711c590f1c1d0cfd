"""Calls from numbers that match no client: listed for staff (API and /phone/unmatched/) and claimed into a
ticket for the client person who called, optionally remembering the number for their client."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from twilio.request_validator import RequestValidator

from supportdesk.accounts.actions import add_client_phone
from supportdesk.accounts.models import AccountEvent, ClientPhone
from supportdesk.factories import PASSWORD, ClientFactory, ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.telephony.models import Call
from supportdesk.telephony.tests.test_phone_webhook import SECRET, event, post
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
UNKNOWN = "+15550001234"
RECORDING = "https://recordings.example.com/rec-7.mp3"


@pytest.fixture(autouse=True)
def _secret(settings):  # noqa: ANN001, ANN202
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "PHONE_WEBHOOK_SECRET": SECRET}


def unknown_call(*kinds: str, call_id: str = "call-9", number: str = UNKNOWN, **extra) -> Call:  # noqa: ANN003
    """A call from the phone system, one signed event per kind; a voicemail carries a recording and transcript."""
    for kind in kinds:
        more = {"recording_url": RECORDING, "transcript": "  Our server is down, call me back.  ",
                "duration_seconds": 42} if kind == "voicemail" else {}
        response = post(event(kind, call_id=call_id, **{"from": number, **more, **extra}))
        assert response.status_code == 200, response.content
    return Call.objects.get(call_id=call_id)


def login(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def claim(http: HttpClient, call: Call, **body):  # noqa: ANN003, ANN201
    return http.post(f"/api/v1/phone/calls/{call.pk}/claim", body, content_type="application/json")


def test_given_an_unknown_numbers_voicemail_when_an_agent_claims_it_then_one_ticket_holds_the_voicemail_and_the_call():
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("ringing", "voicemail")
    assert not Ticket.objects.exists()

    response = claim(login(agent), call, requester_id=person.pk, severity=2)

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert response.json()["ticket_id"] == ticket.pk and response.json()["call"]["ticket_id"] == ticket.pk
    assert (ticket.client, ticket.requester, ticket.severity, ticket.channel) == (person.client, person, 2, "phone")
    assert ticket.subject == f"Phone call from {UNKNOWN}"
    opening = ticket.messages.get(source_id="call:webhook:call-9")
    assert opening.body.startswith(f"{person.display_name} called the support line from {UNKNOWN} (ringing at ")
    voicemail = ticket.messages.get(source_id="call:webhook:call-9:voicemail")
    assert voicemail.body == (f"Voicemail from {UNKNOWN} (42 s).\nRecording: {RECORDING}\n"
                              "Transcript: Our server is down, call me back.")
    assert not voicemail.from_staff and voicemail.channel == "phone"
    call.refresh_from_db()
    assert (call.ticket, call.client, call.person) == (ticket, person.client, person)
    claimed = ticket.events.get(kind="call.claimed")
    assert claimed.actor == agent and claimed.data["by"] == agent.email and claimed.data["call"] == call.pk
    assert not ClientPhone.objects.filter(number=UNKNOWN).exists()


def test_given_an_unknown_numbers_twilio_voicemail_when_claimed_then_the_recording_lands_as_the_automatic_path_writes_it(
        monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_TWILIO_AUTH_TOKEN", "twilio-token")
    params = {"AccountSid": "AC1", "CallSid": "CA9", "From": UNKNOWN, "To": "+18005550000", "RecordingSid": "RE9",
              "RecordingStatus": "completed", "RecordingDuration": "17",
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE9"}
    signature = RequestValidator("twilio-token").compute_signature("http://testserver/phone/twilio/recording/", params)
    assert HttpClient().post("/phone/twilio/recording/", params, headers={"X-Twilio-Signature": signature}).status_code == 200
    agent, person = StaffFactory(), ClientUserFactory()

    response = claim(login(agent), Call.objects.get(), requester_id=person.pk)

    assert response.status_code == 201, response.content
    voicemail = Ticket.objects.get().messages.get(source_id="call:twilio:CA9:voicemail")
    assert voicemail.body == f"Voicemail from {UNKNOWN} (17 s).\nRecording: {params['RecordingUrl']}"


def test_given_a_claimed_call_when_claimed_again_then_409_names_the_ticket_and_nothing_changes():
    agent, person, other = StaffFactory(), ClientUserFactory(), ClientUserFactory()
    call = unknown_call("voicemail")
    first = claim(login(agent), call, requester_id=person.pk)

    again = claim(login(agent), call, requester_id=other.pk)

    ticket_id = first.json()["ticket_id"]
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "phone.call_has_ticket" and f"#{ticket_id}" in again.json()["error"]["message"]
    assert Ticket.objects.count() == 1 and Call.objects.get().person == person


@pytest.mark.parametrize("who", ["client_user", "client_admin", "billing_staff", "anonymous"])
def test_given_someone_who_does_not_work_tickets_then_the_api_and_the_page_refuse_them(who):
    person = ClientUserFactory()
    call = unknown_call("voicemail")
    if who == "anonymous":
        http = HttpClient()
    elif who == "billing_staff":
        http = login(StaffFactory(staff_roles=["billing"]))
    else:
        http = login(ClientUserFactory(client=person.client, client_role=who))

    claimed = claim(http, call, requester_id=person.pk)
    listed = http.get("/api/v1/phone/calls?unmatched=true")
    page = http.get("/phone/unmatched/")
    posted = http.post("/phone/unmatched/", {"call": call.pk, f"call-{call.pk}-requester": person.email,
                                             f"call-{call.pk}-severity": "3"})

    if who == "anonymous":
        assert (claimed.status_code, listed.status_code) == (401, 401)
        assert page.status_code == posted.status_code == 302 and page["Location"].startswith("/login/")
    else:
        assert claimed.status_code == 404 and claimed.json()["error"]["code"] == "not_found"
        assert listed.status_code == 200 and listed.json()["items"] == []
        assert page.status_code == posted.status_code == 404
    assert not Ticket.objects.exists() and Call.objects.get().client is None


def test_given_remember_number_when_claimed_then_the_next_call_from_that_number_opens_a_ticket_by_itself():
    agent, person = StaffFactory(), ClientUserFactory(client_role="client_admin")
    call = unknown_call("ringing")

    response = claim(login(agent), call, requester_id=person.pk, remember_number=True)

    assert response.status_code == 201, response.content
    assert ClientPhone.objects.get(number=UNKNOWN).client == person.client
    assert AccountEvent.objects.filter(client=person.client, kind="client.phone_added", actor=agent).exists()
    assert Ticket.objects.get().events.get(kind="call.claimed").data["remembered_number"] == UNKNOWN
    next_call = unknown_call("ringing", call_id="call-10", number="+1 (555) 000-1234")
    assert next_call.client == person.client and next_call.ticket is not None
    assert Ticket.objects.count() == 2 and next_call.ticket.requester == person


def test_given_a_number_another_client_holds_when_remembering_it_then_409_and_nothing_changes():
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("voicemail")
    holder = ClientFactory(phones=[UNKNOWN])  # the number was given to another client after the call

    response = claim(login(agent), call, requester_id=person.pk, remember_number=True)

    assert response.status_code == 409 and response.json()["error"]["code"] == "client.phone_taken"
    assert not Ticket.objects.exists()
    call.refresh_from_db()
    assert (call.client, call.person, call.ticket) == (None, None, None)
    assert list(ClientPhone.objects.filter(number=UNKNOWN).values_list("client", flat=True)) == [holder.pk]
    assert not AccountEvent.objects.filter(kind="client.phone_added").exists()


def test_given_a_claimed_call_when_its_later_events_arrive_then_they_land_on_its_ticket():
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("ringing")
    ticket_id = claim(login(agent), call, requester_id=person.pk).json()["ticket_id"]

    later = unknown_call("ended", "voicemail")

    assert later.ticket_id == ticket_id and Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert {"call.ended", "call.voicemail"} <= set(ticket.events.values_list("kind", flat=True))
    assert RECORDING in ticket.messages.get(source_id="call:webhook:call-9:voicemail").body


@pytest.mark.parametrize("case,body,status,code", [
    ("staff requester", "staff", 422, "phone.bad_requester"),
    ("inactive requester", "inactive", 422, "phone.bad_requester"),
    ("missing requester", 999_999, 422, "phone.bad_requester"),
    ("severity 4", "severity", 422, "invalid_request"),
    ("outbound call", "outbound", 409, "phone.not_claimable"),
])
def test_given_a_claim_that_cannot_be_made_then_it_is_refused_with_its_code_and_nothing_changes(case, body, status, code):
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("ringing", direction="outbound" if body == "outbound" else "inbound")
    if body == "inactive":
        person.is_active = False
        person.save()
    requester_id = {"staff": agent.pk, "inactive": person.pk}.get(body, body if isinstance(body, int) else person.pk)

    response = claim(login(agent), call, requester_id=requester_id, severity=4 if body == "severity" else 3)

    assert response.status_code == status and response.json()["error"]["code"] == code, response.content
    assert not Ticket.objects.exists() and Call.objects.get().client is None


def test_the_unmatched_list_shows_only_inbound_calls_no_ticket_took_newest_first():
    agent = StaffFactory()
    known = ClientFactory(phones=["+14165550123"])
    ClientUserFactory(client=known)
    matched = unknown_call("ringing", call_id="known", number="+14165550123")
    outbound = unknown_call("ringing", call_id="out", direction="outbound")
    TicketFactory()  # and a call logged by hand on it
    login(agent).post("/api/v1/phone/calls", {"ticket_id": Ticket.objects.exclude(pk=matched.ticket_id).get().pk,
                                              "direction": "inbound", "number": UNKNOWN, "summary": "x"},
                      content_type="application/json")
    older = unknown_call("voicemail", call_id="older")
    newer = unknown_call("ringing", call_id="newer", number="+15550009999")

    listed = login(agent).get("/api/v1/phone/calls?unmatched=true").json()["items"]
    page = login(agent).get("/phone/unmatched/")

    assert [c["id"] for c in listed] == [newer.pk, older.pk]
    assert outbound.ticket is None and Call.objects.filter(provider="manual").count() == 1
    html = page.content.decode()
    assert page.status_code == 200 and html.index("+15550009999") < html.index(UNKNOWN)
    assert f'id="call-{newer.pk}"' in html and f'id="call-{older.pk}"' in html
    assert f'id="call-{matched.pk}"' not in html and f'id="call-{outbound.pk}"' not in html
    assert f'<a href="{RECORDING}" rel="noopener noreferrer">' in html and "Our server is down" in html
    assert 'href="/phone/unmatched/" aria-current="page"' in html  # the staff navigation links here


def test_the_page_claims_a_call_with_errors_in_place_then_redirects_to_the_ticket():
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("voicemail")
    http = login(agent)
    field = f"call-{call.pk}-"

    unknown = http.post("/phone/unmatched/", {"call": call.pk, field + "requester": "nobody@nowhere.example",
                                              field + "severity": "2"})
    ok = http.post("/phone/unmatched/", {"call": call.pk, field + "requester": person.email.upper(),
                                         field + "severity": "2", field + "remember_number": "on"})

    assert unknown.status_code == 200 and b"No active client person has this email address." in unknown.content
    ticket = Ticket.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/console/tickets/{ticket.pk}/"
    assert ticket.requester == person and ticket.severity == 2
    assert ClientPhone.objects.get(number=UNKNOWN).client == person.client
    again = http.post("/phone/unmatched/", {"call": call.pk, field + "requester": person.email, field + "severity": "3"})
    assert again.status_code == 200 and f"already on ticket #{ticket.pk}".encode() in again.content


def test_the_page_shows_25_calls_a_page():
    agent = StaffFactory()
    for n in range(26):
        unknown_call("ringing", call_id=f"call-{n}", number=f"+1555000{n:04d}")
    http = login(agent)

    first, second = http.get("/phone/unmatched/"), http.get("/phone/unmatched/?page=2")

    assert first.content.count(b'<tr id="call-') == 25 and second.content.count(b'<tr id="call-') == 1
    assert b"+15550000000" in second.content  # the oldest comes last


def test_given_a_number_its_client_got_after_the_call_when_remembering_it_then_nothing_more_is_added():
    agent, person = StaffFactory(), ClientUserFactory()
    call = unknown_call("ringing")
    add_client_phone(agent, person.client, "+1 555 000 1234")  # normalised, so it is the calling number

    response = claim(login(agent), call, requester_id=person.pk, remember_number=True)

    assert response.status_code == 201, response.content
    assert ClientPhone.objects.filter(number=UNKNOWN).count() == 1
    assert AccountEvent.objects.filter(kind="client.phone_added").count() == 1


# Found in review ---------------------------------------------------------------------------------------------

def test_given_a_call_claimed_hours_later_then_its_ticket_and_clocks_run_from_when_the_client_called():
    from supportdesk.sla.models import Clock

    call = unknown_call("ringing", "voicemail")
    response = claim(login(StaffFactory()), call, requester_id=ClientUserFactory().pk, severity=1)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    call.refresh_from_db()
    assert ticket.created_at == call.started_at
    assert {c.started_at for c in Clock.objects.filter(ticket=ticket)} <= {call.started_at}


def test_given_a_known_clients_number_with_nobody_to_be_requester_then_the_call_stays_that_clients():
    acme = ClientFactory(name="Acme Law", phones=["+14165550999"])  # nobody at Acme yet
    call = unknown_call("ringing", number="+14165550999")
    assert call.client == acme and call.ticket is None
    other = ClientUserFactory(client=ClientFactory(name="Other Firm"))
    response = claim(login(StaffFactory()), call, requester_id=other.pk)
    assert response.status_code == 422 and response.json()["error"]["code"] == "phone.requester_not_of_client"
    assert "Acme Law" in response.json()["error"]["message"]
    call.refresh_from_db()
    assert (call.client, call.ticket) == (acme, None)
    page = login(StaffFactory()).get("/phone/unmatched/").content.decode()
    assert "a number of Acme Law" in page
