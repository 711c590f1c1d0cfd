"""Reads of tickets, always through the authorization policy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from supportdesk import policy
from supportdesk.errors import NotFound

from . import search
from .models import Attachment, OpenTicketCount, Ticket
from .schemas import TICKET_ROWS

# The queue sort (R7) for lists that are not the open-only agent queue: a ticket without an SLA due sorts
# after every due one on both databases (SQLite would put NULLs first; PostgreSQL puts them last).
QUEUE_ORDER = ("queue_rank", F("sla_due_at").asc(nulls_last=True), "severity", "created_at", "id")


def ticket_for(user: Any, ticket_id: int) -> Ticket:
    """The ticket if this person may see it; otherwise 404 exactly as for a missing id."""
    ticket = policy.visible_tickets(user).select_related("client", "requester", "assignee").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("ticket")
    return ticket


def attachments_of(user: Any, ticket_id: int) -> QuerySet[Attachment]:
    """The files of a ticket this person may see (internal ones for staff only), oldest first."""
    return policy.visible_attachments(user).filter(ticket_id=ticket_id).order_by("id")


def opened_ticket_for(user: Any, opened: Any) -> Ticket:
    """The ticket `user` just opened (tickets.actions.Opened), as they may see it.

    A new ticket is the one in memory, answered without reading it back when the person's scope covers
    it; an idempotent replay goes through the policy query again."""
    ticket: Ticket = opened.ticket
    if opened.created and policy.ticket_scope(user).covers(ticket):
        return ticket
    return ticket_for(user, ticket.pk)


def ticket_list(user: Any, *, status: str | None = None, queue: str | None = None, q: str | None = None,
                client_id: int | None = None, open_only: bool = False, assignee_id: int | None = None,
                scope: policy.TicketScope | None = None) -> QuerySet[Ticket]:
    qs = policy.visible_tickets(user, scope=scope).select_related("client", "requester")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(is_open=True)
    if queue:
        qs = qs.filter(queue=queue)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if q:
        qs = qs.filter(pk__in=search.matching_ticket_ids(q, include_internal=policy.can_see_internal(user),
                                                         among=scope or policy.ticket_scope(user)))
    return qs


def assigned(qs: QuerySet[Ticket], user: Any, assignee: str) -> QuerySet[Ticket]:
    """Narrow to tickets assigned to "me" (the asking person), to "none" (unassigned) or to a staff id."""
    if assignee == "none":
        return qs.filter(assignee__isnull=True)
    return qs.filter(assignee_id=user.pk if assignee == "me" else int(assignee))


def agent_queue(user: Any, *, queue: str | None = None, scope: policy.TicketScope | None = None) -> QuerySet[Ticket]:
    """Open tickets: priority queue first, then nearest SLA due (none last), severity, age (R7).

    PostgreSQL's btree sorts NULLs last by default, so `ticket_queue_sort` serves the order as is. SQLite
    sorts NULLs first and can use neither an index for `NULLS LAST` nor one for a bare boolean test, so
    there the same order is spelled `sla_due_at IS NULL, sla_due_at` with `is_open = 1`, which the
    expression index `ticket_queue_sort_nulls_last` serves (77 ms -> 0.03 ms for a page over 100,000
    tickets; see docs/premium.md).
    """
    from django.db.models import F
    from django.db.models.lookups import Exact, IsNull

    qs = ticket_list(user, open_only=True, queue=queue, scope=scope)
    if connection.vendor == "sqlite":
        return qs.filter(Exact(F("is_open"), True)).order_by(
            "queue_rank", IsNull(F("sla_due_at"), True), "sla_due_at", "severity", "created_at", "id")
    return qs.order_by("queue_rank", F("sla_due_at").asc(nulls_last=True), "severity", "created_at", "id")


def next_ticket(user: Any) -> Ticket | None:
    """The head of the agent's queue view (R7 order) among the tickets nobody has taken and their own: an
    urgent ticket of their own comes before a later unassigned one; tickets taken by others are skipped."""
    return agent_queue(user).filter(Q(assignee__isnull=True) | Q(assignee=user)).first()


def open_ticket_count(scope: policy.TicketScope, *, queue: str | None = None) -> int | None:
    """How many open tickets `scope` sees (in `queue`), from the trigger-kept counter (tickets.0005).

    None when the counter cannot say and the caller must COUNT: a requester-only scope (the counter is per
    client and queue), and on PostgreSQL inside a transaction, because the deferred triggers apply the
    transaction's own ticket changes only at its commit (outside one — every list request — it is exact).
    """
    if scope.kind == "none":
        return 0
    if scope.kind == "requester" or (connection.vendor == "postgresql" and connection.in_atomic_block):
        return None
    where: list[str] = ["TRUE"]  # a few rows per client: summed in SQL written here (the ORM costs more)
    params: list[int | str] = []
    if scope.kind == "client":
        where.append("client_id = %s")
        params.append(scope.client_id)
    if queue:
        where.append("queue = %s")
        params.append(queue)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(open_count), 0) FROM {OpenTicketCount._meta.db_table} "  # noqa: S608
                       f"WHERE {' AND '.join(where)}", params)
        return int(cursor.fetchone()[0])


# One page of a ticket list as TicketOut dicts: one query over the rows and the two joins it shows, no
# model instances. `requester` is accounts.User.display_name (full name, else email).
_ROW_COLUMNS = ("id", "client_id", "client__name", "requester_id", "requester__full_name", "requester__email",
                "subject", "severity", "status", "channel", "queue", "assignee_id", "version", "sla_due_at",
                "sla_state", "created_at", "updated_at")


def ticket_items(qs: QuerySet[Ticket], offset: int, limit: int) -> list[dict[str, Any]]:
    """The TicketOut items of `qs[offset:offset + limit]`, validated, JSON-ready (what TicketOut would give)."""
    return _items(qs.values_list(*_ROW_COLUMNS)[offset:offset + limit])


def ticket_item(ticket: Ticket) -> dict[str, Any]:
    """One ticket as TicketOut gives it, validated, JSON-ready: for answers rendered without ninja's
    response validation (the new ticket of W1, whose client and requester are already in memory)."""
    client, requester = ticket.client, ticket.requester
    return _items([(ticket.pk, ticket.client_id, client.name, ticket.requester_id, requester.full_name,
                    requester.email, ticket.subject, ticket.severity, ticket.status, ticket.channel, ticket.queue,
                    ticket.assignee_id, ticket.version, ticket.sla_due_at, ticket.sla_state, ticket.created_at,
                    ticket.updated_at)])[0]


def _items(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    items = [
        {"id": pk, "number": pk, "client_id": client_id, "client": client, "requester_id": requester_id,
         "requester": full_name or email, "subject": subject, "severity": severity, "status": status,
         "channel": channel, "queue": queue, "assignee_id": assignee_id, "version": version,
         "sla_due_at": sla_due_at, "sla_state": sla_state, "created_at": created_at, "updated_at": updated_at}
        for (pk, client_id, client, requester_id, full_name, email, subject, severity, status, channel, queue,
             assignee_id, version, sla_due_at, sla_state, created_at, updated_at)
        in rows
    ]
    return TICKET_ROWS.dump_python(TICKET_ROWS.validate_python(items))


# The agent queue's page query, compiled by the ORM once per database connection and shape (vendor, scope
# kind, queue filter or not) and then run with the request's values: building and compiling the queryset
# costs ~0.6 ms a request, running it ~0.1 ms. The template is agent_queue() over policy.visible_tickets()
# for a scope whose ids (and queue) are sentinels, so the policy stays the one place that says who sees what.
_SENTINEL_CLIENT, _SENTINEL_REQUESTER, _SENTINEL_QUEUE = -7_310_452_119, -7_310_452_120, "\x00queue\x00"
_MAX_OFFSET = 2**62  # beyond any table; larger numbers would overflow the database's integers


@dataclass(frozen=True)
class _PreparedPage:
    sql: str
    params: tuple[Any, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]


def queue_items(scope: policy.TicketScope, *, queue: str | None, offset: int, limit: int) -> list[dict[str, Any]]:
    """`ticket_items(agent_queue(user, queue=queue), offset, limit)` for the person whose scope this is."""
    if scope.kind == "none" or offset > _MAX_OFFSET:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    cache: dict[tuple[str, bool], _PreparedPage] = db.__dict__.setdefault("_sd_queue_pages", {})
    prepared = cache.get((scope.kind, bool(queue)))
    if prepared is None:
        prepared = cache[(scope.kind, bool(queue))] = _prepare_queue_page(scope.kind, bool(queue))
    values = {_SENTINEL_CLIENT: scope.client_id, _SENTINEL_REQUESTER: scope.requester_id, _SENTINEL_QUEUE: queue}
    params = [values.get(p, p) if isinstance(p, int | str) and not isinstance(p, bool) else p
              for p in prepared.params]
    with db.cursor() as cursor:
        cursor.execute(f"{prepared.sql} LIMIT %s OFFSET %s", [*params, limit, offset])
        rows = cursor.fetchall()
    if prepared.converters:
        rows = list(prepared.compiler.apply_converters(rows, prepared.converters))
    return _items(rows)


def _prepare_queue_page(kind: str, with_queue: bool) -> _PreparedPage:
    template = policy.TicketScope(kind, client_id=_SENTINEL_CLIENT, requester_id=_SENTINEL_REQUESTER)  # type: ignore[arg-type]
    qs = agent_queue(None, queue=_SENTINEL_QUEUE if with_queue else None, scope=template).values_list(*_ROW_COLUMNS)
    compiler = qs.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    expected: set[int | str] = set()
    if kind in ("client", "requester"):
        expected.add(_SENTINEL_CLIENT)
    if kind == "requester":
        expected.add(_SENTINEL_REQUESTER)
    if with_queue:
        expected.add(_SENTINEL_QUEUE)
    found = [p for p in params if p in (_SENTINEL_CLIENT, _SENTINEL_REQUESTER, _SENTINEL_QUEUE) and not isinstance(p, bool)]
    # Each sentinel must be a parameter, once, and never inlined into the SQL text.
    assert sorted(map(str, found)) == sorted(map(str, expected)), (kind, with_queue, params)
    assert str(_SENTINEL_CLIENT)[1:] not in sql and " LIMIT " not in sql.upper(), sql
    converters = compiler.get_converters([col for col, _, _ in compiler.select[:compiler.col_count]])
    return _PreparedPage(sql, tuple(params), compiler, converters)


def merge_candidates(user: Any, ticket: Ticket, limit: int = 15) -> list[tuple[int, str]]:
    """Other open, unmerged tickets of the ticket's client, newest first: what a duplicate is merged into."""
    qs = (policy.visible_tickets(user).filter(client_id=ticket.client_id, is_open=True, merged_into__isnull=True)
          .exclude(pk=ticket.pk).order_by("-created_at", "-id"))
    return list(qs.values_list("pk", "subject")[:limit])
