"""Migration operations shared by several apps' migrations (kept here so a migration never imports another)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


class VendorRunSQL(migrations.RunSQL):
    """RunSQL that runs only on one database vendor ("sqlite", "postgresql"): triggers and functions differ."""

    def __init__(self, vendor: str, sql: Sequence[str], reverse_sql: Sequence[str]) -> None:
        super().__init__(tuple(sql), tuple(reverse_sql))
        self.vendor = vendor

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Raw SQL operation ({self.vendor} only)"
