"""A NUL character in text: PostgreSQL refuses to store it. The answer is a clear 422 naming the field,
not the 64-bit "out of range" message of other data errors (and never a 500)."""

from __future__ import annotations

import json

from django.test import RequestFactory

from supportdesk.billing.tests.factories import premium_only
from supportdesk.factories import StaffFactory
from supportdesk.web.middleware import nul_fields


def test_nul_fields_names_query_form_and_json_fields():
    rf = RequestFactory()
    assert list(nul_fields(rf.get("/x", {"q": "a\x00b", "page": "1"}))) == ["q"]
    assert list(nul_fields(rf.post("/x", {"body": "c\x00d", "other": "fine"}))) == ["body"]
    request = rf.post("/api/x", json.dumps({"description": "x\x00y", "lines": [{"notes": "\x00"}], "n": 1}),
                      content_type="application/json")
    assert sorted(nul_fields(request)) == ["description", "lines[0].notes"]


def test_given_postgresql_when_a_description_holds_a_nul_then_422_naming_it(postgres_only, as_person):
    http = as_person(StaffFactory(staff_roles=["billing"]))
    client = premium_only()
    answer = http.post(f"/api/v1/billing/clients/{client.pk}/credits",
                       json.dumps({"amount": "5", "description": "x\x00y", "currency": "USD"}),
                       content_type="application/json")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "nul_character"
    assert error["fields"] == {"description": "contains NUL"}
    assert "64 bits" not in error["message"]


def test_given_postgresql_when_a_page_form_holds_a_nul_then_422_naming_it(postgres_only, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    page = http.get("/billing/quote/", {"offering": "24/7\x00", "users": "5"})
    assert page.status_code == 422
    assert "NUL" in page.content.decode() and "offering" in page.content.decode()
