from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient

from supportdesk.accounts.models import User
from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.notifications.models import OutboxItem
from supportdesk.satisfaction import actions
from supportdesk.tickets.actions import update_ticket
from supportdesk.tickets.models import Ticket

LINK = re.compile(r"http://[^/\s]+/satisfaction/([A-Za-z0-9_-]+)/\?rating=(good|bad)")


@dataclass
class Desk:
    agent: User
    manager: User
    sysadmin: User
    requester: User
    ticket: Ticket

    def set_status(self, status: str, ticket: Ticket | None = None) -> Ticket:
        ticket = ticket or self.ticket
        ticket.refresh_from_db()
        return update_ticket(self.agent, ticket, expected_version=ticket.version, status=status)

    def solve(self, ticket: Ticket | None = None) -> Ticket:
        ticket = self.set_status("solved", ticket)
        ticket.refresh_from_db()
        return ticket


@pytest.fixture(autouse=True)
def _fresh_cache():  # noqa: ANN202 - the rate limiter counts in the cache
    cache.clear()


@pytest.fixture
def desk(db) -> Desk:  # noqa: ANN001
    client = premium_client(name="Hartley & Moss LLP")
    requester = ClientUserFactory(client=client, full_name="Dana Whitfield")
    return Desk(agent=StaffFactory(staff_roles=["agent"]), manager=StaffFactory(staff_roles=["manager"]),
                sysadmin=StaffFactory(staff_roles=["sysadmin"]), requester=requester,
                ticket=TicketFactory(requester=requester, subject="Matter database down", severity=2))


@pytest.fixture
def as_person():  # noqa: ANN201
    def login(user: User | None) -> HttpClient:
        http = HttpClient()
        if user is not None:
            assert http.login(email=user.email, password=PASSWORD)
        return http

    return login


def after_delay(solved_at: datetime, minutes: int = 1) -> datetime:
    return solved_at + actions.delay() + timedelta(minutes=minutes)


def survey_mails(ticket: Ticket) -> list[OutboxItem]:
    return list(OutboxItem.objects.filter(ticket=ticket, topic="satisfaction.survey").order_by("pk"))


def token_of(mail: OutboxItem) -> str:
    tokens = {m.group(1) for m in LINK.finditer(mail.body)}
    assert len(tokens) == 1, mail.body
    return tokens.pop()


def sent_token(desk: Desk) -> str:
    """Solve the desk's ticket, run the job after the delay, and return the link's token."""
    ticket = desk.solve()
    assert actions.send_due_surveys(after_delay(ticket.solved_at)) == 1
    return token_of(survey_mails(ticket)[-1])
