"""Events and webinars (R16): registration by client users, capacity under concurrency, the designated-user
discount while Premium holds, the fee handed to billing, an ICS confirmation, cancellation rules."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from icalendar import Calendar

from supportdesk.accounts.designations import designate
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.billing.models import BillableCharge
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.errors import Invalid
from supportdesk.factories import ClientFactory, ClientUserFactory, premium_client
from supportdesk.learning import actions
from supportdesk.learning.models import Registration
from supportdesk.notifications.models import OutboxItem

from .factories import EventFactory


def _register(http: HttpClient, event) -> object:  # noqa: ANN001
    return http.post(f"/api/v1/learning/events/{event.pk}/registrations")


def test_a_designated_user_of_a_premium_client_pays_half_and_the_fee_reaches_billing(world, as_person):
    event = world["event"]
    response = _register(as_person(world["people"]["designated"]), event)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["fee"], body["discount_percent"], body["list_fee"]) == ("100.00", 50, "200.00")
    charge = BillableCharge.objects.get(source_ref=f"registration:{body['id']}")
    assert (charge.kind, charge.amount, charge.currency, charge.client) == ("event_fee", Decimal("100.00"), "USD", world["own"])


def test_other_client_users_pay_the_full_fee(world, as_person):
    for role in ("client_user", "client_admin", "plain_user"):
        body = _register(as_person(world["people"][role]), world["event"]).json()
        assert (body["fee"], body["discount_percent"]) == ("200.00", 0)
    assert BillableCharge.objects.filter(kind="event_fee").count() == 3


def test_the_confirmation_email_carries_an_ics_invitation(world, as_person):
    event = world["event"]
    _register(as_person(world["people"]["designated"]), event)
    mail = OutboxItem.objects.get(recipient=world["people"]["designated"].email, topic="learning.registration")
    assert event.title in mail.subject and "100.00 USD" in mail.body and "50% off" in mail.body
    [attachment] = mail.attachments
    assert attachment["filename"] == "event.ics" and attachment["content_type"].startswith("text/calendar")
    calendar = Calendar.from_ical(base64.b64decode(attachment["content_b64"]))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.starts_at and vevent.decoded("DTEND") == event.ends_at


def test_a_full_event_refuses_clearly_and_changes_nothing(world, as_person):
    event = world["event"]  # capacity 3
    for role in ("designated", "client_user", "client_admin"):
        assert _register(as_person(world["people"][role]), event).status_code == 201
    counts = (Registration.objects.count(), BillableCharge.objects.count(), OutboxItem.objects.count())
    http = as_person(world["people"]["plain_user"])
    refused = _register(http, event)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "registration.capacity_full"
    assert "all 3 seats are taken" in refused.json()["error"]["message"]
    page = http.post(f"/events/{event.pk}/")
    assert page.status_code == 409 and "all 3 seats are taken" in page.content.decode()
    assert (Registration.objects.count(), BillableCharge.objects.count(), OutboxItem.objects.count()) == counts


def test_staff_do_not_register_and_nobody_registers_twice(world, as_person):
    refused = _register(as_person(world["people"]["agent"]), world["event"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "registration.clients_only"
    http = as_person(world["people"]["client_user"])
    assert _register(http, world["event"]).status_code == 201
    again = _register(http, world["event"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "registration.already_registered"


def test_the_event_page_answers_a_refusal_with_the_apis_status_and_message(world, as_person):
    event = world["event"]
    # Given staff (who do not register) and a client user already registered
    http = as_person(world["people"]["client_user"])
    assert http.post(f"/events/{event.pk}/").status_code == 302
    # When staff press "register" and the client user presses it twice
    staff = as_person(world["people"]["agent"]).post(f"/events/{event.pk}/")
    again = http.post(f"/events/{event.pk}/")
    # Then the page shows the refusal in place with the same status as the API (403, 409)
    assert staff.status_code == 403 and "staff attend without registering" in staff.content.decode()
    assert again.status_code == 409 and "already registered" in again.content.decode()
    assert Registration.objects.filter(event=event).count() == 1

def test_cancelling_before_the_start_frees_the_seat_and_cancels_the_uninvoiced_fee(world, as_person):
    http = as_person(world["people"]["designated"])
    registration = _register(http, world["event"]).json()
    response = http.post(f"/api/v1/learning/registrations/{registration['id']}/cancel")
    assert response.status_code == 200 and response.json()["cancelled_at"]
    assert BillableCharge.objects.get(source_ref=f"registration:{registration['id']}").cancelled_at is not None
    assert OutboxItem.objects.filter(subject__startswith="Registration cancelled").count() == 1
    assert _register(http, world["event"]).status_code == 201  # the seat is free again


def test_no_registration_or_cancellation_once_the_event_has_started(world):
    person = world["people"]["client_user"]
    registration = actions.register(person, world["event"])
    started = world["event"].starts_at + timedelta(minutes=1)
    with pytest.raises(Invalid) as refused:
        actions.cancel_registration(person, registration, at=started)
    assert refused.value.code == "registration.event_started"
    with pytest.raises(Invalid) as closed:
        actions.register(world["people"]["client_admin"], world["event"], at=started)
    assert closed.value.code == "registration.event_started"
    registration.refresh_from_db()
    assert registration.cancelled_at is None


def test_the_discount_follows_premium_on_the_registration_date(db):
    client = ClientFactory()
    form = record_order(None, client=client, number="SOF-EV-1", kind="form", signed_on=date(2026, 1, 1),
                        effective_from=date(2026, 1, 1), lines=[LineInput(offering="premium")])
    record_order(None, client=client, number="ADD-EV-1", kind="addendum", signed_on=date(2027, 1, 1),
                 effective_from=date(2027, 3, 1), amends=form,
                 lines=[LineInput(action="end", target_line=form.lines.get().pk)])
    person = ClientUserFactory(client=client)
    designate(None, client=client, user=person)
    event = EventFactory(starts_at=datetime(2027, 6, 1, 15, 0, tzinfo=ZoneInfo("UTC")))
    zone = ZoneInfo(client.timezone)
    before = actions.register(person, event, at=datetime(2027, 2, 28, 12, 0, tzinfo=zone))
    assert (before.fee, before.discount_percent) == (Decimal("100.00"), 50)
    actions.cancel_registration(person, before, at=datetime(2027, 2, 28, 13, 0, tzinfo=zone))
    after = actions.register(person, event, at=datetime(2027, 3, 1, 12, 0, tzinfo=zone))
    assert (after.fee, after.discount_percent) == (Decimal("200.00"), 0)


def test_event_times_need_an_offset_and_a_known_zone(world, as_person):
    http = as_person(world["people"]["manager"])
    payload = {"title": "Roadmap", "starts_at": "2027-01-10T15:00:00", "ends_at": "2027-01-10T16:00:00",
               "timezone": "America/Toronto", "capacity": 10, "fee": "50.00", "currency": "USD"}
    naive = http.post("/api/v1/learning/events", payload, content_type="application/json")
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "event.bad_times"
    zone = http.post("/api/v1/learning/events", {**payload, "starts_at": "2027-01-10T15:00:00-05:00",
                                                  "ends_at": "2027-01-10T16:00:00-05:00", "timezone": "Mars/Base"},
                     content_type="application/json")
    assert zone.status_code == 422 and zone.json()["error"]["code"] == "client.unknown_zone"
    ok = http.post("/api/v1/learning/events", {**payload, "starts_at": "2027-01-10T15:00:00-05:00",
                                                "ends_at": "2027-01-10T16:00:00-05:00"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["starts_at"].startswith("2027-01-10T20:00:00")
    page = http.post("/events/", {"title": "Onsite day", "kind": "event", "starts_at": "2027-02-01T09:00",
                                  "ends_at": "2027-02-01T17:00", "timezone": "Europe/Paris", "capacity": 20,
                                  "fee": "0", "currency": "EUR"})
    assert page.status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_5_seats_when_20_client_users_register_at_once_then_exactly_5_get_a_seat(tmp_path):
    client = premium_client()
    people = [ClientUserFactory(client=client) for _ in range(20)]
    event = EventFactory(capacity=5, starts_at=timezone.now() + timedelta(days=5))
    with shared_file_database(tmp_path):
        def sign_in(i: int) -> HttpClient:
            http = HttpClient()
            http.force_login(people[i])
            return http

        run = run_concurrently(20, sign_in, lambda i, http: _register(http, event))
        assert not run.errors, run.errors
        assert run.peak_in_flight > 1 and len(run.backends) == 20
        statuses = sorted(r.status_code for r in run.results)
        assert statuses == [201] * 5 + [409] * 15, [r.content for r in run.results]
        assert {r.json()["error"]["code"] for r in run.results if r.status_code == 409} == {"registration.capacity_full"}
        active = Registration.objects.filter(event=event, cancelled_at__isnull=True)
        assert sorted(active.values_list("seat", flat=True)) == [1, 2, 3, 4, 5]
        assert BillableCharge.objects.filter(kind="event_fee").count() == 5
        assert OutboxItem.objects.filter(topic="learning.registration").count() == 5


def _event_form(**times: str) -> dict[str, str]:
    return {"title": "Spring webinar", "kind": "webinar", "timezone": "America/Toronto", "capacity": "10", "fee": "0",
            "currency": "USD", "location": "", "description": "", **times}


def test_the_staff_form_reads_local_times_across_dst_and_refuses_a_skipped_hour(world, as_person):
    from supportdesk.learning.models import Event

    http = as_person(world["people"]["manager"])
    # Given local times in Toronto on the day the clocks spring forward (02:00 -> 03:00 on 2030-03-10)
    # When the manager creates an event at 02:30, an hour that does not exist there
    refused = http.post("/events/", _event_form(starts_at="2030-03-10T02:30", ends_at="2030-03-10T04:00"))
    # Then the form refuses it in place, saying why, and no event is created
    assert refused.status_code == 200 and "does not exist in America/Toronto" in refused.content.decode()
    assert not Event.objects.filter(title="Spring webinar").exists()
    # And times on either side of the change are read in the offset in force then
    created = http.post("/events/", _event_form(starts_at="2030-03-10T01:30", ends_at="2030-03-10T03:30"))
    assert created.status_code == 302
    event = Event.objects.get(title="Spring webinar")
    assert (event.starts_at, event.ends_at) == (datetime(2030, 3, 10, 6, 30, tzinfo=ZoneInfo("UTC")),
                                                datetime(2030, 3, 10, 7, 30, tzinfo=ZoneInfo("UTC")))


def test_the_staff_form_reads_times_in_the_events_zone_not_the_servers(world, as_person):
    from supportdesk.learning.models import Event

    # Given the vendor's server zone is Toronto, whose clocks skip 02:00-03:00 on 2030-03-10
    # When the manager creates a London event at 02:30 that day (an ordinary hour in London)
    created = as_person(world["people"]["manager"]).post("/events/", _event_form(
        timezone="Europe/London", starts_at="2030-03-10T02:30", ends_at="2030-03-10T03:30"))
    # Then it is created at 02:30 London time (GMT, UTC+0)
    assert created.status_code == 302, created.content.decode()[-2000:]
    event = Event.objects.get(title="Spring webinar")
    assert event.starts_at == datetime(2030, 3, 10, 2, 30, tzinfo=ZoneInfo("UTC"))


def test_given_a_start_in_the_past_when_an_event_is_created_then_it_is_refused_and_nothing_is_created(
        world, as_person):
    from supportdesk.learning.models import Event

    # Given a manager and a start an hour ago
    start = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    body = {"title": "Yesterday's news", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 5, "fee": "10.00"}
    # When the event is created through the API
    response = as_person(world["people"]["manager"]).post("/api/v1/learning/events", body, content_type="application/json")
    # Then it is refused like a move into the past (registration would be closed from the start)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "event.bad_times"
    assert response.json()["error"]["fields"] == {"starts_at": "in the past"}
    assert not Event.objects.filter(title="Yesterday's news").exists()
