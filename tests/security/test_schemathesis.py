"""schemathesis against /api/v1/openapi.json as an authenticated agent: no 5xx, responses match the schema.
Bounded: a few generated cases per operation and a wall-clock budget for the whole run.

One test walks every operation itself (rather than `schema.parametrize()`), so it runs the same under
`pytest -n 2 --dist loadgroup` (CI), where the parametrized form collapsed to a single item."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from supportdesk.wsgi import application

# CI's bounded run; a deeper, random one for a developer hunting bugs (docs/security.md, "Deeper API fuzzing"):
# SCHEMATHESIS_EXAMPLES=40 SCHEMATHESIS_BUDGET=1200 SCHEMATHESIS_RANDOM=1 pytest tests/security/test_schemathesis.py
BUDGET_SECONDS = int(os.environ.get("SCHEMATHESIS_BUDGET", "80"))
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
DERANDOMIZE = os.environ.get("SCHEMATHESIS_RANDOM") != "1"
# Whom the requests come from: CI's agent and manager, or (a bug hunt) "client" (a designated user of a Premium
# client, with a ticket), "client_admin", "billing" or "sysadmin".
AS = os.environ.get("SCHEMATHESIS_AS", "agent")


def _person():  # noqa: ANN202
    from supportdesk.accounts.designations import designate
    from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

    if AS in ("client", "client_admin"):
        client = premium_client()
        person = ClientUserFactory(client=client, client_role="client_admin" if AS == "client_admin" else "client_user")
        designate(None, client=client, user=person)
        TicketFactory(requester=person)
        return person
    roles = {"agent": ["agent", "manager"], "billing": ["billing"], "sysadmin": ["sysadmin"]}[AS]
    return StaffFactory(staff_roles=roles)


@pytest.fixture
def agent_token(db):  # noqa: ANN001, ANN201
    """A token; and, like Django's test client, no connection closing between the WSGI calls (the
    test's transaction holds the connection; closing it would break the next call on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from supportdesk.accounts.actions import create_token

    agent = _person()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield create_token(None, user=agent, name="schemathesis")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_api_answers_every_generated_request_without_5xx_and_as_documented(agent_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {agent_token}"}
    started = time.monotonic()
    tested, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() - started > BUDGET_SECONDS:
            break

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=DERANDOMIZE, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # noqa: ANN001
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every failing operation, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
        tested.append(operation.label)
    print(f"schemathesis: {len(tested)} operations tested")
    assert not failures, "\n\n".join(failures)
    assert len(tested) >= 20, f"only {len(tested)} operations within {BUDGET_SECONDS} s"
