"""Triggers that rewrite a named revision on every INSERT, UPDATE or DELETE (and TRUNCATE on PostgreSQL)
of the tables it watches. Migrations call install/uninstall; nothing else needs them.

Triggers, not signals: QuerySet.update, bulk writes, raw SQL and the admin all write without model
signals, and a cache that missed one of them would serve a stale entitlement or a revoked token."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import migrations

EVENTS = ("INSERT", "UPDATE", "DELETE")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

# PostgreSQL: one function for every revision; the trigger passes the revision's name.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION revisions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions_revision SET value = (random() * 9e18)::bigint WHERE name = TG_ARGV[0];
    RETURN NULL;
END $$"""


def create_function(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)


def drop_function(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS revisions_bump()")


def operation(revision: str, tables: Sequence[str]) -> migrations.RunPython:
    """The migration operation that installs the revision's triggers on `tables` (and removes them back)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        install(schema_editor, revision, tables)

    def backward(apps: Any, schema_editor: Any) -> None:
        uninstall(schema_editor, revision, tables)

    return migrations.RunPython(forward, backward)


def install(schema_editor: Any, revision: str, tables: Sequence[str]) -> None:
    for sql in _statements(schema_editor.connection.vendor, revision, tables, create=True):
        schema_editor.execute(sql)


def uninstall(schema_editor: Any, revision: str, tables: Sequence[str]) -> None:
    for sql in _statements(schema_editor.connection.vendor, revision, tables, create=False):
        schema_editor.execute(sql)


def _statements(vendor: str, revision: str, tables: Sequence[str], *, create: bool) -> list[str]:
    # Identifiers come from migrations' constants; refuse anything else, since DDL takes no parameters.
    for name in (revision, *tables):
        if not IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    if vendor == "sqlite":
        return [(f"CREATE TRIGGER revision_{revision}_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "  # noqa: S608
                 f"UPDATE revisions_revision SET value = random() WHERE name = '{revision}'; END")
                if create else f"DROP TRIGGER IF EXISTS revision_{revision}_{table}_{event.lower()}"
                for table in tables for event in EVENTS]
    if vendor == "postgresql":
        return [(f"CREATE TRIGGER revision_{revision}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                 f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION revisions_bump('{revision}')")
                if create else f"DROP TRIGGER IF EXISTS revision_{revision}_{table} ON {table}"
                for table in tables]
    raise NotImplementedError(f"revision triggers on {vendor}")
