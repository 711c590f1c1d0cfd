"""API tokens are looked up once per process and then served from a cache keyed on the "access"
revision: revoking a token, deactivating its person or changing their roles is seen by the very next
request, whatever wrote it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supportdesk.accounts.actions import create_token, user_for_token
from supportdesk.accounts.models import ApiToken, RoleGrant, User
from supportdesk.factories import StaffFactory
from supportdesk.policy import roles_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_token():  # noqa: ANN201
    agent = StaffFactory()
    _, secret = create_token(None, user=agent, name="integration")
    user_for_token(secret)  # records its first use (a write: the revision changes)
    user_for_token(secret)  # now known to this process
    return agent, secret


def test_given_a_known_token_when_it_is_used_again_then_only_the_revision_is_read(agent_token):
    agent, secret = agent_token
    with CaptureQueriesContext(connection) as queries:
        user = user_for_token(secret)
    assert user == agent and roles_of(user) == {"agent"}
    [only] = queries.captured_queries
    assert "FROM revisions_revision" in only["sql"]


def test_given_a_known_token_when_it_is_revoked_by_a_bulk_update_then_the_next_request_is_refused(agent_token):
    _, secret = agent_token
    ApiToken.objects.update(revoked_at=timezone.now())
    assert user_for_token(secret) is None


def test_given_a_known_token_when_its_person_is_deactivated_then_the_next_request_is_refused(agent_token):
    agent, secret = agent_token
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert user_for_token(secret) is None


def test_given_a_known_token_when_a_role_is_withdrawn_by_raw_sql_then_the_next_request_has_no_role(agent_token):
    agent, secret = agent_token
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_rolegrant WHERE user_id = %s", [agent.pk])
    assert roles_of(user_for_token(secret)) == frozenset()
    RoleGrant.objects.create(user=agent, role="manager")
    assert roles_of(user_for_token(secret)) == {"manager"}


def test_given_two_requests_with_one_token_then_each_gets_its_own_person_object(agent_token):
    _, secret = agent_token
    first, second = user_for_token(secret), user_for_token(secret)
    assert first is not second
    first.full_name = "changed in one request"
    assert second.full_name != "changed in one request"


def test_given_a_token_not_used_for_a_minute_then_its_last_use_is_recorded(agent_token, time_machine):
    _, secret = agent_token
    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=5))
    user_for_token(secret)
    used = ApiToken.objects.get().last_used_at
    assert used is not None and abs((used - timezone.now()).total_seconds()) < 5
