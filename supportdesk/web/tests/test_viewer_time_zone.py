"""Pages show instants in the signed-in person's own zone (User.timezone) and say which zone that is; anonymous
pages use the vendor's zone. Due instants carry the zone's abbreviation, so a DST-night time is unambiguous."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client

pytestmark = pytest.mark.django_db


def test_an_agent_in_london_reads_the_queue_and_ticket_in_london_time(clock, as_person):
    # Given a Premium severity 2 ticket opened Monday 30 March 2026 at 13:00 UTC (09:00 Toronto, 14:00 London
    # summer time), due two hours later (15:00 UTC)
    clock.at(datetime(2026, 3, 30, 13, 0, tzinfo=UTC))
    ticket = TicketFactory(requester=ClientUserFactory(client=premium_client()), severity=2, subject="Slow")
    agent = StaffFactory(staff_roles=["agent"], timezone_name="Europe/London")
    http = as_person(agent)
    # When an agent whose zone is London opens the queue and the ticket
    queue = http.get("/console/").content.decode()
    page = http.get(f"/console/tickets/{ticket.pk}/").content.decode()
    # Then the due instant reads 16:00 BST (it read 11:00, Toronto's time, with no zone)
    assert "30 Mar 16:00 BST" in queue and "30 Mar 11:00" not in queue
    # and the ticket's opening time and its clock are in London time too, and the page says whose zone that is
    assert "30 Mar 2026, 14:00" in page and "Mon 30 Mar 2026, 16:00 BST" in page
    assert "Times in Europe/London (your profile's zone)" in page


def test_anonymous_pages_say_they_use_the_vendors_zone(db, client):
    page = client.get("/help/").content.decode()
    assert "Times in America/Toronto" in page


@pytest.mark.parametrize("text", ["2026-03-30", "2026-03-30T10:00", "soon"])
def test_given_text_that_is_not_an_instant_when_shown_as_local_time_then_it_comes_back_as_written(text):
    from supportdesk.web.templatetags.web_tags import local_instant

    # Given a snapshot value that is a date, a time without an offset, or no time at all
    # When the page shows it through local_instant
    shown = local_instant(text)
    # Then it reads as written (it read "2026-03-30 00:00:00", a time nobody wrote)
    assert shown == text


def test_given_an_instant_in_text_when_shown_in_a_zone_then_it_has_the_abbreviation_and_offset():
    from supportdesk.web.templatetags.web_tags import local_instant

    assert local_instant("2026-11-01T05:30:00+00:00", "America/Toronto") == "Sun 1 Nov 2026, 01:30 EDT (UTC-04:00)"


def test_given_the_database_unavailable_when_a_signed_in_person_opens_a_page_then_503_not_500(db, as_person,
                                                                                              monkeypatch):
    from django.contrib import auth
    from django.db import OperationalError

    # Given a signed-in agent, and a database that stops answering before their session is read
    http = as_person(StaffFactory(staff_roles=["agent"], timezone_name="Europe/London"))
    http.raise_request_exception = False

    def unreachable(request):  # noqa: ANN001, ANN202
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(auth, "get_user", unreachable)
    # When they open the queue
    page = http.get("/console/")
    # Then the outage answer (503, retry shortly), as before the viewer's zone was looked up for every page; the
    # zone's look-up of the person ran outside the view and turned it into a 500
    assert page.status_code == 503 and page["Retry-After"] == "5"
