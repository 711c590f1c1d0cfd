"""SQLite only: an expression index serving the agent queue order `sla_due_at IS NULL, sla_due_at`.

PostgreSQL sorts NULLs last in a btree already, so `ticket_queue_sort` serves it there.
"""

from django.db import migrations

INDEX = ('CREATE INDEX IF NOT EXISTS "ticket_queue_sort_nulls_last" ON "tickets_ticket" '
         '("is_open", "queue_rank", ("sla_due_at" IS NULL), "sla_due_at", "severity", "created_at")')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP INDEX IF EXISTS "ticket_queue_sort_nulls_last"')


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_search")]
    operations = [migrations.RunPython(create, drop)]
