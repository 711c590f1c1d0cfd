"""Minutes and follow-ups as sent through the API: every follow-up is recorded or the whole call is refused with
a 422 naming the item's field (`follow_ups[1].text`); none is dropped or cut without a word. The call page skips
its blank lines (a blank row of a form), but a line with an owner or date and no text is an error there too."""

from __future__ import annotations

import pytest

from supportdesk.tam import calls
from supportdesk.tam.models import CallOccurrence, FollowUp, OccurrenceStatus

from .test_form_input import field_error

SEND_LOGS = {"text": "Send logs", "owner": "Client", "due_on": "2027-01-15"}


@pytest.fixture
def occurrence(world) -> CallOccurrence:  # noqa: ANN001
    series = calls.create_series(world["people"]["tam"], client=world["own"], cadence="weekly", weekday=1,
                                 local_time="10:00", zone="America/Toronto")
    first = series.occurrences.order_by("starts_at").first()
    assert first is not None
    return first


def _post_minutes(http, occurrence: CallOccurrence, body: dict):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/tam/occurrences/{occurrence.pk}/minutes", body, content_type="application/json")


def _nothing_recorded(occurrence: CallOccurrence) -> bool:
    occurrence.refresh_from_db()
    return occurrence.minutes == "" and occurrence.status == OccurrenceStatus.SCHEDULED and not FollowUp.objects.exists()


@pytest.mark.parametrize(("follow_up", "field", "code"), [
    ({"text": ""}, "follow_ups[1].text", "tam.required"),
    ({"text": "   \n\t ", "owner": "Dana"}, "follow_ups[1].text", "tam.required"),
    ({"text": "x" * 501}, "follow_ups[1].text", "tam.too_long"),
    ({"text": "Call back", "owner": "o" * 201}, "follow_ups[1].owner", "tam.too_long"),
    ({"text": "Call back", "due_on": "next week"}, "follow_ups[1].due_on", "tam.bad_dates"),
    ({"text": "Call back", "due_on": "0001-01-01"}, "follow_ups[1].due_on", "tam.bad_dates"),
])
def test_given_a_follow_up_the_call_cannot_keep_when_minutes_are_posted_then_422_names_its_path(
        world, as_person, occurrence, follow_up, field, code):
    # Given minutes whose second follow-up is blank, too long or has a bad date
    http = as_person(world["people"]["tam"])
    # When they are posted through the API
    response = _post_minutes(http, occurrence, {"minutes": "Went through the queue",
                                                "follow_ups": [SEND_LOGS, follow_up]})
    # Then the refusal names that item's field, in the API's error shape
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == code and list(error["fields"]) == [field]
    assert error["message"].startswith("follow_ups[1]: ")
    # and nothing is recorded: not the minutes, not the good follow-up
    assert _nothing_recorded(occurrence)


def test_given_minutes_longer_than_kept_when_posted_then_422_on_minutes_not_cut(world, as_person, occurrence):
    response = _post_minutes(as_person(world["people"]["tam"]), occurrence, {"minutes": "m" * 50_001})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"minutes": "at most 50000 characters"}
    assert _nothing_recorded(occurrence)


def test_given_follow_ups_at_their_limits_when_posted_then_each_is_kept_whole(world, as_person, occurrence):
    # Given follow-ups exactly as long as kept, one with no owner and no date
    items = [{"text": "t" * 500, "owner": "o" * 200, "due_on": "2027-01-15"}, {"text": "  Book  the\nvisit "}]
    # When they are posted
    response = _post_minutes(as_person(world["people"]["tam"]), occurrence, {"minutes": "m" * 50_000,
                                                                             "follow_ups": items})
    # Then both are recorded whole (the text's runs of spaces read as one), and the minutes too
    assert response.status_code == 200, response.content
    kept = response.json()["follow_ups"]
    assert [(f["text"], f["owner"], f["due_on"]) for f in kept] == [
        ("t" * 500, "o" * 200, "2027-01-15"), ("Book the visit", "", None)]
    occurrence.refresh_from_db()
    assert len(occurrence.minutes) == 50_000


def test_given_blank_lines_on_the_call_page_then_they_are_skipped_and_the_others_kept(world, as_person, occurrence):
    # Given the call page's follow-ups box with blank lines between two actions
    http = as_person(world["people"]["tam"])
    page = http.post(f"/tam/calls/{occurrence.pk}/", {
        "form": "minutes", "minutes": "Went well.", "follow_ups": "Send logs | Dana\n\n   \nBook the visit\n"})
    # Then both actions are recorded (a blank line is not an action)
    assert page.status_code == 302, page.content
    assert sorted(FollowUp.objects.values_list("text", flat=True)) == ["Book the visit", "Send logs"]


def test_given_a_page_line_with_an_owner_but_no_text_then_the_form_says_so_and_nothing_is_recorded(
        world, as_person, occurrence):
    # Given a line that names an owner and a date but not what is to be done
    http = as_person(world["people"]["tam"])
    page = http.post(f"/tam/calls/{occurrence.pk}/", {
        "form": "minutes", "minutes": "Went well.", "follow_ups": "Send logs | Dana\n | Dana | 2027-01-15"})
    # Then the follow-ups field says the line has no text, and nothing is recorded
    assert page.status_code == 200
    assert "Each follow-up needs its text before the first |" in field_error(page, "follow_ups")
    assert _nothing_recorded(occurrence)


def test_given_minutes_sent_again_then_each_follow_up_is_recorded_once(world, as_person, occurrence):
    # Given minutes with two follow-ups recorded through the API, whose answer was lost to a timeout
    http = as_person(world["people"]["tam"])
    body = {"minutes": "Went well.", "follow_ups": [SEND_LOGS, {"text": "Book the upgrade"}]}
    first = _post_minutes(http, occurrence, body)
    # When the client sends the same minutes again
    again = _post_minutes(http, occurrence, body)
    # Then the answer is the same call, and each follow-up is there once
    assert (first.status_code, again.status_code) == (200, 200), again.content
    assert again.json() == first.json()
    assert sorted(FollowUp.objects.values_list("text", flat=True)) == ["Book the upgrade", "Send logs"]
    # and a new follow-up sent later with the same minutes is added
    _post_minutes(http, occurrence, {**body, "follow_ups": [SEND_LOGS, {"text": "Call Dana"}]})
    assert FollowUp.objects.count() == 3


def test_given_the_call_pages_minutes_form_sent_twice_then_one_copy_of_each_follow_up(world, as_person, occurrence):
    http = as_person(world["people"]["tam"])
    sent = {"form": "minutes", "minutes": "Went well.", "follow_ups": "Send logs | Client | 2027-01-15\nBook the upgrade"}
    answers = [http.post(f"/tam/calls/{occurrence.pk}/", sent) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert FollowUp.objects.count() == 2
