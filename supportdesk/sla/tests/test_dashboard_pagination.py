"""The manager dashboard's lists page (SPEC §11: every list has pagination): at risk, breaches, attainment.
Before, at-risk stopped silently at 50 clocks and breaches at 100, with no way to see the rest."""

from __future__ import annotations

import re

import pytest

from supportdesk.factories import TicketFactory
from supportdesk.sla.sweep import sweep

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)  # 10:00 Toronto


def _tickets_in(html: str, heading: str) -> list[str]:
    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/console/tickets/(\d+)/"', section)


def test_at_risk_and_breach_lists_page_and_keep_the_other_parameters(clock, staff, as_person):
    # Given 30 severity 3 Premium tickets opened at 10:00, all due at 14:00 Toronto (18:00 UTC)
    clock.at(MONDAY_10)
    client = client_with("premium", name="Hale & Partners")
    requester = requester_of(client)
    tickets = [TicketFactory(requester=requester, severity=3, subject=f"Slow report {n}") for n in range(30)]
    http = as_person(staff["manager"])
    # When a manager looks at 17:00 UTC: all 30 are at risk
    clock.at(utc(2026, 4, 6, 17, 0))
    first = http.get("/dashboard/?months=3").content.decode()
    second = http.get("/dashboard/?months=3&at_risk_page=2").content.decode()
    # Then the at-risk list shows 25, says how many in all, and the second page shows the other 5
    assert len(_tickets_in(first, "At risk")) == 25 and "30 in all" in first
    assert 'href="?months=3&amp;at_risk_page=2"' in first  # the period is kept
    assert len(_tickets_in(second, "At risk")) == 5
    assert set(_tickets_in(first, "At risk")) | set(_tickets_in(second, "At risk")) == {str(t.pk) for t in tickets}
    # And once all 30 breached, the breach list pages the same way
    clock.at(utc(2026, 4, 6, 18, 10))
    sweep()
    first = http.get("/dashboard/").content.decode()
    second = http.get("/dashboard/?breaches_page=2").content.decode()
    assert len(_tickets_in(first, "Breaches")) == 25 and len(_tickets_in(second, "Breaches")) == 5
    assert http.get("/dashboard/?breaches_page=x&rows_page=-1&at_risk_page=99").status_code == 200  # bad pages: no 500
