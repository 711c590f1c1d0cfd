"""Data: each existing series continues after its latest call, as the job did before the field existed."""

from django.db import migrations
from django.db.models import Max


def backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    CallSeries = apps.get_model("tam", "CallSeries")  # noqa: N806
    for series in CallSeries.objects.filter(generated_until__isnull=True).annotate(last=Max("occurrences__starts_at")):
        if series.last is not None:
            CallSeries.objects.filter(pk=series.pk).update(generated_until=series.last)


class Migration(migrations.Migration):
    dependencies = [("tam", "0002_callseries_generated_until")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
