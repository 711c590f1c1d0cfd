"""GET /api/v1/oncall/now?at=…: an instant far outside any rota is a clear 422, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def agent_http() -> HttpClient:
    agent = StaffFactory(staff_roles=["agent"])
    http = HttpClient()
    http.login(email=agent.email, password=PASSWORD)
    return http


@pytest.mark.parametrize("at", ["9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+00:00", "1969-12-31T23:59:59+00:00",
                                "2200-01-01T00:00:00+00:00", "9999-12-31T23:59:59-14:00"])
def test_given_an_instant_out_of_range_when_asking_who_is_on_call_then_422_names_the_field(at):
    response = agent_http().get("/api/v1/oncall/now", {"at": at})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == {"at": "out of range"}


def test_given_an_instant_in_range_then_the_answer_says_whether_it_is_in_business_hours():
    response = agent_http().get("/api/v1/oncall/now", {"at": "2026-03-10T15:00:00+00:00"})  # Tuesday 11:00 Toronto
    assert response.status_code == 200, response.content
    assert response.json()["in_business_hours"] is True and response.json()["on_call"] is None
