"""A plan's designated-user limit (R6) is a whole number from 0 to 10,000 (`MAX_DESIGNATED_USERS`): a new catalogue
version outside that is refused naming the feature; a version stored before the bound still reads, and designating
under it never enumerates the limit (a huge one was a 500)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.accounts.designations import designate
from supportdesk.catalogue.features import MAX_DESIGNATED_USERS
from supportdesk.catalogue.models import Offering, OfferingVersion
from supportdesk.contracts.models import OrderLine
from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, premium_client

URL = "/api/v1/catalogue/offerings/premium/versions"
pytestmark = pytest.mark.django_db


def _publish(features: dict):  # noqa: ANN202
    http = HttpClient()
    http.login(email=StaffFactory(staff_roles=["sysadmin"]).email, password=PASSWORD)
    return http.post(URL, {"effective_from": "2026-06-01", "features": features}, content_type="application/json")


def _premium_versions() -> int:
    return Offering.objects.get(code="premium").versions.count()


@pytest.mark.parametrize("limit", [MAX_DESIGNATED_USERS + 1, 10**12, 10**30, -1])
def test_given_a_limit_outside_0_to_10000_when_a_version_is_published_then_422_names_the_feature(limit):
    # Given the seeded Premium plan (10 designated users)
    before = _premium_versions()
    # When a system admin publishes a version with a limit out of bounds
    response = _publish({"designated_user_limit": limit})
    # Then the refusal names the feature in the API's error shape, and no version is written
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "catalogue.bad_features"
    assert list(error["fields"]) == ["features.designated_user_limit"]
    assert "designated_user_limit must be a whole number" in error["message"]
    if limit > 0:
        assert f"from 0 to {MAX_DESIGNATED_USERS}" in error["message"]
    assert _premium_versions() == before


@pytest.mark.parametrize("limit", [0, MAX_DESIGNATED_USERS])
def test_given_a_limit_at_either_bound_when_published_then_it_is_kept(limit):
    response = _publish({"designated_user_limit": limit})
    assert response.status_code == 201, response.content
    assert response.json()["features"]["designated_user_limit"] == limit


def test_given_a_version_stored_before_the_bound_then_designating_works_and_a_new_version_must_bring_it_in():
    # Given a Premium client whose plan version was stored with a huge limit before the bound existed
    client = premium_client()
    version = OfferingVersion.objects.get(pk=OrderLine.objects.get(order__client=client).offering_version_id)
    OfferingVersion.objects.filter(pk=version.pk).update(
        features={**version.features, "designated_user_limit": 10**12})
    admin, person = (ClientUserFactory(client=client, client_role="client_admin"), ClientUserFactory(client=client))
    # When the client admin designates someone
    designation = designate(admin, client=client, user=person)
    # Then it takes the first place (it used to build a set of every place up to the limit: a 500)
    assert designation.slot == 1
    # and the designations page of the API reads the stored limit as it is
    http = HttpClient()
    http.force_login(admin)
    listed = http.get(f"/api/v1/clients/{client.pk}/designations")
    assert listed.status_code == 200 and listed.json()["limit"] == 10**12
    # When a system admin publishes a change of another feature, keeping that limit
    response = _publish({"event_discount_percent": 40})
    # Then the kept limit is what the refusal names: a new version is within the bounds
    assert response.status_code == 422 and list(response.json()["error"]["fields"]) == ["features.designated_user_limit"]
    assert _publish({"event_discount_percent": 40, "designated_user_limit": 25}).status_code == 201
