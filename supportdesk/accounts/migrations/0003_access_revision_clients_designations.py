"""The "access" revision also follows clients and designations: accounts.queries caches a requester with
their client, and each person's designation periods, keyed on it (bench/README.md, W1)."""

from django.db import migrations

from supportdesk.revisions import triggers

WATCHED = ("accounts_client", "accounts_designation")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_access_revision")]

    operations = [triggers.operation("access", WATCHED)]
