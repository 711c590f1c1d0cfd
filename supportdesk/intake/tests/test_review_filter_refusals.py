"""GET /api/v1/intake/inbound?show=…: staff get a clear 422 for an unknown filter; clients get 404 whatever they ask."""

from __future__ import annotations

from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD


def _login(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def test_given_an_unknown_filter_then_staff_get_422_naming_show(mail_world):
    response = _login(mail_world["agent"]).get("/api/v1/intake/inbound", {"show": "everything"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "intake.bad_filter" and "show" in response.json()["error"]["fields"]


def test_given_a_client_person_then_404_with_or_without_a_filter(mail_world):
    http = _login(mail_world["alice"])
    assert http.get("/api/v1/intake/inbound").status_code == 404
    assert http.get("/api/v1/intake/inbound", {"show": "everything"}).status_code == 404
