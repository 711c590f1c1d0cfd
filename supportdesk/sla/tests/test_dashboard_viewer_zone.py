"""Issue 3: the UI shows each clock's due instant in the viewer's zone; the dashboard's at-risk and breach lists
too (attainment months stay in the vendor's zone, and say so)."""

from __future__ import annotations

import pytest

from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.sla.sweep import sweep

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db


def test_a_london_manager_sees_at_risk_and_breached_dues_in_london_time(clock, as_person):
    # Given a Premium severity 2 ticket opened Monday 10:00 Toronto (14:00Z), due two hours later (16:00Z)
    clock.at(utc(2026, 4, 6, 14, 0))
    TicketFactory(requester=requester_of(client_with("premium")), severity=2, subject="Due soon")
    london = StaffFactory(staff_roles=["manager"], timezone_name="Europe/London")
    # When a manager whose zone is London opens the dashboard
    html = as_person(london).get("/dashboard/").content.decode()
    # Then the at-risk list shows the due instant as 17:00 London (BST), not 12:00 Toronto
    assert "Due (Europe/London)" in html and "Mon 6 Apr 17:00" in html and "Mon 6 Apr 12:00" not in html
    assert "Months in America/Toronto" in html
    # And once breached, the breach list shows it in London time as well
    clock.at(utc(2026, 4, 6, 16, 5))
    sweep()
    html = as_person(london).get("/dashboard/").content.decode()
    assert "6 Apr 2026 17:00" in html and "6 Apr 2026 17:05" in html and "6 Apr 2026 12:00" not in html
