"""Triggers that rewrite the "webhooks" revision on every write to webhook subscriptions;
notifications.webhooks caches the active subscriptions per process keyed on it, so publishing a ticket
event costs no query while the subscriptions are unchanged."""

from django.db import migrations

from supportdesk.revisions import triggers


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("revisions", "0001_initial")]

    operations = [triggers.operation("webhooks", ("notifications_webhooksubscription",))]
