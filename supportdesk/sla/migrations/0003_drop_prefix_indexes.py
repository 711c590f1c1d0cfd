"""Drop Clock.ticket's one-column index: sla_clock_ticket_metric (ticket, metric) starts with it, and every
index is one more page written per new ticket (bench/README.md, W1). Schema only; reversible."""

import django.db.models.deletion
from django.db import migrations, models

from supportdesk import prefix_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_settings_revision"),
        ("tickets", "0007_drop_prefix_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[prefix_indexes.operation("sla", "Clock", ["ticket"])],
            state_operations=[
                migrations.AlterField(
                    model_name="clock", name="ticket",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="clocks", to="tickets.ticket")),
            ],
        ),
    ]
