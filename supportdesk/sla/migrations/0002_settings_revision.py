"""Triggers that rewrite the "sla_settings" revision on every write to calendar settings and metric
rules; calendars_store.settings_for and objectives.rules cache per process keyed on it."""

from django.db import migrations

from supportdesk.revisions import triggers

WATCHED = ("sla_calendarconfig", "sla_metricrule")


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("revisions", "0001_initial")]

    operations = [triggers.operation("sla_settings", WATCHED)]
