"""POST /api/v1/tickets/ answers with the ticket it opened, exactly as GET shows it afterwards."""

from __future__ import annotations

import pytest

from supportdesk.factories import ClientUserFactory, StaffFactory, premium_client

pytestmark = pytest.mark.django_db
SAME_FIELDS = ("id", "number", "client_id", "client", "requester_id", "requester", "subject", "severity", "status",
               "channel", "queue", "assignee_id", "version", "sla_due_at", "sla_state", "created_at", "updated_at")


def _created_then_read(http, payload):  # noqa: ANN001, ANN202
    created = http.post("/api/v1/tickets/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    read = http.get(f"/api/v1/tickets/{created.json()['id']}")
    assert read.status_code == 200
    return created.json(), read.json()


def test_given_an_agent_opening_for_a_client_user_then_the_answer_equals_the_ticket_read_back(as_person):
    requester = ClientUserFactory(client=premium_client())
    created, read = _created_then_read(as_person(StaffFactory()), {
        "subject": "Sync fails", "body": "Since the upgrade", "severity": 2, "requester_id": requester.pk})
    assert {k: created[k] for k in SAME_FIELDS} == {k: read[k] for k in SAME_FIELDS}
    assert created["sla_due_at"] is not None


def test_given_a_client_user_opening_their_own_then_the_answer_equals_the_ticket_read_back(as_person):
    requester = ClientUserFactory(client=premium_client())
    created, read = _created_then_read(as_person(requester), {"subject": "Sync fails", "body": "Since the upgrade"})
    assert {k: created[k] for k in SAME_FIELDS} == {k: read[k] for k in SAME_FIELDS}
