"""An event's capacity sent as JSON `true` is refused (422 naming it), not read as one seat."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.factories import StaffFactory
from supportdesk.learning.models import Event


@pytest.mark.django_db
def test_given_capacity_true_when_a_manager_creates_an_event_then_422_and_no_event(as_person):
    starts = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    body = {"title": "Webinar", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": True, "fee": "100.00"}
    response = as_person(StaffFactory(staff_roles=["manager"])).post(
        "/api/v1/learning/events", json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert "capacity" in response.json()["error"]["fields"]
    assert not Event.objects.exists()
