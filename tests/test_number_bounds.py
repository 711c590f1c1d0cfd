"""Every whole number or amount a request carries is bounded, and the OpenAPI document says so (`minimum` /
`maximum`): pages and page sizes of every list, and each count, duration, quantity and amount the actions check.
Only ids are left open (a lookup that misses is a 404 or 422, and one past 64 bits a 422 `out_of_range`)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.api import api
from supportdesk.billing import actions as billing_actions
from supportdesk.billing.pricing import MAX_AMOUNT
from supportdesk.contracts.actions import MAX_QUANTITY, MAX_USER_COUNT
from supportdesk.factories import PASSWORD, StaffFactory
from supportdesk.learning.actions import MAX_CAPACITY, MAX_FEE
from supportdesk.pagination import MAX_PAGE, MAX_PAGE_SIZE
from supportdesk.sla.actions import MAX_WARNING_MINUTES
from supportdesk.sla.queries import MAX_AT_RISK_MINUTES, MAX_REPORT_MONTHS
from supportdesk.tam.calls import MAX_CALL_MINUTES, MIN_CALL_MINUTES
from supportdesk.telephony.actions import MAX_LOGGED_CALL_MINUTES

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA["components"]["schemas"]

# Names of the numbers that are ids (or, for `version`, a ticket's optimistic-lock counter compared as it is).
IDS = {"version", "into", "target_line", "client", "person"}


def _numbers(schema: dict, path: str, seen: tuple[str, ...] = ()) -> list[tuple[str, dict]]:
    """(dotted name, schema) of every integer or number in a request schema, following $refs."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _numbers(COMPONENTS[name], path, (*seen, name))
    found: list[tuple[str, dict]] = []
    if schema.get("type") in ("integer", "number"):
        found.append((path, schema))
    for option in schema.get("anyOf", []):
        if option.get("type") in ("integer", "number"):
            found.append((path, {**option, **{k: v for k, v in schema.items() if k in ("minimum", "maximum")}}))
        else:
            found += _numbers(option, path, seen)
    if "items" in schema:
        found += _numbers(schema["items"], f"{path}[]", seen)
    for name, part in schema.get("properties", {}).items():
        found += _numbers(part, f"{path}.{name}" if path else name, seen)
    return found


def _request_numbers() -> list[tuple[str, str, str, dict]]:
    """(method, path, field, schema) of every number in a query, path or body of the API."""
    rows = []
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                rows += [(method, path, parameter["name"], s) for _, s in _numbers(parameter["schema"], "")]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                rows += [(method, path, name, s) for name, s in _numbers(content["schema"], "")]
    return rows


def _is_id(field: str) -> bool:
    name = field.rsplit(".", 1)[-1].rstrip("[]")
    return name == "id" or name.endswith("_id") or name in IDS


def test_given_the_openapi_document_then_every_number_a_request_carries_is_bounded_unless_it_is_an_id():
    unbounded = [f"{method.upper()} {path} {field}" for method, path, field, schema in _request_numbers()
                 if not _is_id(field) and not ("minimum" in schema and "maximum" in schema)]
    assert unbounded == []


def _declared(method: str, path: str, field: str) -> tuple[object, object]:
    ranges = {(s.get("minimum"), s.get("maximum")) for m, p, f, s in _request_numbers()
              if (m, p, f) == (method, path, field)}
    assert len(ranges) == 1, ranges
    return ranges.pop()


@pytest.mark.parametrize(("method", "path", "field", "low", "high"), [
    ("get", "/api/v1/tickets/", "page", 1, MAX_PAGE),
    ("get", "/api/v1/tickets/", "page_size", 1, MAX_PAGE_SIZE),
    ("get", "/api/v1/catalogue/offerings", "page_size", 1, MAX_PAGE_SIZE),
    ("get", "/api/v1/billing/prices", "page", 1, MAX_PAGE),
    ("post", "/api/v1/contracts/orders", "lines[].user_count", 1, MAX_USER_COUNT),
    ("post", "/api/v1/contracts/orders", "lines[].quantity", 1, MAX_QUANTITY),
    ("post", "/api/v1/contracts/orders", "lines[].agreed_price", 0, float(MAX_AMOUNT)),
    ("put", "/api/v1/sla/rules/{metric}", "warning_minutes", 0, MAX_WARNING_MINUTES),
    ("get", "/api/v1/sla/reports/attainment", "months", 1, MAX_REPORT_MONTHS),
    ("get", "/api/v1/sla/reports/at-risk", "within_minutes", 1, MAX_AT_RISK_MINUTES),
    ("post", "/api/v1/phone/calls", "duration_minutes", 0, MAX_LOGGED_CALL_MINUTES),
    ("post", "/api/v1/oncall/shifts", "weekday", 0, 6),
    ("post", "/api/v1/tam/clients/{client_id}/series", "weekday", 0, 6),
    ("post", "/api/v1/tam/clients/{client_id}/series", "duration_minutes", MIN_CALL_MINUTES, MAX_CALL_MINUTES),
    ("patch", "/api/v1/tam/series/{series_id}", "duration_minutes", MIN_CALL_MINUTES, MAX_CALL_MINUTES),
    ("post", "/api/v1/learning/events", "capacity", 1, MAX_CAPACITY),
    ("patch", "/api/v1/learning/events/{event_id}", "fee", 0, float(MAX_FEE)),
    ("post", "/api/v1/billing/tiers", "tier_size", 1, billing_actions.MAX_TIER_SIZE),
    ("post", "/api/v1/billing/tiers", "cap", 1, billing_actions.MAX_TIER_CAP),
])
def test_given_a_bounded_number_then_the_document_declares_the_range_the_action_checks(method, path, field, low,
                                                                                         high):
    assert _declared(method, path, field) == (low, high)


# Pages and page sizes --------------------------------------------------------------------------------------------

LISTS = ["/api/v1/tickets/", "/api/v1/catalogue/offerings", "/api/v1/billing/invoices", "/api/v1/tam/workspace",
         "/api/v1/learning/access-log"]


@pytest.fixture
def manager_http(db) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=StaffFactory(staff_roles=["manager", "billing", "tam"]).email, password=PASSWORD)
    return http


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("size", [MAX_PAGE_SIZE + 1, 500, 10**12, 2**63, 10**30, 0, -1])
def test_given_a_page_size_outside_1_to_100_when_a_list_is_asked_then_422_names_page_size(manager_http, url, size):
    # When a list is asked for a page size out of bounds (ninja cut a larger one to 100 without a word: page 2 then
    # began at the 101st item, not where the client counted, and the items between were skipped unnoticed)
    response = manager_http.get(url, {"page_size": size})
    # Then it is refused naming the parameter
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert list(error["fields"]) == ["page_size"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", [MAX_PAGE + 1, 10**12, 2**63, 10**30])
def test_given_a_page_past_999999999_when_a_list_is_asked_then_422_names_page(manager_http, url, page):
    response = manager_http.get(url, {"page": page})
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["page"]


@pytest.mark.parametrize("url", LISTS)
def test_given_the_largest_page_and_page_size_when_a_list_is_asked_then_an_empty_page_with_the_count(manager_http,
                                                                                                    url):
    response = manager_http.get(url, {"page": MAX_PAGE, "page_size": MAX_PAGE_SIZE})
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [] and "count" in response.json()
