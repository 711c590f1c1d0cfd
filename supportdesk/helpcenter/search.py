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
from typing import Any

from django.db import connection
from django.db.models import QuerySet

MAX_HITS = 500
# Letters and digits only: underscores and punctuation separate words, as in SQLite's unicode61 tokenizer.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def searchable(text: str) -> str:
    """Text as the index holds it: without accents (NFKD, combining marks dropped) and case-folded, so "Café",
    "cafe" and "CAFÉ" are the same word; letters with no decomposition (ø, æ, ł) stay as they are."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def index_text(text: str) -> str:
    """What `Article.search_text` holds: the folded words alone, one space apart. PostgreSQL's parser keeps
    "24/7", "v2.1" or an e-mail address as one lexeme (a path, a version, an address) while a query is split
    into words ("24" and "7"), so punctuation is dropped here and both databases see the same words."""
    return " ".join(_WORD.findall(searchable(text)))


def index_article(article_id: int, text: str) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM helpcenter_fts WHERE article_id = %s", [article_id])
            cur.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)", [article_id, text])
    # PostgreSQL reads the expression index on helpcenter_article.search_text.


def matching_article_ids(query: str, among: QuerySet[Any] | None = None) -> list[int]:
    """Ids of articles matching every word as a prefix (on both databases), best match first.

    `among`: the articles the reader may read. It is applied in the same SQL, before the MAX_HITS limit, so
    hits the reader may not see (drafts, other clients' guides) can never crowd out the ones they may."""
    words = _WORD.findall(searchable(query or ""))[:20]  # folded before splitting: a combining mark is no \w
    if not words:
        return []
    if connection.vendor == "sqlite":
        # Quoted tokens: user input can never be read as FTS5 query syntax.
        match = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
        scope, scope_params = _scope(among, "article_id")
        # `scope` is SQL compiled by Django from the policy's queryset, its values in scope_params.
        sql = f"SELECT article_id FROM helpcenter_fts WHERE helpcenter_fts MATCH %s{scope} ORDER BY rank"  # noqa: S608
        params: list[Any] = [match, *scope_params]
    else:
        # Every word as a prefix, as on SQLite ("config" finds "configure"). The words are letter and digit
        # runs, so nothing in them is tsquery syntax; they still travel as a parameter.
        tsquery = " & ".join(f"{w}:*" for w in words)
        scope, scope_params = _scope(among, "id")
        sql = ("SELECT id FROM helpcenter_article WHERE to_tsvector('simple', search_text) @@ "  # noqa: S608
               f"to_tsquery('simple', %s){scope} ORDER BY ts_rank(to_tsvector('simple', search_text), "
               "to_tsquery('simple', %s)) DESC, id")
        params = [tsquery, *scope_params, tsquery]
    with connection.cursor() as cur:
        cur.execute(f"{sql} LIMIT {MAX_HITS}", params)
        return [int(row[0]) for row in cur.fetchall()]


def _scope(among: QuerySet[Any] | None, column: str) -> tuple[str, tuple[Any, ...]]:
    """`AND <column> IN (<the readable articles' ids>)` and its parameters; nothing without `among`."""
    if among is None:
        return "", ()
    sub_sql, sub_params = among.order_by().values("pk").query.sql_with_params()
    return f" AND {column} IN ({sub_sql})", tuple(sub_params)
