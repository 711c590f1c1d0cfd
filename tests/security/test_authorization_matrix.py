"""Every API route in the OpenAPI document x roles x own/foreign client, generated from the document itself,
so a route added later is covered without touching this file.

Rules checked for every route:
- anonymous -> 401 on every route that declares security (public routes are listed in the document
  without `security`);
- a person of another client (client user or client admin) -> never 2xx on a route whose path names an
  object owned by client A (ticket, attachment, client, order, ...), and never a 5xx anywhere;
- control: client A's admin does read A's own ticket, so the matrix is not passing by refusing everyone.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from supportdesk.api import api

SCHEMA = api.get_openapi_schema()
ROUTES = [(method.upper(), path, op) for path, ops in SCHEMA["paths"].items() for method, op in ops.items()]
# Path parameters naming an object that belongs to one client; filled with client A's object.
OWNED = {"ticket_id": "ticket_a", "attachment_id": "attachment_a", "client_id": "client_a", "order_id": "order_a",
         "person_id": "admin_a", "user_id": "admin_a"}


def resolve(ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in ref_or_schema:
        name = ref_or_schema["$ref"].rsplit("/", 1)[-1]
        ref_or_schema = SCHEMA["components"]["schemas"][name]
    return ref_or_schema


def example(schema: dict[str, Any]) -> Any:
    """A minimal valid-looking value, so a body check does not hide the authorization check."""
    schema = resolve(schema)
    if "anyOf" in schema:
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: example(v) for k, v in schema.get("properties", {}).items() if k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-06-01"
    if schema.get("format") == "date-time":
        return "2026-06-01T10:00:00+00:00"
    return "x"


def call(http: Any, method: str, path: str, op: dict[str, Any], world: Any) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: str(getattr(world, OWNED[m.group(1)]).pk if m.group(1) in OWNED else 1), path)
    body = op.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        return http.generic(method, url, data=__import__("json").dumps(example(body["application/json"]["schema"])),
                            content_type="application/json")
    if "multipart/form-data" in body:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return http.post(url, {"file": SimpleUploadedFile("x.txt", b"x", "text/plain")})
    return http.generic(method, url)


def route_id(route: tuple[str, str, dict]) -> str:
    return f"{route[0]} {route[1]}"


SECURED = [r for r in ROUTES if r[2].get("security")]
OWNED_ROUTES = [r for r in ROUTES if any(p in r[1] for p in (f"{{{k}}}" for k in OWNED))]


@pytest.mark.django_db
@pytest.mark.parametrize("route", SECURED, ids=route_id)
def test_given_no_credentials_when_calling_a_secured_route_then_401(world, route):
    method, path, op = route
    response = call(world.token_client(None), method, path, op, world)
    assert response.status_code == 401, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("route", OWNED_ROUTES, ids=route_id)
def test_given_a_person_of_another_client_when_naming_a_foreign_object_then_never_2xx(world, route):
    method, path, op = route
    for role in ("user_b", "admin_b"):
        response = call(world.token_client(getattr(world, role)), method, path, op, world)
        assert not 200 <= response.status_code < 300, (role, response.status_code, response.content[:300])
        assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_given_any_role_when_calling_any_route_then_no_server_error(world, route):
    method, path, op = route
    for role in ("anonymous", "user_b", "admin_a", "agent"):
        user = None if role == "anonymous" else getattr(world, role)
        response = call(world.token_client(user), method, path, op, world)
        assert response.status_code < 500, (role, response.content[:300])


@pytest.mark.django_db
def test_given_the_owning_client_admin_when_reading_its_ticket_then_it_is_there(world):
    own = world.token_client(world.admin_a).get(f"/api/v1/tickets/{world.ticket_a.pk}")
    foreign = world.token_client(world.admin_b).get(f"/api/v1/tickets/{world.ticket_a.pk}")
    missing = world.token_client(world.admin_b).get("/api/v1/tickets/999999")
    assert own.status_code == 200
    assert foreign.status_code == 404
    assert foreign.json() == missing.json()  # invisible answers exactly like a missing id


@pytest.mark.django_db
def test_given_a_foreign_client_when_listing_tickets_then_none_of_a_appear(world):
    listed = world.token_client(world.user_b).get("/api/v1/tickets/").json()
    assert world.ticket_a.pk not in [t["id"] for t in listed["items"]]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/portal/tickets/{id}/", "/console/tickets/{id}/"])
def test_given_a_foreign_client_when_opening_a_ticket_page_then_404(world, page, client):
    from supportdesk.factories import PASSWORD

    client.login(email=world.user_b.email, password=PASSWORD)
    response = client.get(page.format(id=world.ticket_a.pk))
    assert response.status_code in (302, 403, 404)  # the console sends client people back to their portal
    assert b"private matter" not in response.content
