"""The "webhooks" revision's row (data; its triggers: 0002)."""

from django.db import migrations


def add_row(apps, schema_editor):  # noqa: ANN001
    apps.get_model("revisions", "Revision").objects.get_or_create(name="webhooks", defaults={"value": 1})


def remove_row(apps, schema_editor):  # noqa: ANN001
    apps.get_model("revisions", "Revision").objects.filter(name="webhooks").delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_webhooks_revision"), ("revisions", "0002_rows")]

    operations = [migrations.RunPython(add_row, remove_row)]
