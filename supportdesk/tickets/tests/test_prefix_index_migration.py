"""tickets.0007 / sla.0003 drop only the one-column foreign-key indexes (composite indexes start with the
same columns), keep everything made in raw SQL on those tables, and put the indexes back when reversed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0006_fill_open_ticket_count"), ("sla", "0002_settings_revision")]
DROPPED = {("tickets_ticket", "client_id"), ("tickets_ticket", "requester_id"), ("tickets_ticket", "assignee_id"),
           ("tickets_ticketevent", "ticket_id"), ("sla_clock", "ticket_id")}


def single_column_indexes() -> set[tuple[str, str]]:
    found = set()
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_ticketevent", "sla_clock"):
            for info in connection.introspection.get_constraints(cursor, table).values():
                if info["index"] and not info["unique"] and not info["primary_key"] and len(info["columns"]) == 1:
                    found.add((table, info["columns"][0]))
    return found


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def migrate(targets: list[tuple[str, str]] | None) -> None:
    """To `targets`, or with None back to the latest migration of every app (what the other tests expect)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())


def test_forward_drops_the_prefix_indexes_and_keeps_the_rest_backward_restores_them():
    assert not DROPPED & single_column_indexes()
    kept = index_names("tickets_ticket")
    try:
        migrate(BEFORE)
        assert single_column_indexes() >= DROPPED
    finally:
        migrate(None)
    assert not DROPPED & single_column_indexes()
    assert index_names("tickets_ticket") == kept  # the raw-SQL queue and count indexes are still there
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets_ticket'")
            assert {row[0] for row in cursor.fetchall()} >= {"tickets_open_count_insert", "tickets_open_count_update",
                                                            "tickets_open_count_delete"}
