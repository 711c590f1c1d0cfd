"""A NUL character in text: PostgreSQL refuses to store it. The answer is a clear 422 naming the field,
not the 64-bit "out of range" message of other data errors (and never a 500)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.test import RequestFactory

from supportdesk.billing.tests.factories import premium_only
from supportdesk.factories import StaffFactory
from supportdesk.web.middleware import drop_nul_characters, nul_fields


def test_nul_fields_names_query_form_and_json_fields():
    rf = RequestFactory()
    assert list(nul_fields(rf.get("/x", {"q": "a\x00b", "page": "1"}))) == ["q"]
    assert list(nul_fields(rf.post("/x", {"body": "c\x00d", "other": "fine"}))) == ["body"]
    request = rf.post("/api/x", json.dumps({"description": "x\x00y", "lines": [{"notes": "\x00"}], "n": 1}),
                      content_type="application/json")
    assert sorted(nul_fields(request)) == ["description", "lines[0].notes"]


def test_given_a_json_body_with_nul_characters_when_posted_then_every_database_stores_the_text_without_them(db, as_person):
    # Given billing staff and a client; when a credit's description (and a key) arrive with NUL characters
    http = as_person(StaffFactory(staff_roles=["billing"]))
    client = premium_only()
    answer = http.post(f"/api/v1/billing/clients/{client.pk}/credits",
                       json.dumps({"amount": "5", "description": "x\x00y", "currency\x00": "USD"}),
                       content_type="application/json")
    # Then the credit is recorded with the text as typed minus the NUL, on SQLite as on PostgreSQL
    assert answer.status_code == 201, answer.content
    assert answer.json()["description"] == "xy"


def test_given_an_escaped_backslash_before_u0000_then_that_text_is_kept_as_sent():
    # Given a JSON string holding the six characters \u0000 (an escaped backslash, then "u0000"), and a real NUL
    rf = RequestFactory()
    request = rf.post("/api/v1/x", json.dumps({"a": "\\u0000", "b": "\\\x00", "n": 1.10}), content_type="application/json")
    # When the API's edge drops NUL characters
    drop_nul_characters(request)
    # Then the text survives, the real NUL goes, and nothing else is rewritten
    assert json.loads(request.body) == {"a": "\\u0000", "b": "\\", "n": 1.10}
    assert request.body.endswith(b'"n": 1.1}')


def test_given_a_query_string_with_a_nul_when_searching_then_the_search_runs_without_it(db, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    answer = http.get("/api/v1/tickets/", {"q": "disk\x00 full"})
    assert answer.status_code == 200, answer.content
    request = RequestFactory().get("/api/v1/tickets/", {"q": "disk\x00 full"})
    drop_nul_characters(request)
    assert request.GET["q"] == "disk full" and "%00" not in request.META["QUERY_STRING"]


def test_given_a_web_body_then_it_is_not_rewritten_there_forms_refuse_nul_themselves():
    request = RequestFactory().post("/billing/quote/", json.dumps({"a": "\x00"}), content_type="application/json")
    before = request.body
    from supportdesk.web.middleware import DatabaseUnavailableMiddleware

    DatabaseUnavailableMiddleware(lambda r: HttpResponse())(request)
    assert request.body == before


def test_given_postgresql_when_a_page_form_holds_a_nul_then_422_naming_it(postgres_only, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    page = http.get("/billing/quote/", {"offering": "24/7\x00", "users": "5"})
    assert page.status_code == 422
    assert "NUL" in page.content.decode() and "offering" in page.content.decode()
