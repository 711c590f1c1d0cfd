"""Triggers that rewrite the "access" revision on every write to people, staff roles and API tokens;
accounts.actions.user_for_token caches token lookups per process keyed on it (bench/README.md)."""

from django.db import migrations

from supportdesk.revisions import triggers

WATCHED = ("accounts_user", "accounts_rolegrant", "accounts_apitoken")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("revisions", "0001_initial")]

    operations = [triggers.operation("access", WATCHED)]
