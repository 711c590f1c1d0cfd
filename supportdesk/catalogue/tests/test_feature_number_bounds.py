"""A plan's onsite visits (R10) are whole numbers from 0 to 365 (`MAX_ONSITE_VISITS`), like its designated-user
limit: a new catalogue version outside that is refused naming the feature, nothing written. Every refused feature is
named down to the field (`features.<feature>`, an objective `features.objectives.<metric>.<severity>`), not just
`features`."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.catalogue.features import MAX_ONSITE_VISITS, MAX_TARGET_MINUTES
from supportdesk.catalogue.models import Offering
from supportdesk.factories import PASSWORD, StaffFactory

URL = "/api/v1/catalogue/offerings/tam/versions"
pytestmark = pytest.mark.django_db


def _publish(features: dict):  # noqa: ANN202
    http = HttpClient()
    http.login(email=StaffFactory(staff_roles=["sysadmin"]).email, password=PASSWORD)
    return http.post(URL, {"effective_from": "2026-06-01", "features": features}, content_type="application/json")


def _tam_versions() -> int:
    return Offering.objects.get(code="tam").versions.count()


@pytest.mark.parametrize("feature", ["onsite_visits_per_year", "extra_onsite_visits"])
@pytest.mark.parametrize("visits", [MAX_ONSITE_VISITS + 1, 10**6, 10**12, 2**63, 10**30, -1])
def test_given_onsite_visits_outside_0_to_365_when_a_version_is_published_then_422_names_the_feature(feature, visits):
    # Given the seeded TAM offering
    before = _tam_versions()
    # When a system admin publishes a version with that many visits a year
    response = _publish({feature: visits})
    # Then it is refused in the API's error shape naming the feature, and no version is written
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "catalogue.bad_features"
    assert list(error["fields"]) == [f"features.{feature}"]
    if visits > 0:
        assert f"{feature} must be a whole number from 0 to {MAX_ONSITE_VISITS}" in error["message"]
    assert _tam_versions() == before


@pytest.mark.parametrize("feature", ["onsite_visits_per_year", "extra_onsite_visits"])
@pytest.mark.parametrize("visits", [0, MAX_ONSITE_VISITS])
def test_given_onsite_visits_at_either_bound_when_published_then_they_are_kept(feature, visits):
    response = _publish({feature: visits})
    assert response.status_code == 201, response.content
    assert response.json()["features"][feature] == visits


@pytest.mark.parametrize(("features", "field"), [
    ({"event_discount_percent": 101}, "features.event_discount_percent"),
    ({"event_discount_percent": 10**30}, "features.event_discount_percent"),
    ({"case_scrub_cadence": "daily"}, "features.case_scrub_cadence"),
    ({"dedicated_tam": 1}, "features.dedicated_tam"),
    ({"channels": ["fax"]}, "features.channels"),
    ({"objectives": {"initial_response": {"1": {"minutes": MAX_TARGET_MINUTES + 1, "calendar": "24x7"}}}},
     "features.objectives.initial_response.1"),
    ({"objectives": {"initial_response": {"2": {"minutes": 10**30, "calendar": "24x7"}}}},
     "features.objectives.initial_response.2"),
    ({"objectives": {"resolution": {"3": {"minutes": 0, "calendar": "24x7"}}}}, "features.objectives.resolution.3"),
    ({"objectives": {"uptime": {}}}, "features.objectives"),
])
def test_given_a_bad_feature_value_when_published_then_the_refusal_names_that_feature(features, field):
    before = _tam_versions()
    response = _publish(features)
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert _tam_versions() == before
