"""Sign-in is rate limited; pages carry protective headers; tokens are stored hashed."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from supportdesk.accounts.models import ApiToken
from supportdesk.factories import StaffFactory


@pytest.fixture(autouse=True)
def _fresh_cache():  # noqa: ANN202
    cache.clear()


@pytest.mark.django_db
def test_password_guessing_is_slowed_to_ten_tries_a_minute(client):
    user = StaffFactory()
    codes = [client.post("/login/", {"username": user.email, "password": f"wrong-{i}"}).status_code
             for i in range(12)]
    assert codes[:10] == [200] * 10  # the form again, with an error
    assert codes[10:] == [429, 429]
    refused = client.post("/login/", {"username": user.email, "password": "x"})
    assert int(refused["Retry-After"]) > 0
    assert b"Too many attempts" in refused.content


@pytest.mark.django_db
def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_api_tokens_are_stored_only_as_hashes():
    from supportdesk.accounts.actions import create_token, user_for_token

    user = StaffFactory()
    token, secret = create_token(None, user=user)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    assert user_for_token(secret) == user
    assert user_for_token(secret + "x") is None


@pytest.mark.django_db
def test_csrf_is_enforced_on_session_writes_to_the_api():
    from django.test import Client

    from supportdesk.factories import PASSWORD, ClientUserFactory

    person = ClientUserFactory()
    http = Client(enforce_csrf_checks=True)
    http.login(email=person.email, password=PASSWORD)
    response = http.post("/api/v1/tickets/", {"subject": "x", "body": "y", "severity": 3},
                         content_type="application/json")
    assert response.status_code in (401, 403)
