"""Data: until now every message was put into tickets_fts as it was written, so the search index has
seen every message there is. Reversed: the row goes (the schema migration before drops the table)."""

from django.db import migrations
from django.db.models import Max


def forward(apps, schema_editor):
    Message = apps.get_model("tickets", "Message")
    SearchIndexProgress = apps.get_model("tickets", "SearchIndexProgress")
    last = Message.objects.aggregate(last=Max("id"))["last"] or 0
    SearchIndexProgress.objects.update_or_create(pk=1, defaults={"last_message_id": last})


def backward(apps, schema_editor):
    apps.get_model("tickets", "SearchIndexProgress").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_search_index_progress")]

    operations = [migrations.RunPython(forward, backward)]
