"""A ticket closed as a duplicate points at the ticket it was merged into (tickets/merges.py).

SQLite cannot drop a foreign-key column, so Django reverses this by remaking tickets_ticket, which loses what
raw SQL added to the table: 0003's queue index, 0004's open-count index and 0005's counter triggers. The
reverse of the first operation, run after that remake, puts them back (the counter rows are untouched: the
remake copies rows into a table without triggers and drops the old one without firing them)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

queue_index = importlib.import_module("supportdesk.tickets.migrations.0003_sqlite_queue_index")
open_count_index = importlib.import_module("supportdesk.tickets.migrations.0004_open_count_index")
open_count_triggers = importlib.import_module("supportdesk.tickets.migrations.0005_open_ticket_count")


def restore_raw_sql_structures(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL drops the column in place and keeps the rest
    schema_editor.execute(queue_index.INDEX)
    schema_editor.execute(open_count_index.CREATE)
    for statement in open_count_triggers.SQLITE_BACKWARD + open_count_triggers.SQLITE_FORWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0009_fill_search_index_progress"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_raw_sql_structures),
        migrations.AddField(
            model_name="ticket",
            name="merged_into",
            field=models.ForeignKey(blank=True, help_text="Closed as a duplicate of this ticket; replies to it go there",
                                    null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="merged_tickets", to="tickets.ticket"),
        ),
    ]
