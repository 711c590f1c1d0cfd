"""Full-text search over articles: an FTS5 table on SQLite, an expression GIN index on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS helpcenter_fts USING fts5("
            "article_id UNINDEXED, content, tokenize='unicode61 remove_diacritics 2')")
        Article = apps.get_model("helpcenter", "Article")
        for pk, text in Article.objects.values_list("pk", "search_text"):
            schema_editor.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)", [pk, text])
    elif vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS helpcenter_article_fts ON helpcenter_article "
                              "USING gin (to_tsvector('simple', search_text))")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS helpcenter_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS helpcenter_article_fts")


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_attachments_and_search_text")]
    operations = [migrations.RunPython(create, drop)]
