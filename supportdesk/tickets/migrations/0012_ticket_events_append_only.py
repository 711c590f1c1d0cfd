"""The ticket event history is append-only (R3): the database refuses to rewrite an event.

A trigger on each database aborts any UPDATE that sets what an event says (ticket, kind, source, data,
created_at). `actor_id` stays updatable: deleting a person sets it to NULL (on_delete=SET_NULL). Rows still
go when their ticket is deleted (CASCADE).
"""

from django.db import migrations

from supportdesk.migration_operations import VendorRunSQL

_COLUMNS = "ticket_id, kind, source, data, created_at"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER tickets_event_append_only BEFORE UPDATE OF {_COLUMNS} ON tickets_ticketevent
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS tickets_event_append_only"]

POSTGRES_FORWARD = [
    """CREATE FUNCTION tickets_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are append-only' USING ERRCODE = 'restrict_violation';
END $$""",
    f"""CREATE TRIGGER tickets_event_append_only BEFORE UPDATE OF {_COLUMNS} ON tickets_ticketevent
FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_event_append_only ON tickets_ticketevent",
    "DROP FUNCTION IF EXISTS tickets_event_append_only()",
]


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0011_ticket_solved_at_index"),
    ]

    operations = [
        VendorRunSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        VendorRunSQL("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD),
    ]
