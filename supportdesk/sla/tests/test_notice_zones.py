"""SLA warning and breach emails state the due time in each recipient's own zone (with abbreviation, offset
and UTC), as the pages do, not in UTC alone."""

from __future__ import annotations

import pytest

from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.sla.sweep import sweep

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db


def test_warning_and_breach_emails_give_the_due_time_in_each_readers_zone(clock):
    # Given managers in Toronto and London, and a Premium severity 1 ticket opened Monday 30 March 2026 at
    # 08:00 UTC (the day after London moved to summer time), due 30 minutes later
    toronto = StaffFactory(staff_roles=["manager"], timezone_name="America/Toronto")
    london = StaffFactory(staff_roles=["manager"], timezone_name="Europe/London")
    clock.at(utc(2026, 3, 30, 8, 0))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=1, subject="Down")
    # When the sweep warns (15 minutes before) and then breaches
    clock.at(utc(2026, 3, 30, 8, 16))
    sweep()
    clock.at(utc(2026, 3, 30, 8, 31))
    sweep()
    mail = {(m.topic, m.recipient): m.body for m in OutboxItem.objects.filter(ticket=ticket, topic__startswith="sla.")}
    # Then each reads the due time in their own zone, the abbreviation and offset, and UTC
    assert ("is due at Mon 30 Mar 2026, 04:30 EDT (UTC-04:00), 2026-03-30 08:30 UTC."
            in mail[("sla.warning", toronto.email)])
    assert ("is due at Mon 30 Mar 2026, 09:30 BST (UTC+01:00), 2026-03-30 08:30 UTC."
            in mail[("sla.warning", london.email)])
    assert "was due at Mon 30 Mar 2026, 09:30 BST (UTC+01:00), 2026-03-30 08:30 UTC;" in mail[("sla.breach", london.email)]
