"""An unexpected error under /api/ answers the API's one JSON error shape (500 `internal_error`), tells nothing of
the exception, is still logged with its traceback on django.request, and still reaches a test client that asks for
it; the database's 503 and the out-of-range 422 stay as they were."""

from __future__ import annotations

import logging

import pytest
from django.db import DataError, OperationalError
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD
from supportdesk.tickets import queries

SECRET = "secret-table-name in /srv/supportdesk/internals.py"


def _client(user, **kwargs) -> HttpClient:  # noqa: ANN001
    http = HttpClient(**kwargs)
    assert http.login(email=user.email, password=PASSWORD)
    return http


def _fail_with(monkeypatch, exc: Exception) -> None:  # noqa: ANN001
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise exc

    monkeypatch.setattr(queries, "ticket_for", broken)


@pytest.mark.parametrize("debug", [False, True])
def test_given_a_bug_in_an_endpoint_when_called_then_500_in_the_json_shape_without_the_exception_and_logged(
        world, monkeypatch, caplog, settings, debug):
    # Given an endpoint that fails unexpectedly (with DEBUG off, and on: ninja would answer a plain-text trace)
    settings.DEBUG = debug
    _fail_with(monkeypatch, RuntimeError(SECRET))
    http = _client(world["people"]["agent"], raise_request_exception=False)
    # When it is called
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = http.get(f"/api/v1/tickets/{world['tickets']['own'].pk}")
    # Then the answer is the API's error shape, and says nothing of the exception
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": {"code": "internal_error", "message": response.json()["error"]["message"],
                                         "fields": {}}}
    body = response.content.decode()
    assert "secret-table-name" not in body and "RuntimeError" not in body and "Traceback" not in body
    # And the error is logged with its traceback on django.request
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and logged[0].exc_info[0] is RuntimeError and logged[0].levelno == logging.ERROR


def test_given_a_bug_in_an_endpoint_when_a_test_client_asks_for_exceptions_then_it_is_raised(world, monkeypatch):
    _fail_with(monkeypatch, RuntimeError(SECRET))
    http = _client(world["people"]["agent"])  # raise_request_exception=True, Django's default
    with pytest.raises(RuntimeError, match="secret-table-name"):
        http.get(f"/api/v1/tickets/{world['tickets']['own'].pk}")


def test_given_debug_propagate_exceptions_when_an_endpoint_fails_then_it_propagates(world, monkeypatch, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    _fail_with(monkeypatch, RuntimeError(SECRET))
    http = _client(world["people"]["agent"], raise_request_exception=False)
    with pytest.raises(RuntimeError):
        http.get(f"/api/v1/tickets/{world['tickets']['own'].pk}")


def test_given_an_outage_or_a_number_too_large_then_503_and_422_are_unchanged(world, monkeypatch):
    http = _client(world["people"]["agent"], raise_request_exception=False)
    url = f"/api/v1/tickets/{world['tickets']['own'].pk}"
    _fail_with(monkeypatch, OperationalError("database is locked"))
    outage = http.get(url)
    assert outage.status_code == 503 and outage["Retry-After"] == "5"
    assert outage.json()["error"] == {"code": "unavailable", "fields": {},
                                      "message": "The database is briefly unavailable; retry shortly."}
    _fail_with(monkeypatch, DataError("bigint out of range"))
    too_large = http.get(url)
    assert too_large.status_code == 422 and too_large.json()["error"]["code"] == "out_of_range"
    assert http.get("/api/v1/tickets/", {"page": "9" * 25}).json()["error"]["code"] == "out_of_range"


def test_given_a_schema_bug_reported_as_operational_error_then_it_is_a_json_500_not_a_503(world, monkeypatch):
    _fail_with(monkeypatch, OperationalError("no such column: tickets_ticket.nope"))
    http = _client(world["people"]["agent"], raise_request_exception=False)
    response = http.get(f"/api/v1/tickets/{world['tickets']['own'].pk}")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    assert "nope" not in response.content.decode()


def test_given_a_bug_on_a_web_page_then_it_stays_django_500_page(world, monkeypatch):
    _fail_with(monkeypatch, RuntimeError(SECRET))
    http = _client(world["people"]["client_user"], raise_request_exception=False)
    response = http.get(f"/portal/tickets/{world['tickets']['own'].pk}/")
    assert response.status_code == 500 and not response["Content-Type"].startswith("application/json")
    assert "secret-table-name" not in response.content.decode()
