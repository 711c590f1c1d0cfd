"""Within a web request revision values are read once (one query for all of them) and read again after
any write of the request's own connection, so a request never serves an answer its own write made stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportdesk.factories import ClientUserFactory, StaffFactory
from supportdesk.revisions.cache import current, snapshot_per_request

pytestmark = pytest.mark.django_db


def revision_reads(ctx: CaptureQueriesContext) -> int:
    return sum(1 for q in ctx.captured_queries if "revisions_revision" in q["sql"] and q["sql"].startswith("SELECT"))


def test_given_a_request_scope_then_every_revision_is_read_in_one_query():
    with snapshot_per_request(), CaptureQueriesContext(connection) as ctx:
        values = [current("access"), current("entitlements"), current("sla_settings"), current("access")]
    assert revision_reads(ctx) == 1
    assert values[0] == values[3] == current("access")
    assert None not in values


def test_given_a_write_in_the_request_then_the_next_read_sees_the_new_value():
    with snapshot_per_request():
        before = current("access")
        StaffFactory()  # writes accounts_user: its trigger moves "access"
        with CaptureQueriesContext(connection) as ctx:
            after = current("access")
    assert after != before
    assert revision_reads(ctx) == 1


def test_given_only_reads_in_the_request_then_values_are_not_read_again():
    ClientUserFactory()
    with snapshot_per_request():
        current("access")
        with CaptureQueriesContext(connection) as ctx:
            list(connection.introspection.table_names())
            current("access")
    assert revision_reads(ctx) == 0


def test_outside_a_request_scope_each_read_queries():
    with CaptureQueriesContext(connection) as ctx:
        current("access")
        current("access")
    assert revision_reads(ctx) == 2


def test_an_unknown_revision_is_none_inside_and_outside_a_scope():
    assert current("no-such-revision") is None
    with snapshot_per_request():
        assert current("no-such-revision") is None
