"""Full-text search over articles: FTS5 on SQLite, a tsvector expression index (GIN) on PostgreSQL.

Both read `Article.search_text` (title and body as plain words, folded by `searchable`). The caller
filters the hits through the help center policy, so a search never reveals an article the person may not read.

Accents: PostgreSQL's 'simple' configuration keeps them ("cafe" would not find "café") and `unaccent` is an
extension the deployment may not have, so the text is folded in Python instead: the actions store it folded
and the query's words are folded the same way, on both databases, so both match alike.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection

MAX_HITS = 500
_WORD = re.compile(r"\w+", re.UNICODE)


def searchable(text: str) -> str:
    """Text as the index holds it: without accents (NFKD, combining marks dropped) and case-folded, so "Café",
    "cafe" and "CAFÉ" are the same word; letters with no decomposition (ø, æ, ł) stay as they are."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def index_article(article_id: int, text: str) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM helpcenter_fts WHERE article_id = %s", [article_id])
            cur.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)", [article_id, text])
    # PostgreSQL reads the expression index on helpcenter_article.search_text.


def matching_article_ids(query: str) -> list[int]:
    """Ids of articles matching every word as a prefix (on both databases), best match first."""
    words = _WORD.findall(searchable(query or ""))[:20]  # folded before splitting: a combining mark is no \w
    if not words:
        return []
    if connection.vendor == "sqlite":
        # Quoted tokens: user input can never be read as FTS5 query syntax.
        match = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
        sql = "SELECT article_id FROM helpcenter_fts WHERE helpcenter_fts MATCH %s ORDER BY rank"
        params: list[str] = [match]
    else:
        # Every word as a prefix, as on SQLite ("config" finds "configure"). The words are \w+ runs, so
        # nothing in them is tsquery syntax; they still travel as a parameter.
        sql = ("SELECT id FROM helpcenter_article WHERE to_tsvector('simple', search_text) @@ "
               "to_tsquery('simple', %s) ORDER BY ts_rank(to_tsvector('simple', search_text), "
               "to_tsquery('simple', %s)) DESC, id")
        params = [" & ".join(f"{w}:*" for w in words)] * 2
    with connection.cursor() as cur:
        cur.execute(f"{sql} LIMIT {MAX_HITS}", params)
        return [int(row[0]) for row in cur.fetchall()]
