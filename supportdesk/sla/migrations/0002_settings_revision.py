"""Triggers that rewrite the "sla_settings" revision on every write to calendar settings and metric
rules; calendars_store.settings_for and objectives.rules cache per process keyed on it."""

from django.db import migrations

from supportdesk.revisions import triggers

WATCHED = ("sla_calendarconfig", "sla_metricrule")


def install(apps, schema_editor):  # noqa: ANN001
    triggers.install(schema_editor, "sla_settings", WATCHED)


def uninstall(apps, schema_editor):  # noqa: ANN001
    triggers.uninstall(schema_editor, "sla_settings", WATCHED)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("revisions", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
