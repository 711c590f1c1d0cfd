"""A call series plans calls to come (R9): a start whose first call is already past is refused naming
`starts_on` (those calls would never be generated; a call that took place is recorded as minutes), not accepted
as a series that silently begins later. (world: the own client is in America/Toronto.)"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import schedule
from supportdesk.tam.models import CallSeries

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2027, 2, 3, 12, 0, tzinfo=TORONTO)  # Wednesday 3 February 2027, noon in Toronto
WEDNESDAY = 2


def _plan(as_person, world, **body):  # noqa: ANN001, ANN003, ANN202
    """The client's TAM plans a series at NOW (signed in then: a session from before the trip would have expired)."""
    payload = {"cadence": "weekly", "weekday": WEDNESDAY, "local_time": "10:00", "zone": "America/Toronto", **body}
    with time_machine.travel(NOW, tick=False):
        return as_person(world["people"]["tam"]).post(f"/api/v1/tam/clients/{world['own'].pk}/series", payload, content_type="application/json")


def _first_call_local(series_id: int) -> datetime:
    series = CallSeries.objects.get(pk=series_id)
    first = series.occurrences.order_by("starts_at").first()
    assert first is not None
    return schedule.in_zone(first.starts_at, series.zone)


@pytest.mark.parametrize(("starts_on", "local_time", "first_call"), [
    ("2027-01-04", "10:00", "Wed 6 Jan 2027, 10:00 EST"),  # a month ago
    ("2027-02-03", "10:00", "Wed 3 Feb 2027, 10:00 EST"),  # today, two hours ago
])
def test_given_a_start_whose_first_call_is_past_when_a_series_is_planned_then_422_names_starts_on(
        world, as_person, starts_on, local_time, first_call):
    # Given the client's TAM at noon on Wednesday 3 February 2027 in Toronto
    # When they plan a Wednesday series from a date whose first call has already passed
    response = _plan(as_person, world, starts_on=starts_on, local_time=local_time)
    # Then the refusal names starts_on and says when that first call would have been
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "tam.window_in_past" and error["fields"] == {"starts_on": "first call in the past"}
    assert first_call in error["message"] and "minutes" in error["message"]
    # and no series is planned and nobody is invited
    assert not CallSeries.objects.exists()
    assert not OutboxItem.objects.filter(topic="tam.call_invitation").exists()


def test_given_today_with_the_call_still_to_come_when_planned_then_the_first_call_is_today(world, as_person):
    # Given noon in Toronto, a Wednesday; When a Wednesday 15:00 series is planned from today
    response = _plan(as_person, world, starts_on="2027-02-03", local_time="15:00")
    # Then it is planned and its first call is this afternoon
    assert response.status_code == 201, response.content
    assert _first_call_local(response.json()["id"]).isoformat() == "2027-02-03T15:00:00-05:00"


def test_given_no_start_when_planned_then_it_starts_from_today_and_a_past_slot_of_today_is_skipped(
        world, as_person):
    # Given noon on a Wednesday; When a Wednesday 10:00 series is planned without a start date
    response = _plan(as_person, world)
    # Then it is planned (starting today), and its first call is next Wednesday, the first one to come
    assert response.status_code == 201, response.content
    assert response.json()["starts_on"] == "2027-02-03"
    assert _first_call_local(response.json()["id"]).isoformat() == "2027-02-10T10:00:00-05:00"


def test_given_a_start_at_the_end_of_the_calendar_when_planned_then_422_not_a_500(world, as_person):
    response = _plan(as_person, world, starts_on="9999-12-31")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {"starts_on": "years 2 to 9998"}
    assert not CallSeries.objects.exists()
