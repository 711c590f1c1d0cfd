"""The entitlement revision (schema): a one-row table and triggers that give it a new random value in
every transaction that writes a table entitlements are derived from. contracts.entitlements caches
derived entitlements per process keyed on it (bench/README.md, W1). The row itself: 0003."""

from django.db import migrations, models

WATCHED = ("contracts_serviceorder", "contracts_orderline", "catalogue_offering", "catalogue_offeringversion",
           "catalogue_offeringversion_includes")
EVENTS = ("INSERT", "UPDATE", "DELETE")


def sqlite_triggers() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table in WATCHED:
        for event in EVENTS:
            name = f"entitlement_revision_{table}_{event.lower()}"
            create.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                          "UPDATE contracts_entitlementrevision SET value = random(); END")
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION entitlement_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contracts_entitlementrevision SET value = (random() * 9e18)::bigint;
    RETURN NULL;
END $$"""


def postgres_triggers() -> tuple[list[str], list[str]]:
    create, drop = [POSTGRES_FUNCTION], []
    for table in WATCHED:
        name = f"entitlement_revision_{table}"
        create.append(f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                      "FOR EACH STATEMENT EXECUTE FUNCTION entitlement_revision_bump()")
        drop.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    drop.append("DROP FUNCTION IF EXISTS entitlement_revision_bump()")
    return create, drop


def add_triggers(apps, schema_editor):  # noqa: ANN001
    create, _ = _for(schema_editor.connection.vendor)
    for sql in create:
        schema_editor.execute(sql)


def remove_triggers(apps, schema_editor):  # noqa: ANN001
    _, drop = _for(schema_editor.connection.vendor)
    for sql in drop:
        schema_editor.execute(sql)


def _for(vendor: str) -> tuple[list[str], list[str]]:
    if vendor == "postgresql":
        return postgres_triggers()
    if vendor == "sqlite":
        return sqlite_triggers()
    raise NotImplementedError(f"entitlement revision triggers for {vendor}")


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("catalogue", "0002_seed_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntitlementRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "contracts_entitlementrevision"},
        ),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
