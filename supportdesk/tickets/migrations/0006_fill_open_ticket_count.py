"""Fills the open-ticket counter (0005) from the tickets already there; the triggers keep it exact after.

On PostgreSQL the tickets table is locked against writes (SHARE) while counting, so no ticket change can
slip in between the count and the fill. Reversing empties the counter."""

from django.db import migrations

FILL = ("INSERT INTO tickets_openticketcount (client_id, queue, open_count) "
        "SELECT client_id, queue, COUNT(*) FROM tickets_ticket WHERE is_open GROUP BY client_id, queue")


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("LOCK TABLE tickets_ticket IN SHARE MODE")
    schema_editor.execute("DELETE FROM tickets_openticketcount")
    schema_editor.execute(FILL)


def empty(apps, schema_editor):  # noqa: ANN001, ANN201
    schema_editor.execute("DELETE FROM tickets_openticketcount")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_open_ticket_count")]
    operations = [migrations.RunPython(fill, empty)]
