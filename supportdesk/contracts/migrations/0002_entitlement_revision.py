"""Triggers that rewrite the "entitlements" revision on every write to a table entitlements are derived
from; contracts.entitlements caches derived entitlements per process keyed on it (bench/README.md, W1)."""

from django.db import migrations

from supportdesk.revisions import triggers

WATCHED = ("contracts_serviceorder", "contracts_orderline", "catalogue_offering", "catalogue_offeringversion",
           "catalogue_offeringversion_includes")


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("catalogue", "0002_seed_catalogue"),
        ("revisions", "0001_initial"),
    ]

    operations = [triggers.operation("entitlements", WATCHED)]
