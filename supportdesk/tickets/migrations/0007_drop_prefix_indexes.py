"""Drop the one-column indexes of Ticket.client, .requester, .assignee and TicketEvent.ticket: composite
indexes start with each of them (ticket_client_open, ticket_requester, ticket_assignee_open and
(ticket, created_at)), and every index is one more page written per new ticket (bench/README.md, W1).
Schema only; reversible."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from supportdesk import prefix_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_access_revision_clients_designations"),
        ("tickets", "0006_fill_open_ticket_count"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                prefix_indexes.operation("tickets", "Ticket", ["client", "requester", "assignee"]),
                prefix_indexes.operation("tickets", "TicketEvent", ["ticket"]),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ticket", name="assignee",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="assigned_tickets", to=settings.AUTH_USER_MODEL)),
                migrations.AlterField(
                    model_name="ticket", name="client",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="tickets", to="accounts.client")),
                migrations.AlterField(
                    model_name="ticket", name="requester",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="requested_tickets", to=settings.AUTH_USER_MODEL)),
                migrations.AlterField(
                    model_name="ticketevent", name="ticket",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="events", to="tickets.ticket")),
            ],
        ),
    ]
