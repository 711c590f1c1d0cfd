"""Full-text search over subjects and conversations: FTS5 on SQLite, tsvector (GIN) on PostgreSQL.

On SQLite the index is filled from the messages by `catch_up`, which every search runs first. The index
rows carry an `internal` flag so that a client never finds a ticket by words that only
appear in an internal note; the caller still filters by the authorization policy.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Max

from .models import Message, MessageKind, SearchIndexProgress

if TYPE_CHECKING:
    from supportdesk.policy.tickets import TicketScope as Scope

MAX_HITS = 2000
_WORD = re.compile(r"\w+", re.UNICODE)


CATCH_UP_BATCH = 2_000

# The messages the index has not seen, oldest first; a ticket's first message carries its subject.
_PENDING_SQL = (
    "SELECT m.id, m.ticket_id, m.kind = %s, m.body, "
    "CASE WHEN NOT EXISTS (SELECT 1 FROM tickets_message p WHERE p.ticket_id = m.ticket_id AND p.id < m.id) "
    "THEN t.subject END "
    "FROM tickets_message m JOIN tickets_ticket t ON t.id = m.ticket_id WHERE m.id > %s ORDER BY m.id LIMIT %s")


def catch_up() -> int:
    """SQLite: put every message the FTS index has not seen into it, in batches. Returns how many.

    Messages are not indexed in the transaction that writes them: that would write a new FTS segment
    (about a quarter of the pages a new ticket writes) per ticket (bench/README.md, W1). Instead every
    search first calls this, so a search always sees every committed message, and a job calls it each
    minute so that a search rarely finds more than a minute's messages to add. PostgreSQL searches
    expression indexes on the tables themselves and needs nothing."""
    if connection.vendor != "sqlite" or _last_indexed() >= _last_message():
        return 0
    added = 0
    while True:
        with transaction.atomic():  # IMMEDIATE: one indexer at a time, reading the progress under the lock
            last = _last_indexed()
            with connection.cursor() as cur:
                cur.execute(_PENDING_SQL, [MessageKind.INTERNAL, last, CATCH_UP_BATCH])
                rows = cur.fetchall()
                if not rows:
                    return added
                cur.executemany("INSERT INTO tickets_fts(ticket_id, internal, content) VALUES (%s, %s, %s)",
                                [(ticket_id, int(bool(internal)), f"{subject}\n{body}" if subject is not None else body)
                                 for _, ticket_id, internal, body, subject in rows])
            SearchIndexProgress.objects.update_or_create(pk=1, defaults={"last_message_id": rows[-1][0]})
        added += len(rows)


def index_subject(ticket_id: int, subject: str) -> None:
    """SQLite: a changed subject enters the index as one more row of its ticket (the opening message's row
    carries the subject it had then). PostgreSQL searches the subject column itself and needs nothing."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("INSERT INTO tickets_fts(ticket_id, internal, content) VALUES (%s, 0, %s)", [ticket_id, subject])


def _last_indexed() -> int:
    found = SearchIndexProgress.objects.filter(pk=1).values_list("last_message_id", flat=True).first()
    return found or 0


def _last_message() -> int:
    return Message.objects.aggregate(last=Max("id"))["last"] or 0


def matching_ticket_ids(query: str, *, include_internal: bool, among: Scope | None = None) -> list[int]:
    """Tickets with every word of `query`, at most MAX_HITS of them. `among`: the tickets the person may see
    (policy.TicketScope); it is applied in the same SQL, before the limit, so that other clients' tickets
    matching a common word never crowd out the person's own."""
    words = _WORD.findall(query)[:20]
    if not words or (among is not None and among.kind == "none"):
        return []
    if connection.vendor == "sqlite":
        catch_up()
        sql, params = _sqlite_match(words, include_internal)
    else:
        sql, params = _postgres_match(words, include_internal)
    where, scope_params = _scope_filter(among)
    # Only constants are interpolated; the user's words and the scope's ids travel as parameters.
    sql = (f"SELECT hits.ticket_id FROM ({sql}) hits JOIN tickets_ticket seen ON seen.id = hits.ticket_id "  # noqa: S608
           f"WHERE {where} LIMIT {MAX_HITS}")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *scope_params])
        return [row[0] for row in cur.fetchall()]


def _scope_filter(among: Scope | None) -> tuple[str, list[int]]:
    if among is None or among.kind == "all":
        return "1 = 1", []
    if among.kind == "client":
        return "seen.client_id = %s", [among.client_id]
    if among.kind == "requester":
        return "seen.client_id = %s AND seen.requester_id = %s", [among.client_id, among.requester_id]
    if among.kind == "none":
        return "1 = 0", []
    # The same kinds as policy.visible_tickets; a new one must be spelled here too, never guessed.
    raise ValueError(f"search: unknown ticket scope {among.kind!r}")


def _sqlite_match(words: list[str], include_internal: bool) -> tuple[str, list[str]]:
    # Every word somewhere in the ticket (its subject or any message it may see): one MATCH per word, intersected.
    # Quoted tokens: user input can never be read as FTS5 query syntax.
    one = "SELECT ticket_id FROM tickets_fts WHERE tickets_fts MATCH %s" + (  # noqa: S608 (constants only)
        "" if include_internal else " AND internal = 0")
    return " INTERSECT ".join([one] * len(words)), ['"' + w.replace('"', '""') + '"' for w in words]


def _postgres_match(words: list[str], include_internal: bool) -> tuple[str, list[str]]:
    # As on SQLite: every word in the subject or in a message, each word served by the GIN expression indexes.
    internal_filter = "" if include_internal else "AND m.kind <> 'internal'"
    one = ("(SELECT t.id AS ticket_id FROM tickets_ticket t "  # noqa: S608 (constants only)
           "WHERE to_tsvector('simple', t.subject) @@ plainto_tsquery('simple', %s) "
           "UNION SELECT m.ticket_id FROM tickets_message m "
           "WHERE to_tsvector('simple', m.body) @@ plainto_tsquery('simple', %s) " + internal_filter + ")")
    return " INTERSECT ".join([one] * len(words)), [w for word in words for w in (word, word)]
