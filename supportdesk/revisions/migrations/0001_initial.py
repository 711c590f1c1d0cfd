"""The revisions table and, on PostgreSQL, the trigger function every revision trigger calls."""

from django.db import migrations, models

from supportdesk.revisions import triggers


def create_function(apps, schema_editor):  # noqa: ANN001
    triggers.create_function(schema_editor)


def drop_function(apps, schema_editor):  # noqa: ANN001
    triggers.drop_function(schema_editor)


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_function, drop_function),
    ]
