"""What `supportdesk export` writes: tickets, clients, people and service orders, read through the contexts'
queries (so the policy decides what is visible, as for the API's lists and exports)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from supportdesk import policy
from supportdesk.accounts.models import Client, User
from supportdesk.contracts.queries import orders_of
from supportdesk.tickets.actions import check_status
from supportdesk.tickets.exports import CSV_COLUMNS as TICKET_COLUMNS  # the web export's, kept in one place
from supportdesk.tickets.exports import CSV_HEADER as TICKET_HEADER
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import ticket_list

from .output import Record

# The `import clients` / `import people` columns first, so an export imports back as it is; the columns after them
# are information for people and are ignored on import.
CLIENT_HEADER = ["name", "timezone", "domains", "phones", "address", "tam_email", "people"]
PEOPLE_HEADER = ["email", "full_name", "client", "role", "phone", "timezone", "designated"]
ORDER_HEADER = ["number", "kind", "client", "amends", "signed_on", "effective_from", "effective_to", "currency",
                "order_notes", "line_id", "action", "target_line", "offering", "offering_version", "quantity",
                "user_count", "agreed_price", "starts_on", "ends_on", "notes"]

__all__ = ["TICKET_HEADER", "CLIENT_HEADER", "PEOPLE_HEADER", "ORDER_HEADER"]


def tickets(user: Any, *, client: Client | None, statuses: Sequence[str], open_only: bool) -> QuerySet[Ticket]:
    for status in statuses:
        check_status(status)
    qs = ticket_list(user, client_id=client.pk if client else None, open_only=open_only)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("id")


def ticket_records(qs: QuerySet[Ticket]) -> Iterator[Record]:
    """The web export's rows (same columns, same order), as records."""
    for row in qs.values_list(*TICKET_COLUMNS).iterator(chunk_size=2000):
        yield dict(zip(TICKET_HEADER, row, strict=True))


def visible_clients(user: Any, client: Client | None = None) -> QuerySet[Client]:
    qs = policy.visible_clients(user)
    if client is not None:
        qs = qs.filter(pk=client.pk)
    return qs.prefetch_related("domains", "phones", "people", "tam_assignments__tam").order_by("name")


def client_records(qs: QuerySet[Client], *, with_people: bool) -> Iterator[Record]:
    for client in qs:
        tam = next((a.tam.email for a in client.tam_assignments.all() if a.end is None), "")
        people = sorted(client.people.all(), key=lambda p: p.email)
        record: Record = {
            "name": client.name, "timezone": client.timezone,
            "domains": sorted(d.domain for d in client.domains.all()),
            "phones": sorted(p.number for p in client.phones.all()),
            "address": client.address, "tam_email": tam, "people": len(people),
        }
        if with_people:
            designated = _designated_ids(client)
            record["people"] = [_person(p, client.name, designated) for p in people]
        yield record


def people_records(user: Any, client: Client | None) -> Iterator[Record]:
    """Client people of the visible clients, then (unless one client is asked for) vendor staff with their roles."""
    for found in visible_clients(user, client):
        designated = _designated_ids(found)
        for person in sorted(found.people.all(), key=lambda p: p.email):
            yield _person(person, found.name, designated)
    if client is None and policy.is_staff_member(user):
        staff = User.objects.filter(client__isnull=True).prefetch_related("role_grants").order_by("email")
        for person in staff:
            yield _person(person, "", set())


def _designated_ids(client: Client) -> set[int]:
    from supportdesk.accounts.designations import active_designations

    return set(active_designations(client).values_list("user_id", flat=True))


def _person(person: User, client_name: str, designated: set[int]) -> Record:
    roles = person.client_role if person.client_id else ";".join(sorted(g.role for g in person.role_grants.all()))
    return {"email": person.email, "full_name": person.full_name, "client": client_name, "role": roles,
            "phone": person.phone, "timezone": person.timezone, "designated": person.pk in designated}


def order_records(user: Any, client: Client | None, *, nested: bool) -> Iterator[Record]:
    """Service orders (forms and addenda) with their lines: one record per line, or per order with `lines`."""
    for found in visible_clients(user, client):
        if not policy.can_view_contracts(user, found):
            continue
        for order in orders_of(found):
            header = {"number": order.number, "kind": order.kind, "client": found.name,
                      "amends": order.amends.number if order.amends else "", "signed_on": order.signed_on,
                      "effective_from": order.effective_from, "effective_to": order.effective_to,
                      "currency": order.currency}
            lines = [_line(line) for line in order.lines.all()]
            if nested:
                yield {**header, "notes": order.notes, "lines": lines}
            else:
                for line in lines:
                    yield {**header, "order_notes": order.notes, **line}


def _line(line: Any) -> Record:
    version = line.offering_version
    return {"line_id": line.pk, "action": line.action, "target_line": line.target_id,
            "offering": version.offering.code if version else "", "offering_version": version.version if version else None,
            "quantity": line.quantity, "user_count": line.user_count, "agreed_price": line.agreed_price,
            "starts_on": line.starts_on, "ends_on": line.ends_on, "notes": line.notes}
