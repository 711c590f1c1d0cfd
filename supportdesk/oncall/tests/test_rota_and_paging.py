"""On-call rota (weekly pattern in each person's zone, overrides) and paging for urgent 24/7 tickets."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.oncall import actions
from supportdesk.oncall.hours import in_business_hours
from supportdesk.oncall.models import RotaEvent
from supportdesk.oncall.rota import who_is_on_call
from supportdesk.oncall.service import notify_on_call_if_needed
from supportdesk.tickets.actions import open_ticket

from .factories import client_24x7, client_standard

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def login(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def test_given_a_toronto_shift_when_dst_starts_then_the_shift_keeps_its_local_hours():
    ana = StaffFactory(timezone_name="America/Toronto")
    actions.add_shift(None, staff=ana, weekday=0, start="09:00", end="17:00")  # Mondays
    # Monday 2 March 2026 (EST, UTC-5): 13:30Z is 08:30 local -> not yet; 14:30Z is 09:30 -> on call.
    assert who_is_on_call(utc(2026, 3, 2, 13, 30)) is None
    assert who_is_on_call(utc(2026, 3, 2, 14, 30)) == ana
    # Monday 9 March 2026, the day after DST starts (EDT, UTC-4): 13:30Z is already 09:30 local.
    assert who_is_on_call(utc(2026, 3, 9, 13, 30)) == ana
    assert who_is_on_call(utc(2026, 3, 9, 20, 59)) == ana   # 16:59 EDT
    assert who_is_on_call(utc(2026, 3, 9, 21, 0)) is None    # 17:00 EDT


def test_given_an_overnight_shift_across_the_dst_night_then_it_covers_the_short_night():
    night = StaffFactory(timezone_name="America/Toronto")
    actions.add_shift(None, staff=night, weekday=5, start="22:00", end="06:00")  # Saturday night into Sunday
    # The night of 7->8 March 2026 loses an hour: 22:00 EST = 03:00Z; 06:00 EDT = 10:00Z.
    assert who_is_on_call(utc(2026, 3, 8, 2, 59)) is None
    assert who_is_on_call(utc(2026, 3, 8, 3, 0)) == night
    assert who_is_on_call(utc(2026, 3, 8, 7, 30)) == night   # 03:30 EDT, just after the jump
    assert who_is_on_call(utc(2026, 3, 8, 9, 59)) == night
    assert who_is_on_call(utc(2026, 3, 8, 10, 0)) is None


def test_given_staff_in_different_zones_then_each_shift_is_read_in_its_owners_zone():
    london = StaffFactory(timezone_name="Europe/London")
    actions.add_shift(None, staff=london, weekday=6, start="08:00", end="20:00")  # Sundays, London time
    # Sunday 29 March 2026: London moves to BST at 01:00Z. 07:30Z is 08:30 BST -> on call.
    assert who_is_on_call(utc(2026, 3, 29, 7, 30)) == london
    # Sunday 22 March (GMT): 07:30Z is 07:30 local -> not yet.
    assert who_is_on_call(utc(2026, 3, 22, 7, 30)) is None


def test_given_an_override_then_it_wins_over_the_weekly_pattern_only_within_its_period():
    regular, stand_in = StaffFactory(), StaffFactory()
    actions.add_shift(None, staff=regular, weekday=0, start="00:00", end="00:00")
    actions.add_override(None, staff=stand_in, start=utc(2026, 3, 2, 12), end=utc(2026, 3, 2, 18), note="swap")
    assert who_is_on_call(utc(2026, 3, 2, 13)) == stand_in
    assert who_is_on_call(utc(2026, 3, 2, 18)) == regular


def test_given_bad_rota_input_then_it_is_refused_with_a_clear_message():
    ana, client_person = StaffFactory(), ClientUserFactory()
    from supportdesk.errors import Invalid

    with pytest.raises(Invalid) as weekday:
        actions.add_shift(None, staff=ana, weekday=7, start="09:00", end="17:00")
    assert weekday.value.code == "oncall.bad_weekday"
    with pytest.raises(Invalid) as not_staff:
        actions.add_shift(None, staff=client_person, weekday=1, start="09:00", end="17:00")
    assert not_staff.value.code == "oncall.not_staff"
    with pytest.raises(Invalid) as naive:
        actions.add_override(None, staff=ana, start=datetime(2026, 3, 2, 12), end=datetime(2026, 3, 2, 13))
    assert naive.value.code == "oncall.bad_instant"


def test_business_hours_follow_the_vendor_zone_weekends_and_holidays():
    assert in_business_hours(utc(2026, 3, 9, 13, 0))        # Monday 09:00 EDT
    assert not in_business_hours(utc(2026, 3, 9, 11, 30))   # 07:30 EDT
    assert not in_business_hours(utc(2026, 3, 8, 15, 0))    # Sunday
    assert not in_business_hours(utc(2026, 7, 1, 15, 0))    # Canada Day


def _urgent(client, at: datetime, severity: int = 1):  # noqa: ANN001
    person = ClientUserFactory(client=client)
    ticket = open_ticket(person, subject="Production down", body="Everything is down.", severity=severity,
                         at=at).ticket
    return ticket


def test_given_a_24x7_client_when_a_severity_1_ticket_arrives_at_night_then_the_person_on_call_is_emailed():
    on_call = StaffFactory(timezone_name="America/Toronto")
    actions.add_shift(None, staff=on_call, weekday=1, start="17:00", end="09:00")  # Tuesday night
    ticket = _urgent(client_24x7(), utc(2026, 3, 11, 3, 0))  # Tue 23:00 EDT
    assert notify_on_call_if_needed(ticket) == on_call
    page = OutboxItem.objects.get(topic="oncall.page")
    assert page.recipient == on_call.email and f"#{ticket.pk}" in page.subject and page.ticket_id == ticket.pk
    assert ticket.events.filter(kind="oncall.notified").exists()
    # A second call (a retry of the hook) queues nothing new and records nothing new.
    assert notify_on_call_if_needed(ticket) == on_call
    assert OutboxItem.objects.filter(topic="oncall.page").count() == 1
    assert ticket.events.filter(kind="oncall.notified").count() == 1


@pytest.mark.parametrize("case", ["business_hours", "severity_3", "not_24x7"])
def test_given_no_urgent_24x7_night_ticket_then_nobody_is_paged(case):
    actions.add_shift(None, staff=StaffFactory(), weekday=1, start="00:00", end="00:00")
    at = utc(2026, 3, 10, 15, 0) if case == "business_hours" else utc(2026, 3, 11, 3, 0)
    client = client_standard() if case == "not_24x7" else client_24x7()
    ticket = _urgent(client, at, severity=3 if case == "severity_3" else 2)
    assert notify_on_call_if_needed(ticket) is None
    assert not OutboxItem.objects.filter(topic="oncall.page").exists()


def test_given_business_hours_edited_on_the_sla_calendar_when_a_ticket_arrives_then_paging_follows_the_edit(
        django_capture_on_commit_callbacks):
    # Given the business-hours calendar extended to Monday–Friday 08:00–22:00 Toronto by a manager
    from supportdesk.sla.actions import update_calendar
    from supportdesk.sla.calendars_store import forget_cache

    forget_cache()
    with django_capture_on_commit_callbacks(execute=True):
        update_calendar(None, "business-hours", hours="08:00-22:00")
    actions.add_shift(None, staff=StaffFactory(), weekday=1, start="00:00", end="00:00")
    # When a severity 1 ticket of a 24/7 client arrives Tuesday 20:00 EDT (after the default 17:00)
    ticket = _urgent(client_24x7(), utc(2026, 3, 11, 0, 0))
    # Then it is inside the vendor's (edited) business hours: nobody is paged, as the clocks see it too
    assert in_business_hours(ticket.created_at)
    assert notify_on_call_if_needed(ticket) is None
    assert not OutboxItem.objects.filter(topic="oncall.page").exists()
    forget_cache()


def test_given_a_gap_in_the_rota_then_the_managers_are_paged_instead():
    manager = StaffFactory(staff_roles=["manager"])
    ticket = _urgent(client_24x7(), utc(2026, 3, 8, 15, 0))  # Sunday
    assert notify_on_call_if_needed(ticket) is None
    assert list(OutboxItem.objects.filter(topic="oncall.page").values_list("recipient", flat=True)) == [manager.email]
    assert RotaEvent.objects.filter(kind="oncall.gap_paged_managers", ticket=ticket).exists()


def test_rota_api_staff_read_managers_write_clients_see_nothing():
    manager, agent, person = StaffFactory(staff_roles=["manager"]), StaffFactory(), ClientUserFactory()
    body = {"staff_id": agent.pk, "weekday": 2, "start": "09:00", "end": "17:00"}
    assert login(agent).post("/api/v1/oncall/shifts", body, content_type="application/json").status_code == 403
    assert login(person).get("/api/v1/oncall/shifts").status_code == 404
    assert login(person).post("/api/v1/oncall/shifts", body, content_type="application/json").status_code == 403
    assert HttpClient().get("/api/v1/oncall/now").status_code == 401
    created = login(manager).post("/api/v1/oncall/shifts", body, content_type="application/json")
    assert created.status_code == 201, created.content
    listed = login(agent).get("/api/v1/oncall/shifts").json()
    assert [s["id"] for s in listed["items"]] == [created.json()["id"]] and listed["count"] == 1
    now = login(agent).get("/api/v1/oncall/now", {"at": "2026-03-11T10:00-04:00"}).json()
    assert now["on_call"]["id"] == agent.pk
    naive = login(agent).get("/api/v1/oncall/now", {"at": "2026-03-11T10:00"})
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "oncall.bad_instant"
    override = login(manager).post("/api/v1/oncall/overrides", {"staff_id": manager.pk, "start": "2026-03-11T09:00",
                                                               "end": "2026-03-11T12:00"}, content_type="application/json")
    assert override.status_code == 422
    assert login(agent).delete(f"/api/v1/oncall/shifts/{created.json()['id']}").status_code == 403
    assert login(manager).delete(f"/api/v1/oncall/shifts/{created.json()['id']}").status_code == 204


def test_given_more_shifts_than_one_page_when_page_2_is_asked_then_the_rest_and_the_count():
    from django.utils import timezone

    from supportdesk.oncall.models import RotaOverride, RotaShift

    # Given 52 weekly shifts (a page holds 50) and one upcoming override
    agent, person = StaffFactory(), ClientUserFactory()
    now = timezone.now()
    RotaShift.objects.bulk_create(RotaShift(staff=agent, weekday=i % 7, start=time(i // 7), end=time(i // 7 + 1),
                                            created_at=now) for i in range(52))
    RotaOverride.objects.create(staff=agent, start=now, end=now + timezone.timedelta(hours=2), created_at=now)
    http = login(agent)
    # When staff read page 1 and page 2 of the weekly pattern
    first, second = http.get("/api/v1/oncall/shifts").json(), http.get("/api/v1/oncall/shifts", {"page": 2}).json()
    # Then page 1 has 50, page 2 the last 2 in the same order (weekday, start), and both count 52
    assert (len(first["items"]), len(second["items"]), first["count"], second["count"]) == (50, 2, 52, 52)
    ordered = [s["id"] for s in first["items"] + second["items"]]
    assert ordered == list(RotaShift.objects.order_by("weekday", "start", "id").values_list("id", flat=True))
    assert [(s["weekday"], s["start"]) for s in second["items"]] == [(6, "05:00:00"), (6, "06:00:00")]
    assert http.get("/api/v1/oncall/overrides").json()["count"] == 1
    # And clients still get 404, paged or not
    assert login(person).get("/api/v1/oncall/shifts", {"page": 2}).status_code == 404
    assert login(person).get("/api/v1/oncall/overrides").status_code == 404


def test_rota_page_is_for_managers_and_adds_shifts_with_errors_in_place():
    manager, agent, person = StaffFactory(staff_roles=["manager"]), StaffFactory(), ClientUserFactory()
    assert login(agent).get("/oncall/").status_code == 404
    assert login(person).get("/oncall/").status_code == 404
    http = login(manager)
    page = http.get("/oncall/")
    assert page.status_code == 200 and b"No weekly shifts yet" in page.content
    bad = http.post("/oncall/", {"shift-staff": agent.pk, "shift-weekday": 0, "shift-start": "9 o'clock", "shift-end": "17:00"})
    assert bad.status_code == 200 and b"Enter a valid time" in bad.content
    ok = http.post("/oncall/", {"shift-staff": agent.pk, "shift-weekday": 0, "shift-start": "09:00", "shift-end": "17:00"})
    assert ok.status_code == 302
    assert agent.display_name.encode() in http.get("/oncall/").content
    assert time(9) == agent.rota_shifts.get().start


@pytest.mark.parametrize("start", ["09:00+02:00", "09:00Z"])
def test_given_a_shift_time_with_an_offset_then_422_explains_it_is_wall_clock_and_nothing_is_stored(start):
    manager = StaffFactory(staff_roles=["manager"])
    body = {"staff_id": manager.pk, "weekday": 1, "start": start, "end": "17:00"}
    response = login(manager).post("/api/v1/oncall/shifts", body, content_type="application/json")
    assert response.status_code == 422, response.content         # was a 500 (SQLite refuses aware times)
    assert "without an offset" in response.json()["error"]["message"] and "start" in response.json()["error"]["fields"]
    assert not RotaEvent.objects.filter(kind="rota.shift_added").exists()


def test_given_an_urgent_ticket_at_night_then_the_page_is_queued_before_the_clients_acknowledgement():
    on_call = StaffFactory(timezone_name="America/Toronto")
    actions.add_shift(None, staff=on_call, weekday=1, start="17:00", end="09:00")
    ticket = _urgent(client_24x7(), utc(2026, 3, 11, 3, 0))
    topics = list(OutboxItem.objects.filter(ticket=ticket).order_by("id").values_list("topic", flat=True))
    assert topics == ["oncall.page", "ticket.acknowledgement"]
