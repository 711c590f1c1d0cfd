"""Full-text search over subjects and conversations: FTS5 on SQLite, tsvector (GIN) on PostgreSQL.

The index rows carry an `internal` flag so that a client never finds a ticket by words that only
appear in an internal note; the caller still filters by the authorization policy.
"""

from __future__ import annotations

import re

from django.db import connection

MAX_HITS = 2000
_WORD = re.compile(r"\w+", re.UNICODE)


def index_text(ticket_id: int, text: str, *, internal: bool = False) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("INSERT INTO tickets_fts(ticket_id, internal, content) VALUES (%s, %s, %s)",
                        [ticket_id, int(internal), text])
    # PostgreSQL reads the expression index on tickets_ticket.subject and tickets_message.body.


def matching_ticket_ids(query: str, *, include_internal: bool) -> list[int]:
    words = _WORD.findall(query)[:20]
    if not words:
        return []
    if connection.vendor == "sqlite":
        return _sqlite_ids(words, include_internal)
    return _postgres_ids(words, include_internal)


def _sqlite_ids(words: list[str], include_internal: bool) -> list[int]:
    # Quoted tokens: user input can never be read as FTS5 query syntax.
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    sql = "SELECT DISTINCT ticket_id FROM tickets_fts WHERE tickets_fts MATCH %s"
    if not include_internal:
        sql += " AND internal = 0"
    with connection.cursor() as cur:
        cur.execute(sql + f" LIMIT {MAX_HITS}", [match])
        return [row[0] for row in cur.fetchall()]


def _postgres_ids(words: list[str], include_internal: bool) -> list[int]:
    tsquery = " & ".join(words)
    internal_filter = "" if include_internal else "AND m.kind <> 'internal'"
    # Only constants are interpolated; the user's words travel as parameters.
    sql = (
        "SELECT t.id FROM tickets_ticket t WHERE to_tsvector('simple', t.subject) @@ plainto_tsquery('simple', %s) "  # noqa: S608
        "UNION SELECT m.ticket_id FROM tickets_message m "
        "WHERE to_tsvector('simple', m.body) @@ plainto_tsquery('simple', %s) " + internal_filter +
        " LIMIT " + str(MAX_HITS)
    )
    with connection.cursor() as cur:
        cur.execute(sql, [tsquery.replace("&", " "), tsquery.replace("&", " ")])
        return [row[0] for row in cur.fetchall()]
