"""A call logged by hand and retried after a timeout (Idempotency-Key) or sent twice from the log form (a double
click) is logged once: one call, one message on the ticket, and the retry answered with the first call."""

from __future__ import annotations

import re

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.telephony import actions
from supportdesk.telephony.models import Call
from supportdesk.tickets.models import Message

CALL = {"direction": "outbound", "outcome": "connected", "number": "+14165550123", "duration_minutes": 12,
        "summary": "Walked through the restore"}


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    return {"agent": StaffFactory(staff_roles=["agent"]), "other_agent": StaffFactory(staff_roles=["agent"]),
            "ticket": TicketFactory()}


def _post(http, ticket, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post("/api/v1/phone/calls", {"ticket_id": ticket.pk, **body}, content_type="application/json",
                     **headers)


def _logged() -> tuple[int, int]:
    """Calls, and the messages they added to tickets."""
    return Call.objects.count(), Message.objects.filter(source_id__startswith="call:manual:").count()


def test_given_a_call_log_retried_with_its_key_then_one_call_one_message_and_the_first_answer(world, as_person):
    # Given an agent's logged call, its answer lost to a timeout
    http = as_person(world["agent"])
    first = _post(http, world["ticket"], CALL, "call-1")
    # When the client retries the same POST with the same key
    again = _post(http, world["ticket"], CALL, "call-1")
    # Then the retry answers the first call with 200, and the ticket shows the call once
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert _logged() == (1, 1)


@pytest.mark.parametrize("other", [{"direction": "inbound"}, {"outcome": "voicemail_left"}, {"number": "+14165550124"},
                                   {"duration_minutes": 13}, {"summary": "Another call"}])
def test_given_a_key_reused_for_another_call_then_422_and_nothing_logged(world, as_person, other):
    http = as_person(world["agent"])
    assert _post(http, world["ticket"], CALL, "call-2").status_code == 201
    answer = _post(http, world["ticket"], {**CALL, **other}, "call-2")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "phone.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _logged() == (1, 1)


def test_given_a_key_reused_on_another_ticket_then_422(world, as_person):
    http = as_person(world["agent"])
    assert _post(http, world["ticket"], CALL, "call-3").status_code == 201
    answer = _post(http, TicketFactory(), CALL, "call-3")
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "phone.idempotency_key_reused")


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_logged(world, as_person, key):
    answer = _post(as_person(world["agent"]), world["ticket"], CALL, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "phone.bad_idempotency_key")
    assert _logged() == (0, 0)


def test_given_the_same_key_from_two_agents_or_no_key_then_each_post_is_a_call(world, as_person):
    a = _post(as_person(world["agent"]), world["ticket"], CALL, "same")
    b = _post(as_person(world["other_agent"]), world["ticket"], CALL, "same")
    c, d = (_post(as_person(world["agent"]), world["ticket"], CALL, None) for _ in range(2))
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4
    assert _logged() == (4, 4)


def test_the_openapi_document_names_the_header_and_both_successes(world, as_person):
    operation = as_person(world["agent"]).get("/api/v1/openapi.json").json()["paths"]["/api/v1/phone/calls"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_unique_key_decides_and_its_message_rolls_back(
        world, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    first = actions.record_call(world["agent"], world["ticket"], idempotency_key="race", **CALL)
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry writes its call and the unique key refuses it
    again = actions.record_call(world["agent"], world["ticket"], idempotency_key="race", **CALL)
    # Then it answers the first call, and the message it had added was rolled back with it
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert _logged() == (1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_call(tmp_path):
    # Given an agent and a ticket (SQLite: a WAL file every thread's connection shares)
    agent, ticket = StaffFactory(staff_roles=["agent"]), TicketFactory()
    with shared_file_database(tmp_path):
        # When three attempts with the same key are released together
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.record_call(
            agent, ticket, idempotency_key="same", **CALL))
        # Then one call is logged, with one message, and every attempt answers it
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(Call.objects.values_list("pk", flat=True))
        assert _logged() == (1, 1)


def test_given_the_log_form_sent_twice_then_one_call_and_an_edited_one_is_new(world, as_person):
    # Given an agent on the ticket's call log page, with its form as it was rendered
    http = as_person(world["agent"])
    url = f"/phone/log/{world['ticket'].pk}/"
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
    assert found, "the call log form carries its submission value"
    sent = {**CALL, "submission": found.group(1)}
    # When it is sent twice (a double click), then once more with another summary (Back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "summary": "Called back"})]
    # Then the two identical ones logged one call; the edited one is a second call
    assert [a.status_code for a in answers] == [302] * 3
    assert _logged() == (2, 2)
