"""Fold `Article.search_text` (accents dropped, case-folded) as the actions now write it, so PostgreSQL matches
"cafe" to "café" as SQLite's FTS5 already did; the FTS5 rows are rewritten from the folded text.

A data migration only: the PostgreSQL expression index reads the column and follows it. The fold is copied
here (not imported) so this migration keeps doing what it did when `search.searchable` changes.
"""

import unicodedata

from django.db import migrations

BATCH = 500


def _searchable(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def fold(apps, schema_editor):
    Article = apps.get_model("helpcenter", "Article")
    sqlite = schema_editor.connection.vendor == "sqlite"
    changed = []
    for article in Article.objects.only("pk", "search_text").iterator(chunk_size=BATCH):
        folded = _searchable(article.search_text)
        if folded == article.search_text:
            continue
        article.search_text = folded
        changed.append(article)
        if sqlite:
            schema_editor.execute("DELETE FROM helpcenter_fts WHERE article_id = %s", [article.pk])
            schema_editor.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)",
                                  [article.pk, folded])
    Article.objects.bulk_update(changed, ["search_text"], batch_size=BATCH)


def keep_folded(apps, schema_editor):
    """Going back leaves the folded text: the earlier code searches it as well (SQLite's FTS5 ignores accents
    anyway; PostgreSQL then matches unaccented query words only), and the original is not needed to restore."""


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0004_seed_advanced_support_offerings")]
    operations = [migrations.RunPython(fold, keep_folded)]
