"""Designation endpoints and pages x every role x own/foreign client: the client's admin, its current TAM,
managers and system admins manage; people who cannot see the client get 404, the others 403."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from supportdesk.accounts.designations import active_designations, designate
from supportdesk.accounts.models import Designation
from supportdesk.factories import ClientUserFactory

ROLES = ["client_admin", "designated", "client_user", "agent", "tam", "manager", "billing", "sysadmin", None]
MANAGERS = {"manager", "sysadmin"}


def expected(role: str | None, which: str) -> int:
    if role is None:
        return 401
    if role in ("client_admin", "designated", "client_user"):
        if which == "other":
            return 404
        return 200 if role == "client_admin" else 403
    if role in MANAGERS or (role == "tam" and which == "own"):
        return 200
    return 403


@contextmanager
def rolled_back() -> Iterator[None]:
    """Every role starts from the same world: one world per test, each role tried in a savepoint."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("endpoint", ["list", "designate", "remove"])
def test_designation_endpoints_follow_the_policy(world, as_person, which, endpoint):
    # Given a client with one designated user and one candidate
    client = world[which]
    designated = world["people"]["designated"] if which == "own" else ClientUserFactory(client=client)
    if which == "other":
        designate(None, client=client, user=designated)
    candidate = ClientUserFactory(client=client)
    base = f"/api/v1/clients/{client.pk}/designations"
    for role in ROLES:
        with rolled_back():
            before = list(Designation.objects.values_list("id", "end"))
            http = as_person(world["people"][role] if role else None)
            # When the person calls the endpoint
            if endpoint == "list":
                response = http.get(base)
            elif endpoint == "designate":
                response = http.post(base, {"user_id": candidate.pk}, content_type="application/json")
            else:
                response = http.delete(f"{base}/{designated.pk}")
            # Then the policy decides, and a refusal changes nothing
            want = expected(role, which)
            if want == 200 and endpoint == "designate":
                want = 201
            assert response.status_code == want, (role, response.content)
            if want >= 400:
                assert list(Designation.objects.values_list("id", "end")) == before
                code = response.json()["error"]["code"]
                assert code == {401: "unauthenticated", 403: "designation.forbidden", 404: "not_found"}[want]
            elif endpoint == "list":
                body = response.json()
                assert body["limit"] == 10 and body["count"] == 1
                assert [d["email"] for d in body["current"]] == [designated.email]
            elif endpoint == "remove":
                assert response.json()["end"] is not None


def test_list_shows_current_and_history_after_a_replacement(world, as_person):
    people = world["people"]
    http = as_person(people["client_admin"])
    base = f"/api/v1/clients/{world['own'].pk}/designations"
    assert http.delete(f"{base}/{people['designated'].pk}").status_code == 200
    assert http.post(base, {"user_id": people["client_user"].pk}, content_type="application/json").status_code == 201
    body = http.get(base).json()
    assert [d["email"] for d in body["current"]] == [people["client_user"].email]
    assert {(d["email"], d["end"] is None) for d in body["history"]} == {
        (people["designated"].email, False), (people["client_user"].email, True)}


def test_designating_someone_of_another_client_is_refused_with_a_stable_code(world, as_person):
    http = as_person(world["people"]["client_admin"])
    response = http.post(f"/api/v1/clients/{world['own'].pk}/designations",
                         {"user_id": world["people"]["foreigner"].pk}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "designation.not_client_user"
    assert list(response.json()["error"]["fields"]) == ["user_id"]  # the body's field, as sent


def test_portal_page_shows_n_of_10_designates_and_shows_the_limit_in_place(world, as_person):
    own = world["own"]
    http = as_person(world["people"]["client_admin"])
    page = http.get("/portal/designated/")
    assert page.status_code == 200
    assert "1 of 10" in page.content.decode()
    response = http.post("/portal/designated/", {"user": world["people"]["client_user"].pk})
    assert response.status_code == 302
    assert active_designations(own).count() == 2
    for _ in range(8):
        designate(None, client=own, user=ClientUserFactory(client=own))
    extra = ClientUserFactory(client=own)
    refused = http.post("/portal/designated/", {"user": extra.pk})
    assert refused.status_code == 200
    assert "10 of 10 designated users, the limit of its plan" in refused.content.decode()
    assert active_designations(own).count() == 10
    removed = http.post("/portal/designated/", {"remove": world["people"]["client_user"].pk})
    assert removed.status_code == 302
    assert active_designations(own).count() == 9


def test_portal_page_is_for_client_admins_only(world, as_person):
    for role in ["designated", "client_user", "agent", "manager"]:
        assert as_person(world["people"][role]).get("/portal/designated/").status_code == 404
    assert as_person(None).get("/portal/designated/").status_code == 302


def test_console_page_follows_the_policy(world, as_person):
    for role, which, status in [
        ("tam", "own", 200), ("tam", "other", 403), ("manager", "other", 200), ("sysadmin", "own", 200),
        ("agent", "own", 403), ("billing", "own", 403), ("client_admin", "own", 404), ("foreign_admin", "own", 404),
    ]:
        response = as_person(world["people"][role]).get(f"/console/clients/{world[which].pk}/designated/")
        assert response.status_code == status, (role, which)
        if status == 403:
            assert "manage designated users" in response.content.decode()
    page = as_person(world["people"]["tam"]).get(f"/console/clients/{world['own'].pk}/designated/").content.decode()
    assert "1 of 10" in page


def test_the_clients_tam_designates_and_removes_from_the_console(world, as_person):
    own, people = world["own"], world["people"]
    http = as_person(people["tam"])
    url = f"/console/clients/{own.pk}/designated/"
    assert http.post(url, {"user": people["client_user"].pk}).status_code == 302
    assert http.post(url, {"remove": people["designated"].pk}).status_code == 302
    assert [d.user for d in active_designations(own)] == [people["client_user"]]
    refused = as_person(people["agent"]).post(url, {"user": people["client_admin"].pk})
    assert refused.status_code == 403
    assert [d.user for d in active_designations(own)] == [people["client_user"]]


@pytest.mark.parametrize("remove", ["abc", "1.5", "-1", "99999999999999999999", "²"])
def test_a_tampered_remove_id_on_the_pages_is_refused_in_place_and_changes_nothing(world, as_person, remove):
    # Given the designated-users pages of the client admin and of the client's TAM
    for who, url in [("client_admin", "/portal/designated/"), ("tam", f"/console/clients/{world['own'].pk}/designated/")]:
        before = list(Designation.objects.values_list("id", "end"))
        # When the form posts a "remove" value that names nobody
        response = as_person(world["people"][who]).post(url, {"remove": remove})
        # Then the page answers with the refusal in place (not a server error) and nothing changed
        assert response.status_code == 200, (who, remove)
        assert "No such client user" in response.content.decode()
        assert list(Designation.objects.values_list("id", "end")) == before
