"""Integration tokens managed by system admins on the web (/tokens/) and through the API (/api/v1/tokens, §11):
listed without secrets and paged, made for a person with the secret shown once (a form sent twice makes one), revoked
after confirming, after which the token is refused. Everyone else gets 404, as for webhooks."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.accounts.actions import create_token, revoke_token
from supportdesk.accounts.models import AccountEvent, ApiToken
from supportdesk.factories import ClientUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():  # noqa: ANN201
    return StaffFactory(staff_roles=["sysadmin"])


def bearer(secret: str) -> HttpClient:
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {secret}")


def as_admin_by_token(admin) -> HttpClient:  # noqa: ANN001
    return bearer(create_token(None, user=admin, name="admin's own")[1])


def test_given_tokens_when_the_admin_opens_the_screen_then_they_are_listed_without_secrets(as_person, admin):
    # Given an active and a revoked token
    agent = StaffFactory(staff_roles=["agent"], email="sync@vendor.example")
    live, live_secret = create_token(None, user=agent, name="crm sync")
    old, old_secret = create_token(None, user=agent, name="old export")
    revoke_token(None, old)
    bearer(live_secret).get("/api/v1/tickets/")  # last used: now
    # When the admin opens the screen
    response = as_person(admin).get("/tokens/")
    # Then both are there with their person, name and state, and no secret or hash
    html = response.content.decode()
    assert response.status_code == 200
    assert live.prefix in html and old.prefix in html and "sync@vendor.example" in html
    assert "crm sync" in html and "old export" in html and "active" in html and "revoked" in html
    assert live_secret not in html and old_secret not in html
    assert ApiToken.objects.get(pk=live.pk).key_hash not in html
    assert f"/tokens/{live.prefix}/revoke/" in html and f"/tokens/{old.prefix}/revoke/" not in html
    assert 'href="/tokens/"' in html  # in the system admin's navigation


def test_given_many_tokens_when_listed_then_they_are_paged(as_person, admin):
    person = StaffFactory()
    for n in range(27):
        create_token(None, user=person, name=f"hook {n:02d}")

    first, second = as_person(admin).get("/tokens/"), as_person(admin).get("/tokens/?page=2")

    assert "Page 1 of 2" in first.content.decode() and "?page=2" in first.content.decode()
    assert "hook 00" in second.content.decode() and "hook 26" not in second.content.decode()


def test_given_the_form_when_the_admin_creates_a_token_then_its_secret_is_shown_once_and_it_works(as_person, admin):
    person = ClientUserFactory(email="robot@client.example")
    http = as_person(admin)

    created = http.post("/tokens/", {"email": "Robot@client.example", "name": "ticket bridge",
                                     "submission": "a" * 32})

    assert created.status_code == 201
    token = ApiToken.objects.get()
    assert token.user == person and token.name == "ticket bridge" and token.created_by == admin
    secret = created.context["issued"].secret
    html = created.content.decode()
    assert secret in html and "it will not be shown again" in html
    assert "no-store" in created["Cache-Control"]
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200
    assert secret not in http.get("/tokens/").content.decode()
    assert AccountEvent.objects.filter(kind="token.created", actor=admin, data__prefix=token.prefix).count() == 1


def test_given_the_form_sent_twice_when_creating_then_one_token_and_no_second_secret(as_person, admin):
    StaffFactory(email="bot@vendor.example")
    http = as_person(admin)
    sent = {"email": "bot@vendor.example", "name": "bridge", "submission": "b" * 32}

    first, again = http.post("/tokens/", sent), http.post("/tokens/", sent)

    assert first.status_code == 201 and again.status_code == 200
    assert ApiToken.objects.count() == 1
    assert first.context["issued"].secret not in again.content.decode()
    assert "already sent" in again.content.decode()
    # An edited form (another name) is new work, not a replay
    assert http.post("/tokens/", {**sent, "name": "bridge 2"}).status_code == 201
    assert ApiToken.objects.count() == 2


@pytest.mark.parametrize(("email", "expected"), [("nobody@vendor.example", "No one has this email"),
                                                 ("gone@vendor.example", "deactivated")])
def test_given_an_unknown_or_deactivated_person_when_creating_then_the_form_says_why(as_person, admin, email,
                                                                                      expected):
    gone = StaffFactory(email="gone@vendor.example")
    gone.is_active = False
    gone.save()

    response = as_person(admin).post("/tokens/", {"email": email, "name": "x", "submission": "c" * 32})

    assert response.status_code == 422 and expected in response.content.decode()
    assert not ApiToken.objects.exists()


def test_given_a_token_when_the_admin_confirms_revoking_then_its_next_request_is_refused(as_person, admin):
    token, secret = create_token(None, user=StaffFactory(), name="crm")
    http = as_person(admin)

    asked = http.get(f"/tokens/{token.prefix}/revoke/")
    assert asked.status_code == 200 and ApiToken.objects.get(pk=token.pk).revoked_at is None  # GET only asks
    done = http.post(f"/tokens/{token.prefix}/revoke/", follow=True)

    assert done.redirect_chain[-1][0] == "/tokens/"
    assert "is revoked" in done.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert bearer(secret).get("/api/v1/tickets/").status_code == 401


def test_given_no_csrf_token_when_revoking_then_403_and_nothing_changes(admin):
    token, _ = create_token(None, user=StaffFactory(), name="crm")
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(admin)

    assert http.post(f"/tokens/{token.prefix}/revoke/").status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_given_two_tokens_sharing_a_prefix_when_the_admin_revokes_by_it_then_refused_naming_the_clash_and_neither_is_revoked(
        as_person, admin, tokens_sharing_a_prefix):
    (_, first_secret), (_, second_secret) = tokens_sharing_a_prefix
    http = as_person(admin)
    listed = http.get("/tokens/").content.decode()
    assert listed.count("sd_clash12") >= 2  # both rows show the one prefix

    asked = http.get("/tokens/sd_clash12/revoke/")
    sent = http.post("/tokens/sd_clash12/revoke/")

    for answer in (asked, sent):
        html = answer.content.decode()
        assert answer.status_code == 422
        assert "Two tokens share this prefix" in html
        assert "More than one token starts with sd_clash12, so none was revoked" in html
        assert "supportdesk token revoke" in html and "whole secret" in html
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert not AccountEvent.objects.filter(kind="token.revoked").exists()
    assert bearer(first_secret).get("/api/v1/tickets/").status_code == 200
    assert bearer(second_secret).get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize("prefix", ["sd_nothing", "sd_short", "sd_" + "x" * 40])
def test_given_a_prefix_no_token_has_when_the_admin_revokes_by_it_then_404_and_nothing_changes(as_person, admin,
                                                                                                prefix):
    token, secret = create_token(None, user=StaffFactory(), name="crm")
    http = as_person(admin)

    assert http.get(f"/tokens/{prefix}/revoke/").status_code == 404
    assert http.post(f"/tokens/{prefix}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize("role", ["agent", "manager", "client_admin"])
def test_given_someone_not_a_system_admin_when_reaching_the_screen_then_404_and_nothing_changes(world, as_person,
                                                                                               role):
    person = world["people"][role]
    token, secret = create_token(None, user=world["people"]["agent"], name="crm")
    http = as_person(person)

    assert http.get("/tokens/").status_code == 404
    assert http.post("/tokens/", {"email": person.email, "name": "mine"}).status_code == 404
    assert http.get(f"/tokens/{token.prefix}/revoke/").status_code == 404
    assert http.post(f"/tokens/{token.prefix}/revoke/").status_code == 404
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None
    assert 'href="/tokens/"' not in http.get("/").content.decode()
    assert as_person(None).get("/tokens/").status_code == 302  # anonymous: to sign-in


def test_given_the_api_when_the_admin_lists_then_tokens_are_paged_without_secrets(admin):
    person = StaffFactory(email="sync@vendor.example")
    secrets = [create_token(None, user=person, name=f"hook {n:02d}")[1] for n in range(26)]
    http = as_admin_by_token(admin)

    first, second = http.get("/api/v1/tokens"), http.get("/api/v1/tokens?page=2")

    assert first.status_code == 200 and first.json()["count"] == 27  # and the admin's own
    item = next(t for t in first.json()["items"] if t["name"] == "hook 25")
    assert item["user"] == "sync@vendor.example" and item["active"] is True and item["revoked_at"] is None
    assert set(item) == {"prefix", "user", "name", "created_at", "last_used_at", "revoked_at", "active"}
    assert len(second.json()["items"]) == 2
    assert not any(s in first.content.decode() + second.content.decode() for s in secrets)


def test_given_the_api_when_the_admin_creates_then_201_with_the_secret_once(admin):
    ClientUserFactory(email="robot@client.example")
    http = as_admin_by_token(admin)

    created = http.post("/api/v1/tokens", {"user": "robot@client.example", "name": "bridge"},
                        content_type="application/json")

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith(body["prefix"]) and body["user"] == "robot@client.example" and body["active"]
    assert bearer(body["secret"]).get("/api/v1/tickets/").status_code == 200
    assert body["secret"] not in http.get("/api/v1/tokens").content.decode()
    missing = http.post("/api/v1/tokens", {"user": "nobody@client.example"}, content_type="application/json")
    assert missing.status_code == 404


def test_given_the_api_when_the_admin_revokes_then_refused_next_and_409_again(admin):
    token, secret = create_token(None, user=StaffFactory(), name="crm")
    http = as_admin_by_token(admin)

    revoked = http.post(f"/api/v1/tokens/{token.prefix}/revoke")
    again = http.post(f"/api/v1/tokens/{token.prefix}/revoke")

    assert revoked.status_code == 200 and revoked.json()["active"] is False and revoked.json()["revoked_at"]
    assert bearer(secret).get("/api/v1/tickets/").status_code == 401
    assert again.status_code == 409 and again.json()["error"]["code"] == "token.already_revoked"
    assert http.post("/api/v1/tokens/sd_nothing/revoke").status_code == 404


def test_given_two_tokens_sharing_a_prefix_when_revoked_through_the_api_then_422_naming_the_clash_and_neither_is_revoked(
        admin, tokens_sharing_a_prefix):
    (_, first_secret), (_, second_secret) = tokens_sharing_a_prefix
    http = as_admin_by_token(admin)

    refused = http.post("/api/v1/tokens/sd_clash12/revoke")
    unknown = http.post("/api/v1/tokens/sd_nothing/revoke")

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "token.ambiguous_prefix" and error["fields"] == {"prefix": "ambiguous"}
    assert "More than one token starts with sd_clash12, so none was revoked" in error["message"]
    assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "No such token."
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert bearer(first_secret).get("/api/v1/tickets/").status_code == 200
    assert bearer(second_secret).get("/api/v1/tickets/").status_code == 200


@pytest.mark.parametrize("role", ["agent", "manager", "client_admin"])
def test_given_someone_not_a_system_admin_when_calling_the_api_then_404_and_nothing_changes(world, role):
    person = world["people"][role]
    token, _ = create_token(None, user=world["people"]["agent"], name="crm")
    http = bearer(create_token(None, user=person, name="theirs")[1])

    listed = http.get("/api/v1/tokens")
    made = http.post("/api/v1/tokens", {"user": person.email, "name": "more"}, content_type="application/json")
    revoked = http.post(f"/api/v1/tokens/{token.prefix}/revoke")

    assert (listed.status_code, made.status_code, revoked.status_code) == (404, 404, 404)
    assert ApiToken.objects.count() == 2 and not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_given_the_openapi_document_then_the_token_operations_are_described():
    from supportdesk.api import api

    paths = api.get_openapi_schema()["paths"]

    assert "secret" in paths["/api/v1/tokens"]["post"]["description"]
    assert "409" in {str(k) for k in paths["/api/v1/tokens/{prefix}/revoke"]["post"]["responses"]}
