"""R1: the seeded catalogue, typed features, and versioning that never rewrites an old contract."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.catalogue.features import FeatureError, Features, Objective, merge
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.factories import PASSWORD, ClientFactory, OrderFactory, StaffFactory


@pytest.mark.django_db
def test_the_seed_catalogue_ships_the_vendors_four_plans_with_the_seed_numbers():
    premium = Offering.objects.get(code="premium").current_version().typed_features
    assert premium.designated_user_limit == 10
    assert premium.event_discount_percent == 50
    assert premium.objectives["initial_response"]["1"] == Objective(30, "weekdays-24h")
    assert premium.objectives["initial_response"]["3"] == Objective(240, "business-hours")
    assert set(Offering.objects.values_list("code", flat=True)) == {"maintenance", "premium", "tam", "support-24x7"}


@pytest.mark.django_db
def test_publishing_a_version_does_not_change_what_an_old_contract_bought(client):
    firm = ClientFactory()
    OrderFactory(client=firm, offerings=["premium"], effective_from=date(2026, 1, 1))
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    features = Offering.objects.get(code="premium").current_version().features | {"designated_user_limit": 15}
    response = client.post("/api/v1/catalogue/offerings/premium/versions",
                           {"effective_from": "2026-06-01", "features": features}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2
    assert entitlements_for(firm, date(2026, 7, 1)).features.designated_user_limit == 10
    newcomer = ClientFactory()
    OrderFactory(client=newcomer, offerings=["premium"], effective_from=date(2026, 7, 1))
    assert entitlements_for(newcomer, date(2026, 7, 1)).features.designated_user_limit == 15


@pytest.mark.django_db
def test_catalogue_edits_are_for_system_admins_and_bad_features_are_refused(client):
    agent = StaffFactory(staff_roles=["agent"])
    client.login(email=agent.email, password=PASSWORD)
    url = "/api/v1/catalogue/offerings/premium/versions"
    assert client.post(url, {"effective_from": "2026-06-01", "features": {}},
                       content_type="application/json").status_code == 403
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    bad = client.post(url, {"effective_from": "2026-06-01", "features": {"designated_user_limit": -1}},
                      content_type="application/json")
    assert bad.status_code == 422 and "designated_user_limit" in bad.json()["error"]["message"]


def test_features_refuse_unknown_keys_channels_and_calendars():
    for data in ({"teleport": True}, {"channels": ["fax"]},
                 {"objectives": {"initial_response": {"1": {"minutes": 30, "calendar": "lunar"}}}}):
        with pytest.raises(FeatureError):
            Features.from_json(data)


@pytest.mark.parametrize("features,named", [
    ({"maintenance": "yes"}, "maintenance"),
    ({"priority_queue": "false"}, "priority_queue"),
    ({"designated_user_limit": True}, "designated_user_limit"),
    ({"channels": "chat"}, "channels"),
    ({"objectives": []}, "objectives"),
    ({"objectives": {"initial_response": "30 minutes"}}, "initial_response"),
    ({"objectives": {"initial_response": {"1": 30}}}, "initial_response.1"),
    ({"objectives": {"initial_response": {"9": {"minutes": 30, "calendar": "24x7"}}}}, "severity"),
    ({"objectives": {"initial_response": {"1": {"minutes": True, "calendar": "24x7"}}}}, "minutes"),
])
@pytest.mark.django_db
def test_given_features_of_the_wrong_shape_when_published_then_422_names_the_feature_and_nothing_is_written(
        client, features, named):
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    versions_before = Offering.objects.get(code="premium").versions.count()
    response = client.post("/api/v1/catalogue/offerings/premium/versions",
                           {"effective_from": "2026-06-01", "features": features}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "catalogue.bad_features"
    assert named in response.json()["error"]["message"]
    assert Offering.objects.get(code="premium").versions.count() == versions_before


def test_merge_ors_booleans_takes_highest_limits_and_strictest_objectives():
    a = Features(maintenance=True, designated_user_limit=5,
                 objectives={"initial_response": {"1": Objective(60, "business-hours")}})
    b = Features(priority_queue=True, designated_user_limit=10, channels=frozenset({"chat"}),
                 objectives={"initial_response": {"1": Objective(30, "weekdays-24h"), "2": Objective(120, "24x7")}})
    merged = merge([a, b])
    assert merged.maintenance and merged.priority_queue
    assert merged.designated_user_limit == 10
    assert merged.objectives["initial_response"] == {"1": Objective(30, "weekdays-24h"), "2": Objective(120, "24x7")}
    assert Features.from_json(merged.to_json()) == merged


@pytest.mark.django_db
def test_catalogue_api_lists_offerings_with_their_entitlements(client):
    agent = StaffFactory(staff_roles=["agent"])
    client.login(email=agent.email, password=PASSWORD)
    offerings = client.get("/api/v1/catalogue/offerings").json()
    assert offerings["count"] == 4  # paginated like every list
    premium = next(o for o in offerings["items"] if o["code"] == "premium")
    assert premium["versions"][0]["features"]["priority_queue"] is True
    assert set(premium["versions"][0]["includes"]) == {"maintenance", "tam"}
    assert premium["features"]["designated_user_limit"] == 10 and premium["features"]["event_discount_percent"] == 50
    assert set(premium["includes"]) == {"maintenance", "tam"}
    severities = client.get("/api/v1/catalogue/severities").json()
    assert [s["level"] for s in severities["items"]] == [1, 2, 3]
    assert client.get("/api/v1/catalogue/offerings", {"page": 2}).json() == {"items": [], "count": 4}


@pytest.mark.django_db
def test_the_admin_site_cannot_add_edit_or_delete_an_offering_version(client):
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    version = Offering.objects.get(code="premium").current_version()
    base = "/admin/catalogue/offeringversion"
    assert client.get(f"{base}/").status_code == 200  # still listed
    assert client.get(f"{base}/add/").status_code == 403
    assert client.post(f"{base}/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Offering.objects.get(code="premium").versions.filter(pk=version.pk).exists()


@pytest.mark.django_db
def test_given_one_feature_edited_when_published_then_the_other_features_are_kept(client):
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    response = client.post("/api/v1/catalogue/offerings/premium/versions",
                           {"effective_from": "2026-06-01", "features": {"designated_user_limit": 12}},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    published = Offering.objects.get(code="premium").current_version()
    assert published.typed_features.designated_user_limit == 12
    assert published.typed_features.priority_queue and published.typed_features.event_discount_percent == 50
    assert published.typed_features.objectives["initial_response"]["1"] == Objective(30, "weekdays-24h")
    assert sorted(response.json()["includes"]) == ["maintenance", "tam"]


@pytest.mark.django_db
def test_a_system_admin_changes_what_an_offering_includes_and_unknown_codes_are_refused(client):
    admin = StaffFactory(staff_roles=["sysadmin"])
    client.login(email=admin.email, password=PASSWORD)
    url = "/api/v1/catalogue/offerings/premium/versions"
    for includes, named in ((["gold"], "gold"), (["premium"], "itself")):
        bad = client.post(url, {"effective_from": "2026-06-01", "features": {}, "includes": includes},
                          content_type="application/json")
        assert bad.status_code == 422 and named in bad.json()["error"]["message"]
        assert "includes" in bad.json()["error"]["fields"]
    changed = client.post(url, {"effective_from": "2026-06-01", "features": {}, "includes": ["maintenance"]},
                          content_type="application/json")
    assert changed.status_code == 201, changed.content
    assert changed.json()["includes"] == ["maintenance"]
    assert Offering.objects.get(code="premium").versions.count() == 2


def test_an_objective_longer_than_the_engine_takes_is_refused():
    from supportdesk.catalogue.features import MAX_TARGET_MINUTES, FeatureError, Objective

    assert Objective(MAX_TARGET_MINUTES, "24x7").minutes == MAX_TARGET_MINUTES
    with pytest.raises(FeatureError, match="at most"):
        Objective(MAX_TARGET_MINUTES + 1, "24x7")
