"""An escalation to the TAM retried after a timeout (Idempotency-Key) or sent twice from the ticket's panel (a
double click) is recorded and mailed once; the retry is answered with the ticket as it is now."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import actions
from supportdesk.tickets.models import TicketEvent

BODY = {"reason": "Customer threatens to churn", "assign": True}


def _post(http, ticket, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/tam/tickets/{ticket.pk}/escalate", body, content_type="application/json", **headers)


def _escalated() -> tuple[int, int]:
    """Escalation events on tickets, and mails to the TAM."""
    return (TicketEvent.objects.filter(kind="ticket.escalated_to_tam").count(),
            OutboxItem.objects.filter(topic="tam.escalation").count())


def test_given_an_escalation_retried_with_its_key_then_one_event_and_one_mail(world, as_person):
    # Given an agent's escalation, its answer lost to a timeout
    http = as_person(world["people"]["agent"])
    first = _post(http, world["ticket"], BODY, "esc-1")
    # When the client retries the same POST with the same key
    again = _post(http, world["ticket"], BODY, "esc-1")
    # Then the retry answers 200 with the same ticket, and the TAM was mailed once
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() == {"ticket_id": world["ticket"].pk, "tam_id": world["people"]["tam"].pk,
                                            "assignee_id": world["people"]["tam"].pk}
    assert _escalated() == (1, 1)


def test_the_key_is_kept_off_the_tickets_history_which_webhooks_publish(world, as_person):
    _post(as_person(world["people"]["agent"]), world["ticket"], BODY, "secret-looking-key")
    event = TicketEvent.objects.get(kind="ticket.escalated_to_tam")
    assert "secret-looking-key" not in str(event.data) and set(event.data) == {"tam", "tam_id", "reason", "assigned"}


@pytest.mark.parametrize("other", [{"reason": "Another reason"}, {"assign": False}])
def test_given_a_key_reused_for_another_escalation_then_422_and_nothing_sent(world, as_person, other):
    http = as_person(world["people"]["agent"])
    assert _post(http, world["ticket"], BODY, "esc-2").status_code == 201
    answer = _post(http, world["ticket"], {**BODY, **other}, "esc-2")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "tam.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _escalated() == (1, 1)


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_sent(world, as_person, key):
    answer = _post(as_person(world["people"]["agent"]), world["ticket"], BODY, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "tam.bad_idempotency_key")
    assert _escalated() == (0, 0)


def test_given_no_key_or_another_persons_key_then_each_post_escalates(world, as_person):
    assert _post(as_person(world["people"]["agent"]), world["ticket"], BODY, "same").status_code == 201
    assert _post(as_person(world["people"]["manager"]), world["ticket"], BODY, "same").status_code == 201
    assert _post(as_person(world["people"]["agent"]), world["ticket"], BODY, None).status_code == 201
    assert _escalated() == (3, 3)


def test_the_openapi_document_names_the_header_and_both_successes(world, as_person):
    operation = as_person(world["people"]["agent"]).get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/tam/tickets/{ticket_id}/escalate"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_escalation(tmp_path):
    from supportdesk.accounts.actions import assign_tam
    from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

    client, tam, agent = premium_client(name="Race Firm"), StaffFactory(staff_roles=["tam"]), StaffFactory()
    assign_tam(None, client=client, tam=tam)
    ticket = TicketFactory(requester=ClientUserFactory(client=client))
    with shared_file_database(tmp_path):
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.escalate(
            agent, ticket, reason="Churn risk", idempotency_key="same"))
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert _escalated() == (1, 1)


def test_given_the_panels_form_sent_twice_then_one_escalation_and_one_mail(world, as_person):
    # Given an agent on the ticket's page, whose TAM panel carries the escalation form
    http = as_person(world["people"]["agent"])
    page = http.get(f"/console/tickets/{world['ticket'].pk}/").content.decode()
    form = page[page.index("/escalate/"):]
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', form)
    assert found, "the escalation form carries its submission value"
    # When it is sent twice (a double click)
    sent = {"reason": "help", "submission": found.group(1)}
    answers = [http.post(f"/tam/tickets/{world['ticket'].pk}/escalate/", sent) for _ in range(2)]
    # Then the TAM is mailed once
    assert [a.status_code for a in answers] == [302, 302]
    assert _escalated() == (1, 1)
