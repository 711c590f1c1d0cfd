"""Data: the vendor's default catalogue and severity definitions (kept apart from the schema)."""

import datetime

from django.db import migrations

from supportdesk.catalogue.default_catalogue import OFFERINGS, SEVERITIES

SEED_DATE = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    Offering = apps.get_model("catalogue", "Offering")
    OfferingVersion = apps.get_model("catalogue", "OfferingVersion")
    SeverityLevel = apps.get_model("catalogue", "SeverityLevel")
    for level, name, definition in SEVERITIES:
        SeverityLevel.objects.get_or_create(level=level, defaults={"name": name, "definition": definition})
    by_code = {}
    for data in OFFERINGS:
        offering, _ = Offering.objects.get_or_create(code=data["code"], defaults={
            "name": data["name"], "description": data["description"], "recurring": data["recurring"],
            "priced_per_user_tier": data["priced_per_user_tier"]})
        by_code[data["code"]] = offering
    for data in OFFERINGS:
        offering = by_code[data["code"]]
        if OfferingVersion.objects.filter(offering=offering).exists():
            continue
        version = OfferingVersion.objects.create(offering=offering, version=1, effective_from=SEED_DATE,
                                                 features=data["features"], summary="Seeded default")
        version.includes.set([by_code[c] for c in data["includes"]])


def unseed(apps, schema_editor):
    apps.get_model("catalogue", "OfferingVersion").objects.filter(summary="Seeded default").delete()
    apps.get_model("catalogue", "Offering").objects.filter(code__in=[o["code"] for o in OFFERINGS],
                                                           versions__isnull=True).delete()
    apps.get_model("catalogue", "SeverityLevel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
