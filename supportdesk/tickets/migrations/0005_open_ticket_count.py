"""The open-ticket counter (W2): a row per (client, queue) with its number of open tickets, kept exact by
triggers on tickets_ticket so that every path that writes tickets (actions, QuerySet.update, bulk_create,
raw SQL, merges, deletes) keeps it right. The agent queue's total then sums a handful of rows instead of
walking every open ticket (COUNT over the partial index of 0004: ~3 ms at 60,000 open tickets, linear).

SQLite: plain AFTER triggers (SQLite has one writer at a time, so the counter row costs nothing extra).
PostgreSQL: one plpgsql function behind CONSTRAINT TRIGGERs, DEFERRABLE INITIALLY DEFERRED: the counter
row is updated (and locked) only at commit, so concurrent transactions creating tickets for one client
do not serialise on it for their whole length. A TRUNCATE of tickets empties the counter too.
Filled from existing rows by 0006.
"""

from django.db import migrations, models

from supportdesk.migration_operations import VendorRunSQL

TABLE = "tickets_openticketcount"
# Only these columns matter; an UPDATE that changes none of them while open-ness stays false is skipped.
CHANGED = ("(OLD.is_open IS NOT NEW.is_open OR OLD.client_id IS NOT NEW.client_id "
           "OR OLD.queue IS NOT NEW.queue)")

SQLITE_FORWARD = [
    f"""CREATE TRIGGER tickets_open_count_insert AFTER INSERT ON tickets_ticket WHEN NEW.is_open
BEGIN
  INSERT INTO {TABLE} (client_id, queue, open_count) VALUES (NEW.client_id, NEW.queue, 1)
    ON CONFLICT (client_id, queue) DO UPDATE SET open_count = open_count + 1;
END""",
    f"""CREATE TRIGGER tickets_open_count_delete AFTER DELETE ON tickets_ticket WHEN OLD.is_open
BEGIN
  UPDATE {TABLE} SET open_count = open_count - 1 WHERE client_id = OLD.client_id AND queue = OLD.queue;
END""",
    f"""CREATE TRIGGER tickets_open_count_update AFTER UPDATE OF is_open, client_id, queue ON tickets_ticket
WHEN (OLD.is_open OR NEW.is_open) AND {CHANGED}
BEGIN
  UPDATE {TABLE} SET open_count = open_count - 1
    WHERE OLD.is_open AND client_id = OLD.client_id AND queue = OLD.queue;
  INSERT INTO {TABLE} (client_id, queue, open_count) SELECT NEW.client_id, NEW.queue, 1 WHERE NEW.is_open
    ON CONFLICT (client_id, queue) DO UPDATE SET open_count = open_count + 1;
END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_open_count_update",
    "DROP TRIGGER IF EXISTS tickets_open_count_delete",
    "DROP TRIGGER IF EXISTS tickets_open_count_insert",
]

POSTGRES_FORWARD = [
    f"""CREATE FUNCTION tickets_open_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.is_open THEN
      UPDATE {TABLE} SET open_count = open_count - 1 WHERE client_id = OLD.client_id AND queue = OLD.queue;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.is_open THEN
      INSERT INTO {TABLE} AS c (client_id, queue, open_count) VALUES (NEW.client_id, NEW.queue, 1)
        ON CONFLICT (client_id, queue) DO UPDATE SET open_count = c.open_count + 1;
    END IF;
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION tickets_open_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {TABLE};
  RETURN NULL;
END $$""",
    """CREATE CONSTRAINT TRIGGER tickets_open_count_insert AFTER INSERT ON tickets_ticket
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.is_open) EXECUTE FUNCTION tickets_open_count_apply()""",
    """CREATE CONSTRAINT TRIGGER tickets_open_count_delete AFTER DELETE ON tickets_ticket
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.is_open) EXECUTE FUNCTION tickets_open_count_apply()""",
    f"""CREATE CONSTRAINT TRIGGER tickets_open_count_update AFTER UPDATE OF is_open, client_id, queue ON tickets_ticket
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN ((OLD.is_open OR NEW.is_open) AND {CHANGED.replace("IS NOT", "IS DISTINCT FROM")})
EXECUTE FUNCTION tickets_open_count_apply()""",
    """CREATE TRIGGER tickets_open_count_truncate AFTER TRUNCATE ON tickets_ticket
FOR EACH STATEMENT EXECUTE FUNCTION tickets_open_count_truncated()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_open_count_truncate ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_open_count_update ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_open_count_delete ON tickets_ticket",
    "DROP TRIGGER IF EXISTS tickets_open_count_insert ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_open_count_truncated()",
    "DROP FUNCTION IF EXISTS tickets_open_count_apply()",
]


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_open_count_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenTicketCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("client_id", models.BigIntegerField()),
                ("queue", models.CharField(max_length=10)),
                ("open_count", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("client_id", "queue"),
                                                        name="one_open_count_per_client_queue")],
            },
        ),
        VendorRunSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        VendorRunSQL("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD),
    ]
