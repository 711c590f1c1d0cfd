"""Rewrite `Article.search_text` as the actions now write it: the folded words alone (letters and digits),
so PostgreSQL no longer keeps "24/7", "v2.1" or an address as one lexeme that a query split into words
cannot match. SQLite's FTS5 rows are rewritten from the same text.

A data migration only: the PostgreSQL expression index reads the column and follows it. The rule is copied
here (not imported) so this migration keeps doing what it did when `search.index_text` changes.
"""

import re
import unicodedata

from django.db import migrations

BATCH = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text):
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORD.findall(folded))


def _index_text(text):
    # First line the title, the rest the body, as the actions keep them apart.
    title, _, body = text.partition("\n")
    return f"{_words(title)}\n{_words(body)}"


def words_only(apps, schema_editor):
    Article = apps.get_model("helpcenter", "Article")
    sqlite = schema_editor.connection.vendor == "sqlite"
    changed = []
    for article in Article.objects.only("pk", "search_text").iterator(chunk_size=BATCH):
        text = _index_text(article.search_text)
        if text == article.search_text:
            continue
        article.search_text = text
        changed.append(article)
        if sqlite:
            schema_editor.execute("DELETE FROM helpcenter_fts WHERE article_id = %s", [article.pk])
            schema_editor.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)",
                                  [article.pk, text])
    Article.objects.bulk_update(changed, ["search_text"], batch_size=BATCH)


def keep_words(apps, schema_editor):
    """Going back keeps the words-only text: the earlier code searches it as well (it split queries into
    words already), and the punctuation is not needed to restore anything."""


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0005_fold_search_text")]
    operations = [migrations.RunPython(words_only, keep_words)]
