"""Dropping a foreign key's own one-column index where a composite index starts with the same column.

A migration's AlterField(db_index=False) would do it, but on SQLite Django rebuilds the whole table for
that, and the rebuild loses what our migrations made in raw SQL on those tables (the open-ticket counter
triggers, the queue and search indexes). This drops and recreates only the index; the migration pairs it
with the AlterField as state (SeparateDatabaseAndState).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def operation(app_label: str, model_name: str, field_names: Sequence[str]) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for name in _single_column_indexes(schema_editor, model, field_names):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        for field_name in field_names:
            column = model._meta.get_field(field_name).column
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON "
                                  f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})")

    return migrations.RunPython(forward, backward)


def _single_column_indexes(schema_editor: Any, model: Any, field_names: Sequence[str]) -> list[str]:
    columns = {model._meta.get_field(name).column for name in field_names}
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [name for name, info in constraints.items()
            if info["index"] and not info["unique"] and not info["primary_key"] and len(info["columns"]) == 1
            and info["columns"][0] in columns and not info.get("foreign_key")]
