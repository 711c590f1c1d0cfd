"""JSON `true` is not a number: a weekday, duration or id sent as a boolean is refused with 422 naming the
field, and nothing is planned (pydantic's lax mode would read it as 1: a Tuesday call, window #1, TAM #1)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.tam import upgrades
from supportdesk.tam.models import CallSeries, UpgradeStatus


def _post(http, url: str, body: dict):  # noqa: ANN001, ANN202
    return http.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field", ["weekday", "duration_minutes"])
def test_given_a_boolean_number_when_planning_a_call_series_then_422_and_no_series(world, as_person, field):
    # Given the client's TAM
    http = as_person(world["people"]["tam"])
    body = {"cadence": "weekly", "weekday": 1, "local_time": "10:00", "duration_minutes": 60, field: True}
    # When a series is planned with JSON true as a number
    response = _post(http, f"/api/v1/tam/clients/{world['own'].pk}/series", body)
    # Then it is refused naming the field, and no series (nor invitation) exists
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not CallSeries.objects.exists()


def test_given_a_series_when_patched_with_a_boolean_weekday_then_422_and_the_pattern_stays(world, as_person):
    http = as_person(world["people"]["tam"])
    created = _post(http, f"/api/v1/tam/clients/{world['own'].pk}/series",
                    {"cadence": "weekly", "weekday": 3, "local_time": "10:00"})
    assert created.status_code == 201, created.content
    response = http.patch(f"/api/v1/tam/series/{created.json()['id']}", json.dumps({"weekday": True}),
                          content_type="application/json")
    assert response.status_code == 422, response.content
    assert "weekday" in response.json()["error"]["fields"]
    assert CallSeries.objects.get().weekday == 3


def test_given_proposed_windows_when_the_client_confirms_window_true_then_422_and_still_proposed(world, as_person):
    # Given an upgrade proposal whose first window has id 1
    start = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    plan = upgrades.propose_upgrade(world["people"]["tam"], client=world["own"], product="Case Manager",
                                    installed_version="7.2", target_version="8.0",
                                    windows=[(start, start + timedelta(hours=4))])
    # When the client admin confirms with JSON true as the window id
    response = _post(as_person(world["people"]["client_admin"]), f"/api/v1/tam/upgrades/{plan.pk}/confirm",
                     {"window_id": True})
    # Then it is refused and nothing is confirmed
    assert response.status_code == 422, response.content
    assert "window_id" in response.json()["error"]["fields"]
    plan.refresh_from_db()
    assert plan.status == UpgradeStatus.PROPOSED


def test_given_a_boolean_tam_id_when_reassigning_then_422_and_the_tam_stays(world, as_person):
    from supportdesk.accounts.actions import current_tam

    response = _post(as_person(world["people"]["manager"]), f"/api/v1/tam/clients/{world['own'].pk}/assignment",
                     {"tam_id": True})
    assert response.status_code == 422, response.content
    assert "tam_id" in response.json()["error"]["fields"]
    assert current_tam(world["own"]) == world["people"]["tam"]
