"""A call series retried after a timeout (Idempotency-Key) or sent twice from the client page (a double click) is
planned once: one series, one round of invitations to each attendee, and the retry answered with the first series.
(world: the own client is in America/Toronto, its TAM assigned.)"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from supportdesk import idempotency_keys
from supportdesk.accounts.actions import assign_tam
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.factories import StaffFactory, premium_client
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import calls
from supportdesk.tam.models import CallOccurrence, CallSeries, TamEvent

NOW = datetime(2027, 2, 3, 12, 0, tzinfo=ZoneInfo("America/Toronto"))  # a Wednesday
SERIES = {"cadence": "weekly", "weekday": 3, "local_time": "10:00", "zone": "America/Toronto",
          "attendees": ["ana@own.example", "ben@own.example"], "starts_on": "2027-02-04"}


def _post(http, world, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/tam/clients/{world['own'].pk}/series", body, content_type="application/json",
                     **headers)


def _planned() -> tuple[int, int, int, int]:
    """Series, calls, invitations queued and series events."""
    return (CallSeries.objects.count(), CallOccurrence.objects.count(),
            OutboxItem.objects.filter(topic="tam.call_invitation").count(),
            TamEvent.objects.filter(kind="call_series.created").count())


@pytest.fixture
def http(world, as_person):  # noqa: ANN001, ANN201
    with time_machine.travel(NOW, tick=False):
        yield as_person(world["people"]["tam"])


def test_given_a_series_retried_with_its_key_then_the_first_series_and_one_round_of_invitations(world, http):
    # Given a TAM's series that was planned and its invitations queued, the answer lost to a timeout
    with time_machine.travel(NOW, tick=False):
        first = _post(http, world, SERIES, "series-1")
        planned = _planned()
        # When the client retries the same POST with the same key
        again = _post(http, world, SERIES, "series-1")
    # Then the retry answers the first series with 200, and nothing is planned or sent again
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert planned[0] == 1 and planned[2] == planned[1] * 3  # each call: both attendees and the TAM
    assert _planned() == planned


def test_given_a_retry_after_its_first_call_has_passed_then_the_first_series_not_a_refusal(world, http):
    with time_machine.travel(NOW, tick=False):
        first = _post(http, world, SERIES, "series-2")
    with time_machine.travel(datetime(2027, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        again = _post(http, world, SERIES, "series-2")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"]), again.content
    assert _planned()[0] == 1


@pytest.mark.parametrize("other", [{"weekday": 4}, {"local_time": "10:30"}, {"cadence": "biweekly"},
                                   {"zone": "Europe/London"}, {"duration_minutes": 30}, {"starts_on": "2027-02-11"},
                                   {"attendees": ["ana@own.example"]}, {"title": "Project call"}])
def test_given_a_key_reused_for_another_series_then_422_and_nothing_planned(world, http, other):
    with time_machine.travel(NOW, tick=False):
        assert _post(http, world, SERIES, "series-3").status_code == 201
        planned = _planned()
        answer = _post(http, world, {**SERIES, **other}, "series-3")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "tam.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _planned() == planned


def test_given_the_same_attendees_written_another_way_then_it_is_the_same_request(world, http):
    with time_machine.travel(NOW, tick=False):
        first = _post(http, world, SERIES, "series-4")
        again = _post(http, world, {**SERIES, "attendees": ["BEN@own.example ", "ana@own.example"]}, "series-4")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_planned(world, http, key):
    with time_machine.travel(NOW, tick=False):
        answer = _post(http, world, SERIES, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "tam.bad_idempotency_key")
    assert _planned() == (0, 0, 0, 0)


def test_given_no_key_then_each_post_plans_a_series(world, http):
    with time_machine.travel(NOW, tick=False):
        assert [_post(http, world, SERIES, None).status_code for _ in range(2)] == [201, 201]
    assert _planned()[0] == 2


def test_the_openapi_document_names_the_header_and_both_successes(world, http):
    operation = http.get("/api/v1/openapi.json").json()["paths"]["/api/v1/tam/clients/{client_id}/series"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_unique_key_decides_and_its_invitations_roll_back(
        world, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    tam = world["people"]["tam"]
    body = {"cadence": "weekly", "weekday": 3, "local_time": "10:00", "starts_on": date(2027, 2, 4)}
    first = calls.plan_series(tam, client=world["own"], now=NOW, idempotency_key="race", **body)
    planned = _planned()
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry writes its series and the unique key refuses it
    again = calls.plan_series(tam, client=world["own"], now=NOW, idempotency_key="race", **body)
    # Then it answers the first series, and its calls and invitations were rolled back with it
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert _planned() == planned


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_series_and_one_round_of_invitations(tmp_path):
    # Given a Premium client and its TAM (SQLite: a WAL file every thread's connection shares)
    client, tam = premium_client(name="Race Firm"), StaffFactory(staff_roles=["tam"])
    assign_tam(None, client=client, tam=tam)
    with shared_file_database(tmp_path):
        # When three attempts with the same key are released together
        run = run_concurrently(3, lambda i: None, lambda i, _: calls.plan_series(
            tam, client=client, cadence="weekly", weekday=3, local_time="10:00", attendees=["ana@race.example"],
            now=NOW, idempotency_key="same"))
        # Then one series is planned, every attempt answers it, and each call is sent once to each invitee
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(CallSeries.objects.values_list("pk", flat=True))
        series, occurrences, invitations, events = _planned()
        assert (series, events, invitations) == (1, 1, occurrences * 2)


def test_given_the_series_form_sent_twice_then_one_series_and_an_edited_one_is_new(world, http):
    # Given the TAM on the client's page, with the series form as it was rendered
    url = f"/tam/clients/{world['own'].pk}/"
    with time_machine.travel(NOW, tick=False):
        found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
        assert found, "the series form carries its submission value"
        sent = {"form": "series", "submission": found.group(1), "title": "Case scrub call", "cadence": "weekly",
                "weekday": "3", "local_time": "10:00", "zone": "America/Toronto", "duration_minutes": "60",
                "attendees": "ana@own.example"}
        # When it is sent twice (a double click), then once more at another time (Back, edit, send)
        answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "local_time": "11:00"})]
    # Then the two identical ones planned one series (both land on its page); the edited one is a second series
    assert [a.status_code for a in answers] == [302] * 3
    assert answers[0]["Location"] == answers[1]["Location"] != answers[2]["Location"]
    assert CallSeries.objects.count() == 2


def test_given_a_call_moved_and_the_move_sent_again_then_invitees_are_told_once(world, http):
    # Given a series and one of its calls moved an hour later, its answer lost to a timeout
    with time_machine.travel(NOW, tick=False):
        series = _post(http, world, SERIES, None).json()
        occ = CallSeries.objects.get(pk=series["id"]).occurrences.order_by("starts_at").first()
        target = {"starts_at": (occ.starts_at + timedelta(hours=1)).isoformat()}
        sent = OutboxItem.objects.count()
        first = http.post(f"/api/v1/tam/occurrences/{occ.pk}/move", target, content_type="application/json")
        told = OutboxItem.objects.count() - sent
        # When the same move is sent again
        again = http.post(f"/api/v1/tam/occurrences/{occ.pk}/move", target, content_type="application/json")
    # Then it answers the call as moved, and nobody gets a second update (no new SEQUENCE)
    assert (first.status_code, again.status_code) == (200, 200), again.content
    assert again.json() == first.json() and again.json()["sequence"] == 1
    assert told == 3 and OutboxItem.objects.count() - sent == told
