"""The OpenAPI document names each schema once: django-ninja files schemas under their class name, so two models
with one name (tickets' and learning's `EventOut` did) silently share one entry, and every operation of the first
is documented with the second's fields (schemathesis as a client user found the ticket history "violating" the
event schema)."""

from __future__ import annotations

import inspect
import sys
from collections import defaultdict

from pydantic import BaseModel


def _api_models_by_name() -> dict[str, set[str]]:
    import supportdesk.api  # noqa: F401  (imports every router and its schemas)

    found: dict[str, set[str]] = defaultdict(set)
    for name, module in list(sys.modules.items()):
        if not name.startswith("supportdesk.") or ".tests" in name:
            continue
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == name:
                found[value.__name__].add(f"{name}.{value.__qualname__}")
    return found


def test_given_every_api_schema_then_no_two_share_a_name():
    clashes = {name: sorted(where) for name, where in _api_models_by_name().items() if len(where) > 1}
    assert clashes == {}


def test_given_the_document_then_ticket_history_and_events_have_their_own_schemas():
    from supportdesk.api import api

    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]

    def item_schema(path: str) -> dict:
        page = document["paths"][path]["get"]["responses"][200]["content"]["application/json"]["schema"]["$ref"]
        items = schemas[page.rsplit("/", 1)[1]]["properties"]["items"]["items"]["$ref"]
        return schemas[items.rsplit("/", 1)[1]]

    history, events = item_schema("/api/v1/tickets/{ticket_id}/events"), item_schema("/api/v1/learning/events")
    assert "kind" in history["properties"] and "title" not in history["properties"]
    assert "title" in events["properties"]
