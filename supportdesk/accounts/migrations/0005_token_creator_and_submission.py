"""Who made an API token and the web submission that made it (one token per form sent twice): schema only."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from supportdesk.revisions import triggers


def keep_access_triggers(apps: Any, schema_editor: Any) -> None:
    """Undoing this on SQLite rebuilds the token table, which drops its "access" revision triggers (0002); put them
    back, or a revoked token would stay cached. Dropped first: on PostgreSQL they survive the columns' removal."""
    triggers.uninstall(schema_editor, "access", ["accounts_apitoken"])
    triggers.install(schema_editor, "access", ["accounts_apitoken"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_normalise_stored_phones'),
    ]

    operations = [
        # First, so that undoing runs it last, after the table was rebuilt.
        migrations.RunPython(migrations.RunPython.noop, keep_access_triggers),
        migrations.AddField(
            model_name='apitoken',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='idempotency_key',
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
        migrations.AddConstraint(
            model_name='apitoken',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key__isnull', False)), fields=('created_by', 'idempotency_key'), name='one_token_per_submission'),
        ),
    ]
