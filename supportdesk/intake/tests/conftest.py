"""Fixtures of the intake tests: a client with people, an open ticket with known mail ids, real servers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from supportdesk.factories import ClientFactory, ClientUserFactory, StaffFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets import actions as tickets

CORPUS = Path(__file__).parent / "corpus"
ANCHOR_OUT = "<anchor-out@supportdesk.example>"  # one of our outbound Message-IDs on the ticket
FIRST_CLIENT = "<first-client@acme.example>"  # the client's first email on the ticket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mail_world(db):  # noqa: ANN001, ANN201
    """Client Acme (acme.example) with alice and bob, another client's mallory, a staff agent, and
    alice's open email ticket that our outbound mail and her first email identify."""
    acme = ClientFactory(name="Acme", domains=["acme.example"])
    other = ClientFactory(name="Other", domains=["other.example"])
    alice = ClientUserFactory(client=acme, email="alice@acme.example", client_role="client_admin")
    bob = ClientUserFactory(client=acme, email="bob@acme.example", client_role="client_admin")
    mallory = ClientUserFactory(client=other, email="mallory@other.example")
    agent = StaffFactory(email="agent@vendor.example", staff_roles=["agent"])
    ticket = tickets.open_ticket(None, requester=alice, subject="Printing fails", body="It fails.",
                                 channel="email", source="email", source_id=FIRST_CLIENT, notify=False).ticket
    OutboxItem.objects.create(topic="ticket.update", recipient=alice.email, subject="[#1] Printing",
                              message_id=ANCHOR_OUT, ticket=ticket, status="sent",
                              next_attempt_at=ticket.created_at)
    return {"acme": acme, "other": other, "alice": alice, "bob": bob, "mallory": mallory, "agent": agent,
            "ticket": ticket}


@pytest.fixture
def small_limits(settings):  # noqa: ANN001, ANN201
    settings.SUPPORTDESK = {**settings.SUPPORTDESK, "MAIL_MAX_BYTES": 512_000, "MAIL_MAX_PARTS": 100}
    return settings


def corpus_raw(name: str, ticket_id: int) -> bytes:
    return (CORPUS / name).read_bytes().replace(b"{TICKET}", str(ticket_id).encode())


def expected_outcomes() -> list[tuple[str, str]]:
    rows = []
    for line in (CORPUS / "EXPECTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".eml"):
            rows.append((cells[0], cells[1]))
    return rows
