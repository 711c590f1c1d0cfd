"""schemathesis against /api/v1/openapi.json as an authenticated agent: no 5xx, responses match the schema.
Bounded: a few examples per operation and a wall-clock budget for the whole run."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from supportdesk.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
BUDGET_SECONDS = 80
STARTED: list[float] = []  # set when the first generated case runs, not at import (collection)


@pytest.fixture
def agent_token(db):  # noqa: ANN001, ANN201
    """A token; and, like Django's test client, no connection closing between the WSGI calls (the
    test's transaction holds the connection; closing it would break the next call on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from supportdesk.accounts.actions import create_token
    from supportdesk.factories import StaffFactory

    agent = StaffFactory(staff_roles=["agent", "manager"])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield create_token(None, user=agent, name="schemathesis")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_without_5xx_and_as_documented(case, agent_token):
    if not STARTED:
        STARTED.append(time.monotonic())
    if time.monotonic() - STARTED[0] > BUDGET_SECONDS:
        pytest.skip(f"time budget of {BUDGET_SECONDS} s for the whole run used up")
    case.call_and_validate(headers={"Authorization": f"Bearer {agent_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
