"""Seed the list prices and the 24/7 Support tier rule (billing.default_prices)."""

from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from supportdesk.billing import default_prices as d

    Offering = apps.get_model("catalogue", "Offering")
    PriceListEntry = apps.get_model("billing", "PriceListEntry")
    TierPricing = apps.get_model("billing", "TierPricing")
    for code, prices in d.LIST_PRICES.items():
        offering = Offering.objects.filter(code=code).first()
        if offering is None:
            continue
        for currency, price in prices.items():
            PriceListEntry.objects.get_or_create(offering=offering, currency=currency, effective_from=d.EFFECTIVE_FROM,
                                                 defaults={"monthly_price": price})
    offering = Offering.objects.filter(code=d.TIER_OFFERING).first()
    if offering is not None:
        for currency, base in d.TIER_BASE_MRC.items():
            TierPricing.objects.get_or_create(
                offering=offering, currency=currency, effective_from=d.EFFECTIVE_FROM,
                defaults={"tier_size": d.TIER_SIZE, "step": d.TIER_STEP, "cap": d.TIER_CAP, "base_mrc": base})


def unseed(apps, schema_editor):  # noqa: ANN001, ANN201
    from supportdesk.billing import default_prices as d

    apps.get_model("billing", "PriceListEntry").objects.filter(effective_from=d.EFFECTIVE_FROM, created_by=None).delete()
    apps.get_model("billing", "TierPricing").objects.filter(effective_from=d.EFFECTIVE_FROM, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_pricing_invoices_credit_notes"),
        ("catalogue", "0002_seed_catalogue"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
