"""Managers change and cancel events (R16, where the spec is silent): registrants are told with a calendar
update or cancellation, seats keep their fee, and a cancelled event's fees are dropped or credited."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from icalendar import Calendar

from supportdesk.billing import actions as billing
from supportdesk.billing.models import BillableCharge, ClientCredit
from supportdesk.errors import Conflict, Forbidden, Invalid
from supportdesk.learning import actions
from supportdesk.learning.models import Event, LearningEvent, Registration
from supportdesk.notifications.models import OutboxItem

from .factories import EventFactory


def _ics(mail: OutboxItem) -> tuple[str, object]:
    [attachment] = mail.attachments
    calendar = Calendar.from_ical(base64.b64decode(attachment["content_b64"]))
    [vevent] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), vevent


def _registered(world, *roles: str) -> list[Registration]:  # noqa: ANN001
    return [actions.register(world["people"][role], world["event"]) for role in roles]


# Changing ----------------------------------------------------------------------------------------------------

def test_moving_an_event_sends_each_registrant_an_update_with_the_same_uid_and_a_higher_sequence(world):
    # Given two registrants, each with a confirmation invitation
    first, second = _registered(world, "designated", "client_user")
    event = world["event"]
    _, confirmed = _ics(OutboxItem.objects.get(recipient=first.user.email, topic="learning.registration"))
    # When a manager moves the event by a day
    new_start = event.starts_at + timedelta(days=1)
    actions.change_event(world["people"]["manager"], event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    # Then each registrant is sent the change with an invitation that replaces the first
    for registration in (first, second):
        mail = OutboxItem.objects.get(recipient=registration.user.email, topic="learning.event_changed")
        assert mail.subject == f"Changed: {event.title}" and "start, end" in mail.body
        method, vevent = _ics(mail)
        assert method == "REQUEST"
        assert vevent.decoded("DTSTART") == new_start and vevent.decoded("DTEND") == new_start + timedelta(hours=2)
    update = OutboxItem.objects.get(recipient=first.user.email, topic="learning.event_changed")
    method, updated = _ics(update)
    assert str(updated["UID"]) == str(confirmed["UID"]) and updated["SEQUENCE"] > confirmed["SEQUENCE"]
    # iTIP: an update names its organizer and the attendee; iMIP: the part says its method
    assert str(updated["ORGANIZER"]).startswith("mailto:") and str(updated["ATTENDEE"]) == f"mailto:{first.user.email}"
    assert update.attachments[0]["content_type"] == "text/calendar; method=REQUEST"
    # And the change is in the history with what it was before
    change = LearningEvent.objects.get(kind="event.changed")
    assert change.data["before"]["starts_at"] == str(event.starts_at) and change.data["registrants_told"] == 2


def test_a_fee_change_applies_to_new_seats_only_and_tells_nobody(world):
    # Given a seat taken at 200.00
    [taken] = _registered(world, "client_user")
    # When the manager lowers the fee
    actions.change_event(world["people"]["manager"], world["event"], fee="150.00")
    # Then the seat keeps its fee, a new seat pays the new fee, and no calendar update went out
    taken.refresh_from_db()
    assert taken.fee == Decimal("200.00")
    assert actions.register(world["people"]["plain_user"], world["event"]).fee == Decimal("150.00")
    assert not OutboxItem.objects.filter(topic="learning.event_changed").exists()


def test_the_capacity_cannot_go_below_the_seats_taken(world):
    _registered(world, "designated", "client_user")
    with pytest.raises(Conflict) as refused:
        actions.change_event(world["people"]["manager"], world["event"], capacity=1)
    assert refused.value.code == "event.capacity_below_registrations" and "2 seats are taken" in refused.value.message
    assert actions.change_event(world["people"]["manager"], world["event"], capacity=2).capacity == 2


@pytest.mark.parametrize("changes, field", [
    ({"ends_at": "start"}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"fee": "-1"}, "fee"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"title": "  "}, "title"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_change_is_refused_naming_the_field_and_changes_nothing(world, changes, field):
    event = world["event"]
    if changes.get("ends_at") == "start":
        changes = {"ends_at": event.starts_at}
    with pytest.raises(Invalid) as refused:
        actions.change_event(world["people"]["manager"], event, **changes)
    assert field in (refused.value.fields or {}) or field in refused.value.message
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.capacity, fresh.fee, fresh.ends_at, fresh.sequence) == (event.capacity, event.fee, event.ends_at, 0)


def test_only_managers_change_or_cancel_events(world):
    for role in ("agent", "tam", "billing", "client_admin", "designated"):
        with pytest.raises(Forbidden):
            actions.change_event(world["people"][role], world["event"], title="Mine now")
        with pytest.raises(Forbidden):
            actions.cancel_event(world["people"][role], world["event"], reason="Because")


def test_an_event_that_has_started_is_neither_changed_nor_cancelled(world):
    started = EventFactory(starts_at=timezone.now() + timedelta(seconds=1))
    Event.objects.filter(pk=started.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    started.refresh_from_db()
    with pytest.raises(Invalid) as refused:
        actions.change_event(world["people"]["manager"], started, title="Renamed")
    assert refused.value.code == "event.started"
    with pytest.raises(Invalid):
        actions.cancel_event(world["people"]["manager"], started, reason="Too late")


# Cancelling --------------------------------------------------------------------------------------------------

def test_cancelling_an_event_cancels_every_seat_drops_uninvoiced_fees_and_tells_each_registrant(world):
    # Given two paid seats not yet invoiced
    first, second = _registered(world, "designated", "client_user")
    # When a manager cancels the event
    event = actions.cancel_event(world["people"]["manager"], world["event"], reason="The speaker is ill")
    # Then the event and both seats are cancelled and no fee will be invoiced
    assert event.is_cancelled and event.cancellation_reason == "The speaker is ill"
    assert not Registration.objects.filter(event=event, cancelled_at__isnull=True).exists()
    assert not BillableCharge.objects.filter(source_ref__startswith="registration:", cancelled_at__isnull=True).exists()
    # And each registrant is told why, with a calendar cancellation of the same invitation
    for registration in (first, second):
        mail = OutboxItem.objects.get(recipient=registration.user.email, topic="learning.event_cancelled")
        assert "The speaker is ill" in mail.body and "will not be invoiced" in mail.body
        method, vevent = _ics(mail)
        assert method == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED"
        assert mail.attachments[0]["content_type"] == "text/calendar; method=CANCEL"
        assert str(vevent["ATTENDEE"]) == f"mailto:{registration.user.email}" and "ORGANIZER" in vevent
        assert str(vevent["UID"]) == f"registration-{registration.pk}@" + str(vevent["UID"]).split("@")[1]


def test_a_fee_already_invoiced_becomes_a_credit_on_the_next_invoice(world):
    # Given a paid seat whose fee is on an issued invoice
    [seat] = _registered(world, "client_user")
    billing.issue_month(None, timezone.localdate().replace(day=1).isoformat()[:7])
    charge = BillableCharge.objects.get(source_ref=f"registration:{seat.pk}")
    assert charge.invoice_line is not None
    # When the event is cancelled
    actions.cancel_event(world["people"]["manager"], world["event"], reason="Venue closed")
    # Then the client holds a credit of that fee for its next invoice, and the registrant is told so
    [credit] = ClientCredit.objects.filter(client=world["own"])
    assert (credit.amount, credit.currency, credit.invoice_line) == (Decimal("200.00"), "USD", None)
    assert world["event"].title in credit.description
    mail = OutboxItem.objects.get(recipient=seat.user.email, topic="learning.event_cancelled")
    assert "next invoice deducts it as a credit" in mail.body


def test_a_cancelled_event_takes_no_registrations_and_cannot_be_cancelled_twice(world):
    actions.cancel_event(world["people"]["manager"], world["event"], reason="Merged into the spring event")
    event = Event.objects.get(pk=world["event"].pk)
    with pytest.raises(Conflict) as refused:
        actions.register(world["people"]["client_user"], event)
    assert refused.value.code == "event.cancelled" and "Merged into the spring event" in refused.value.message
    with pytest.raises(Conflict):
        actions.cancel_event(world["people"]["manager"], event, reason="Again")
    with pytest.raises(Conflict):
        actions.change_event(world["people"]["manager"], event, title="Back on")


def test_a_cancellation_needs_a_reason(world):
    with pytest.raises(Invalid) as refused:
        actions.cancel_event(world["people"]["manager"], world["event"], reason="   ")
    assert "reason" in refused.value.fields
    assert not Event.objects.get(pk=world["event"].pk).is_cancelled


# Through the API and the page ---------------------------------------------------------------------------------

def test_the_api_changes_and_cancels_an_event(world, as_person):
    http = as_person(world["people"]["manager"])
    event = world["event"]
    changed = http.patch(f"/api/v1/learning/events/{event.pk}", {"title": "Matter templates, part 2"},
                         content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Matter templates, part 2" and changed.json()["cancelled_at"] is None
    too_small = http.patch(f"/api/v1/learning/events/{event.pk}", {"capacity": 0}, content_type="application/json")
    assert too_small.status_code == 422 and too_small.json()["error"]["code"] == "event.bad_capacity"
    cancelled = http.post(f"/api/v1/learning/events/{event.pk}/cancel", {"reason": "Rescheduled to spring"},
                          content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["cancellation_reason"] == "Rescheduled to spring"
    again = http.post(f"/api/v1/learning/events/{event.pk}/cancel", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "event.cancelled"


def test_a_client_cannot_change_an_event_through_the_api(world, as_person):
    http = as_person(world["people"]["client_admin"])
    response = http.patch(f"/api/v1/learning/events/{world['event'].pk}", {"title": "Ours"},
                          content_type="application/json")
    assert response.status_code == 403
    assert Event.objects.get(pk=world["event"].pk).title == world["event"].title


def test_the_manager_page_edits_in_the_events_zone_and_cancels(world, as_person):
    http = as_person(world["people"]["manager"])
    event = world["event"]
    page = http.get(f"/events/{event.pk}/").content.decode()
    assert page.count("Change this webinar") == 1 and page.count("Cancel the webinar") == 1
    title = page[page.index("<title>"):page.index("</title>")]
    assert title == f"<title>{event.title.replace(chr(39), '&#x27;')} · supportdesk"  # the forms are in the page, not its title
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto"))
    form = {"action": "change", "title": "Renamed webinar", "kind": "webinar", "timezone": "America/Toronto",
            "starts_at": f"{local:%Y-%m-%dT%H:%M}", "ends_at": f"{local + timedelta(hours=3):%Y-%m-%dT%H:%M}",
            "capacity": "5", "fee": "200.00", "currency": "USD", "location": "Room 4", "description": ""}
    assert http.post(f"/events/{event.pk}/", form).status_code == 302
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.title, fresh.capacity, fresh.ends_at - fresh.starts_at) == ("Renamed webinar", 5, timedelta(hours=3))
    refused = http.post(f"/events/{event.pk}/", {"action": "cancel_event", "reason": ""})
    assert refused.status_code == 422 and not Event.objects.get(pk=event.pk).is_cancelled
    assert http.post(f"/events/{event.pk}/", {"action": "cancel_event", "reason": "Low interest"}).status_code == 302
    page = http.get(f"/events/{event.pk}/")
    assert b"Cancelled" in page.content and b"Low interest" in page.content and b"Change this webinar" not in page.content


def test_a_client_posting_the_change_form_is_refused_and_not_registered(world, as_person):
    http = as_person(world["people"]["client_user"])
    response = http.post(f"/events/{world['event'].pk}/", {"action": "change", "title": "x"})
    assert response.status_code == 403
    assert not Registration.objects.filter(event=world["event"]).exists()


# Found in review -----------------------------------------------------------------------------------------------

def test_a_registration_read_before_the_event_was_cancelled_is_refused_under_the_lock(world):
    stale = Event.objects.get(pk=world["event"].pk)  # what a request read before the cancel committed
    actions.cancel_event(world["people"]["manager"], world["event"], reason="Speaker ill")
    with pytest.raises(Conflict) as refused:
        actions.register(world["people"]["client_user"], stale)
    assert refused.value.code == "event.cancelled"
    assert not Registration.objects.exists() and not BillableCharge.objects.exists()


def test_an_event_cannot_be_moved_into_the_past(world):
    event = world["event"]
    past = timezone.now() - timedelta(days=30)
    with pytest.raises(Invalid) as refused:
        actions.change_event(world["people"]["manager"], event, starts_at=past, ends_at=past + timedelta(hours=1))
    assert refused.value.code == "event.bad_times" and "starts_at" in refused.value.fields
    assert Event.objects.get(pk=event.pk).starts_at == event.starts_at


def test_the_currency_stays_while_paid_seats_exist_even_if_the_fee_drops_to_zero(world):
    _registered(world, "client_user")
    manager = world["people"]["manager"]
    actions.change_event(manager, world["event"], fee="0")
    with pytest.raises(Conflict) as refused:
        actions.change_event(manager, world["event"], currency="EUR")
    assert refused.value.code == "event.currency_locked"


def test_saving_the_page_with_only_the_capacity_changed_re_invites_nobody(world, as_person):
    # Given an event made through the API with seconds in its start and a multi-line description, and a registrant
    manager = world["people"]["manager"]
    start = (timezone.now() + timedelta(days=20)).replace(second=42, microsecond=0)
    event = actions.create_event(manager, title="Docketing rules", starts_at=start, ends_at=start + timedelta(hours=1),
                                 timezone_name="America/Toronto", capacity=5, fee="10.00",
                                 description="Line one\nLine two")
    actions.register(world["people"]["client_user"], event)
    # When the manager raises the capacity on the page (the browser re-posts every field, with CRLF line ends)
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto"))
    form = {"action": "change", "title": "Docketing rules", "kind": "webinar", "timezone": "America/Toronto",
            "starts_at": f"{local:%Y-%m-%dT%H:%M}", "ends_at": f"{local + timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "capacity": "8", "fee": "10.00", "currency": "USD", "location": "", "description": "Line one\r\nLine two"}
    assert as_person(manager).post(f"/events/{event.pk}/", form).status_code == 302
    # Then only the capacity changed: same instants to the second, no new sequence, no email to the registrant
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.capacity, fresh.starts_at, fresh.sequence) == (8, start, 0)
    assert not OutboxItem.objects.filter(topic="learning.event_changed").exists()
