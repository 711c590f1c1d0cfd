"""Full-text search structures: an FTS5 table on SQLite, expression GIN indexes on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS tickets_fts USING fts5("
            "ticket_id UNINDEXED, internal UNINDEXED, content, tokenize='unicode61 remove_diacritics 2')")
    elif vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS ticket_subject_fts ON tickets_ticket "
                              "USING gin (to_tsvector('simple', subject))")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS message_body_fts ON tickets_message "
                              "USING gin (to_tsvector('simple', body))")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS tickets_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_subject_fts")
        schema_editor.execute("DROP INDEX IF EXISTS message_body_fts")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
