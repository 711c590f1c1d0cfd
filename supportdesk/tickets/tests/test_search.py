"""Full-text search finds a ticket by its subject and by any message, the moment they are written, on
SQLite (FTS5, filled by search.catch_up) and PostgreSQL alike; clients never find words of internal notes."""

from __future__ import annotations

import pytest
from django.db import connection

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.tickets import actions, search
from supportdesk.tickets.models import MessageKind, SearchIndexProgress
from supportdesk.tickets.queries import ticket_list
from supportdesk.tickets.tasks import search_catch_up_task

pytestmark = pytest.mark.django_db


def found(user: object, words: str) -> set[int]:
    return set(ticket_list(user, q=words).values_list("id", flat=True))


def fts_rows(ticket_id: int) -> list[tuple[int, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT internal, content FROM tickets_fts WHERE ticket_id = %s ORDER BY rowid", [ticket_id])
        return [(int(i), c) for i, c in cur.fetchall()]


def test_given_a_new_ticket_then_a_search_right_after_finds_it_by_subject_and_by_body():
    requester = ClientUserFactory()
    ticket = actions.open_ticket(requester, subject="Conflict checker freezes", body="Spinning wheel on matter intake").ticket
    assert found(requester, "conflict checker") == {ticket.pk}
    assert found(requester, "spinning wheel intake") == {ticket.pk}


def test_given_replies_and_an_internal_note_then_staff_find_all_and_the_client_not_the_note():
    requester, agent = ClientUserFactory(), StaffFactory(staff_roles=["agent"])
    ticket = TicketFactory(requester=requester, subject="Billing export")
    actions.add_message(requester, ticket, body="The ledger totals look doubled")
    actions.add_message(agent, ticket, body="Suspect the zanzibar migration script", kind=MessageKind.INTERNAL)
    assert found(agent, "ledger doubled") == found(requester, "ledger doubled") == {ticket.pk}
    assert found(agent, "zanzibar") == {ticket.pk}
    assert found(requester, "zanzibar") == set()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_each_message_enters_the_index_once_with_the_subject_on_the_first():
    requester, agent = ClientUserFactory(), StaffFactory(staff_roles=["agent"])
    ticket = TicketFactory(requester=requester, subject="Printer offline", body="Since Monday")
    actions.add_message(agent, ticket, body="Restarted the spooler", kind=MessageKind.INTERNAL)
    assert search.catch_up() >= 2
    assert search.catch_up() == 0
    assert fts_rows(ticket.pk) == [(0, "Printer offline\nSince Monday"), (1, "Restarted the spooler")]
    last = SearchIndexProgress.objects.get(pk=1).last_message_id
    assert last == ticket.messages.order_by("-id").first().pk


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_the_periodic_job_indexes_what_was_written_since_it_last_ran():
    search.catch_up()
    ticket = TicketFactory(subject="Docketing sync")
    assert fts_rows(ticket.pk) == []
    assert search_catch_up_task.call_local() == 1
    assert fts_rows(ticket.pk) == [(0, f"Docketing sync\n{ticket.messages.get().body}")]


def test_catch_up_on_postgresql_does_nothing_and_search_still_finds():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    requester = ClientUserFactory()
    ticket = TicketFactory(requester=requester, subject="Deadline calculator wrong")
    assert search.catch_up() == 0
    assert found(requester, "deadline calculator") == {ticket.pk}
