"""An onsite visit retried after a timeout (Idempotency-Key) or sent twice from the client page (a double click) is
planned once: a client that bought a second visit of the year keeps it, and the retry is answered with the first
visit rather than a 409 for the slot its first attempt took."""

from __future__ import annotations

import re
from datetime import date

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.contracts.models import ServiceOrder
from supportdesk.tam import visits
from supportdesk.tam.models import OnsiteVisit, TamEvent, VisitStatus

from .factories import extra_visit_addendum

VISIT = {"starts_on": "2026-09-01", "ends_on": "2026-09-02", "location": "Toronto office", "purpose": "Upgrade review",
         "attendees": ["Dana Moss"]}


@pytest.fixture
def two_visits(world):  # noqa: ANN001, ANN201
    """The own client bought a second onsite visit of the year."""
    extra_visit_addendum(ServiceOrder.objects.get(client=world["own"], kind="form"), on=date(2026, 6, 1))
    return world


def _post(http, world, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/tam/clients/{world['own'].pk}/visits", body, content_type="application/json",
                     **headers)


def _planned() -> tuple[int, int]:
    return OnsiteVisit.objects.count(), TamEvent.objects.filter(kind="visit.planned").count()


def test_given_a_visit_retried_with_its_key_then_one_visit_and_the_second_one_bought_is_kept(two_visits, as_person):
    # Given a client with two visits this year, and a TAM's visit planned whose answer was lost to a timeout
    http = as_person(two_visits["people"]["tam"])
    first = _post(http, two_visits, VISIT, "visit-1")
    # When the client retries the same POST with the same key
    again = _post(http, two_visits, VISIT, "visit-1")
    # Then the retry answers the first visit with 200, and the second visit of the year is still free
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert _planned() == (1, 1)
    later = {**VISIT, "starts_on": "2026-11-02", "ends_on": "2026-11-02"}
    assert _post(http, two_visits, later, None).status_code == 201


def test_given_a_retry_when_the_years_one_visit_is_its_own_then_the_first_visit_not_a_409(world, as_person):
    http = as_person(world["people"]["tam"])
    first = _post(http, world, VISIT, "visit-2")
    again = _post(http, world, VISIT, "visit-2")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"]), again.content


def test_given_a_retry_after_the_visit_was_cancelled_then_the_first_visit_not_a_new_one(world, as_person):
    http = as_person(world["people"]["tam"])
    first = _post(http, world, VISIT, "visit-3")
    visits.set_visit_status(world["people"]["tam"], OnsiteVisit.objects.get(), VisitStatus.CANCELLED)
    again = _post(http, world, VISIT, "visit-3")
    assert (again.status_code, again.json()["id"], again.json()["status"]) == (200, first.json()["id"], "cancelled")
    assert _planned() == (1, 1)


@pytest.mark.parametrize("other", [{"starts_on": "2026-09-02"}, {"ends_on": "2026-09-03"}, {"location": "Ottawa"},
                                   {"purpose": "Training"}, {"attendees": []}])
def test_given_a_key_reused_for_another_visit_then_422_and_nothing_planned(two_visits, as_person, other):
    http = as_person(two_visits["people"]["tam"])
    assert _post(http, two_visits, VISIT, "visit-4").status_code == 201
    answer = _post(http, two_visits, {**VISIT, **other}, "visit-4")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "tam.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _planned() == (1, 1)


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_planned(world, as_person, key):
    answer = _post(as_person(world["people"]["tam"]), world, VISIT, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "tam.bad_idempotency_key")
    assert _planned() == (0, 0)


def test_the_openapi_document_names_the_header_and_both_successes(world, as_person):
    operation = as_person(world["people"]["tam"]).get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/tam/clients/{client_id}/visits"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_client_lock_answers_the_first(two_visits, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    tam = two_visits["people"]["tam"]
    body = {"starts_on": date(2026, 9, 1), "ends_on": date(2026, 9, 2), "idempotency_key": "race"}
    first = visits.schedule_visit(tam, client=two_visits["own"], **body)
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry takes the client's lock
    again = visits.schedule_visit(tam, client=two_visits["own"], **body)
    # Then it finds the first visit there and answers it: the second slot stays free
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert _planned() == (1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_visit(tmp_path):
    from supportdesk.accounts.actions import assign_tam
    from supportdesk.factories import StaffFactory, premium_client

    client, tam = premium_client(name="Race Firm"), StaffFactory(staff_roles=["tam"])
    assign_tam(None, client=client, tam=tam)
    extra_visit_addendum(ServiceOrder.objects.get(client=client, kind="form"), on=date(2026, 6, 1))
    with shared_file_database(tmp_path):
        run = run_concurrently(3, lambda i: None, lambda i, _: visits.schedule_visit(
            tam, client=client, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2), idempotency_key="same"))
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert _planned() == (1, 1)


def test_given_the_visit_form_sent_twice_then_one_visit_and_an_edited_one_is_new(two_visits, as_person):
    # Given the TAM on the client's page, with the visit form as it was rendered
    http = as_person(two_visits["people"]["tam"])
    url = f"/tam/clients/{two_visits['own'].pk}/"
    page = http.get(url).content.decode()
    form = page[page.index('name="form" value="visit"'):]
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', form)
    assert found, "the visit form carries its submission value"
    sent = {"form": "visit", "submission": found.group(1), "starts_on": "2026-09-01", "ends_on": "2026-09-02",
            "location": "Toronto office", "purpose": "Upgrade review", "attendees": "Dana Moss"}
    # When it is sent twice (a double click), then once more for other dates (Back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [
        http.post(url, {**sent, "starts_on": "2026-11-02", "ends_on": "2026-11-02"})]
    # Then the two identical ones planned one visit (both land on it); the edited one takes the second visit
    assert [a.status_code for a in answers] == [302] * 3
    assert answers[0]["Location"] == answers[1]["Location"] != answers[2]["Location"]
    assert _planned() == (2, 2)
