"""The named revisions' rows (data; their triggers live with the tables they watch: contracts.0002,
accounts.0002, sla.0002)."""

from django.db import migrations

NAMES = ("entitlements", "access", "sla_settings")


def add_rows(apps, schema_editor):  # noqa: ANN001
    revision = apps.get_model("revisions", "Revision")
    for name in NAMES:
        revision.objects.get_or_create(name=name, defaults={"value": 1})


def remove_rows(apps, schema_editor):  # noqa: ANN001
    apps.get_model("revisions", "Revision").objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("revisions", "0001_initial")]

    operations = [migrations.RunPython(add_rows, remove_rows)]
