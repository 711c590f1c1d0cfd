"""The entitlement revision's one row (data; the table and triggers are 0002)."""

from django.db import migrations


def add_row(apps, schema_editor):  # noqa: ANN001
    apps.get_model("contracts", "EntitlementRevision").objects.get_or_create(pk=1, defaults={"value": 1})


def remove_row(apps, schema_editor):  # noqa: ANN001
    apps.get_model("contracts", "EntitlementRevision").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_entitlement_revision")]

    operations = [migrations.RunPython(add_row, remove_row)]
