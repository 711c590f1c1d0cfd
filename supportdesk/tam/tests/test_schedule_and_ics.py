"""R9: occurrences are exact across DST in both zones; invitations are RFC 5545 with a stable UID,
a SEQUENCE that goes up on every change, and METHOD:CANCEL on cancellation."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from supportdesk.errors import Invalid
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import actions, calls, schedule
from supportdesk.tam.models import OccurrenceStatus

TORONTO, LONDON = ZoneInfo("America/Toronto"), ZoneInfo("Europe/London")


def invitations_for(occ, email):  # noqa: ANN001, ANN201
    items = OutboxItem.objects.filter(topic="tam.call_invitation", recipient=email).order_by("id")
    cals = [Calendar.from_ical(base64.b64decode(i.attachments[0]["content_b64"])) for i in items]
    return [c for c in cals if str(c.walk("VEVENT")[0]["UID"]) == occ.uid]


def test_weekly_10_00_toronto_stays_at_10_00_across_both_dst_changes_and_moves_in_london():
    # Given a weekly Monday 10:00 America/Toronto series from February to December 2026
    starts = [s for _, s in schedule.occurrences(date(2026, 2, 23), 0, "weekly", time(10), "America/Toronto",
                                                 until=datetime(2026, 12, 1, tzinfo=UTC))]
    # Then every call is at 10:00 in Toronto
    assert {s.astimezone(TORONTO).time() for s in starts} == {time(10)}
    london = {s.astimezone(TORONTO).date(): s.astimezone(LONDON).time() for s in starts}
    # and in London: 15:00 before 8 March, 14:00 while only Toronto is on summer time (to 29 March),
    # 15:00 when both are, 14:00 again after London goes back (25 October) until Toronto does (1 November)
    assert london[date(2026, 3, 2)] == time(15)
    assert london[date(2026, 3, 9)] == time(14)
    assert london[date(2026, 3, 23)] == time(14)
    assert london[date(2026, 3, 30)] == time(15)
    assert london[date(2026, 10, 19)] == time(15)
    assert london[date(2026, 10, 26)] == time(14)
    assert london[date(2026, 11, 2)] == time(15)
    # and stored instants are UTC: 15:00Z in winter, 14:00Z in summer
    assert starts[0].tzinfo == UTC and starts[0].hour == 15
    assert [s for s in starts if s.astimezone(TORONTO).date() == date(2026, 7, 6)][0].hour == 14


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(0, 6),
       st.sampled_from(["weekly", "biweekly"]), st.sampled_from(["America/Toronto", "Europe/London",
                                                                 "Australia/Sydney", "America/St_Johns"]))
def test_every_occurrence_is_on_the_weekday_at_the_local_time(start, weekday, cadence, zone):
    until = datetime.combine(start, time(0), tzinfo=UTC) + (schedule.timedelta(weeks=30))
    occs = schedule.occurrences(start, weekday, cadence, time(10, 30), zone, until=until)
    assert occs
    for (n1, a), (n2, b) in zip(occs, occs[1:], strict=False):
        assert n2 == n1 + 1
        assert (b.astimezone(ZoneInfo(zone)).date() - a.astimezone(ZoneInfo(zone)).date()).days == \
            7 * schedule.STEP_WEEKS[cadence]
    for _, s in occs:
        local = s.astimezone(ZoneInfo(zone))
        assert local.weekday() == weekday and local.time() == time(10, 30)


def test_series_shows_both_local_times_in_the_api(world, as_person):
    tam = world["people"]["tam"]
    http = as_person(tam)
    created = http.post(f"/api/v1/tam/clients/{world['own'].pk}/series",
                        {"cadence": "weekly", "weekday": 0, "local_time": "10:00", "zone": "America/Toronto"},
                        content_type="application/json")
    assert created.status_code == 201, created.content
    occs = http.get(f"/api/v1/tam/series/{created.json()['id']}/occurrences").json()["items"]
    assert occs
    for occ in occs:
        assert occ["client_local"][11:16] == "10:00"
        assert occ["tam_zone"] == "Europe/London"
        assert occ["tam_local"][11:16] in ("14:00", "15:00")


def test_invitation_uid_is_stable_sequence_increments_and_cancel_is_sent(world):
    # Given a series with invitations sent to the client's admin
    tam, admin = world["people"]["tam"], world["people"]["client_admin"]
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=2, local_time="09:30")
    assert series.attendees == [admin.email]
    occ = series.occurrences.order_by("starts_at").first()
    first = invitations_for(occ, admin.email)
    assert len(first) == 1
    cal = first[0]
    assert str(cal["METHOD"]) == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == occ.starts_at
    assert str(event["ORGANIZER"]) == f"mailto:{tam.email}"
    # When the series moves to 11:00 (a change), then is cancelled
    calls.update_series(tam, series, local_time="11:00")
    occ.refresh_from_db()
    calls.cancel_occurrence(tam, occ)
    # Then the invitee got the same UID each time with SEQUENCE 0, 1, 2 and a final METHOD:CANCEL
    received = invitations_for(occ, admin.email)
    assert [int(c.walk("VEVENT")[0]["SEQUENCE"]) for c in received] == [0, 1, 2]
    assert [str(c["METHOD"]) for c in received] == ["REQUEST", "REQUEST", "CANCEL"]
    assert received[1].walk("VEVENT")[0].decoded("DTSTART").astimezone(TORONTO).time() == time(11)
    assert str(received[2].walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert occ.status == OccurrenceStatus.CANCELLED


def test_people_taken_off_a_call_get_a_cancel_so_it_leaves_their_calendar(world):
    # Given a series inviting two people, organised by the client's TAM
    tam, manager, new_tam = world["people"]["tam"], world["people"]["manager"], world["people"]["other_tam"]
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=2, local_time="09:30",
                                 attendees=["stays@own.example", "leaves@own.example"])
    occ = series.occurrences.order_by("starts_at").first()
    # When one attendee is removed from the series
    calls.update_series(tam, series, attendees=["stays@own.example"])
    # Then the removed one gets METHOD:CANCEL for the same UID with the new SEQUENCE, naming them
    left = invitations_for(occ, "leaves@own.example")
    assert [str(c["METHOD"]) for c in left] == ["REQUEST", "CANCEL"]
    event = left[-1].walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"
    named = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert [str(a) for a in named] == ["mailto:leaves@own.example"]
    # and the one who stays gets the REQUEST with SEQUENCE 1, without the removed attendee
    kept = invitations_for(occ, "stays@own.example")[-1]
    assert str(kept["METHOD"]) == "REQUEST" and "leaves@own.example" not in kept.to_ical().decode()
    # When a manager hands the client to another TAM
    actions.reassign_tam(manager, client=world["own"], tam=new_tam)
    # Then the previous TAM gets a CANCEL and the new TAM the REQUEST (SEQUENCE 2, new organizer)
    assert [str(c["METHOD"]) for c in invitations_for(occ, tam.email)][-1] == "CANCEL"
    fresh = invitations_for(occ, new_tam.email)
    assert [str(c["METHOD"]) for c in fresh] == ["REQUEST"]
    assert str(fresh[0].walk("VEVENT")[0]["ORGANIZER"]) == f"mailto:{new_tam.email}"
    assert int(fresh[0].walk("VEVENT")[0]["SEQUENCE"]) == 2
    assert not invitations_for(occ, "leaves@own.example")[2:]


def test_an_invitation_without_client_invitees_still_names_an_attendee_and_mails_as_one_calendar_part(world):
    # Given a series the TAM plans with no invitee from the client (yet)
    from django.core import mail

    from supportdesk.notifications.dispatch import _send_email

    tam = world["people"]["tam"]
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=2, local_time="09:30",
                                 attendees=[])
    occ = series.occurrences.order_by("starts_at").first()
    # Then the REQUEST names the organizer as an attendee (RFC 5546: a REQUEST has at least one ATTENDEE)
    event = invitations_for(occ, tam.email)[0].walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == f"mailto:{tam.email}" and event["ATTENDEE"].params["ROLE"] == "CHAIR"
    # and the mail carries it as text/calendar with method=REQUEST and a single charset parameter
    _send_email(OutboxItem.objects.filter(topic="tam.call_invitation", recipient=tam.email).first(), None)
    part = next(p for p in mail.outbox[-1].message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert [name for name, _ in part.get_params()].count("charset") == 1
    assert Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]["UID"] == occ.uid


def test_the_feed_is_a_valid_calendar_behind_an_unguessable_token(world, as_person):
    tam = world["people"]["tam"]
    series = calls.create_series(tam, client=world["own"], cadence="biweekly", weekday=4, local_time="14:00")
    url = as_person(tam).get("/api/v1/tam/feed").json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    response = as_person(None).get(f"/tam/feed/{token}.ics")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == set(series.occurrences.values_list("uid", flat=True))
    assert as_person(None).get("/tam/feed/not-the-token.ics").status_code == 404
    # Rotating revokes the old URL
    as_person(tam).get("/api/v1/tam/feed", {"rotate": True})
    assert as_person(None).get(f"/tam/feed/{token}.ics").status_code == 404


def test_cadence_is_limited_by_the_plan_and_bad_input_is_refused(world):
    tam = world["people"]["tam"]
    with pytest.raises(Invalid) as bad_time:
        calls.create_series(tam, client=world["own"], cadence="weekly", weekday=0, local_time="25:00")
    assert bad_time.value.code == "tam.bad_time"
    with pytest.raises(Invalid) as bad_zone:
        calls.create_series(tam, client=world["own"], cadence="weekly", weekday=0, local_time="10:00", zone="Mars/Base")
    assert "zone" in bad_zone.value.fields
    with pytest.raises(Invalid) as bad_cadence:
        calls.create_series(tam, client=world["own"], cadence="daily", weekday=0, local_time="10:00")
    assert bad_cadence.value.code == "tam.bad_cadence"


def test_given_the_specs_spelling_bi_weekly_when_a_series_is_planned_or_changed_then_it_is_every_two_weeks(
        world, as_person):
    # Given the client's TAM using the spec's word for the cadence
    http = as_person(world["people"]["tam"])
    # When a series is planned as "bi-weekly" through the API
    created = http.post(f"/api/v1/tam/clients/{world['own'].pk}/series",
                        {"cadence": "bi-weekly", "weekday": 1, "local_time": "10:00"}, content_type="application/json")
    # Then it is the every-two-weeks cadence, its calls 14 days apart
    assert created.status_code == 201, created.content
    assert created.json()["cadence"] == "biweekly"
    starts = [o["starts_at"] for o in http.get(f"/api/v1/tam/series/{created.json()['id']}/occurrences").json()["items"]]
    assert (datetime.fromisoformat(starts[1]) - datetime.fromisoformat(starts[0])).days == 14
    # And a weekly series changed to "Bi-Weekly" is read the same way
    weekly = http.post(f"/api/v1/tam/clients/{world['own'].pk}/series",
                       {"cadence": "weekly", "weekday": 3, "local_time": "10:00"}, content_type="application/json")
    changed = http.patch(f"/api/v1/tam/series/{weekly.json()['id']}", {"cadence": "Bi-Weekly"},
                         content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["cadence"] == "biweekly"
