"""Data: invoices issued before 0004 take the billed-to name and address their client has now (the best
record there is). Reversing leaves the columns to 0004's reverse, which drops them."""

from django.db import migrations


def backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    Invoice = apps.get_model("billing", "Invoice")
    for invoice in Invoice.objects.filter(billed_to="").select_related("client").iterator():
        Invoice.objects.filter(pk=invoice.pk).update(billed_to=invoice.client.name,
                                                     billed_to_address=invoice.client.address)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_invoice_billed_to")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
