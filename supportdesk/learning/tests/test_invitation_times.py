"""Registration emails state an event's time in its own zone with the abbreviation (EDT/EST tells the two
01:30s of a fall-back night apart) and the end's date when it is another day; the ICS carries UTC instants."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from supportdesk.factories import ClientUserFactory, premium_client
from supportdesk.learning import actions
from supportdesk.notifications.models import OutboxItem

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_registration_email_for_an_overnight_event_across_the_fall_back(clock):
    # Given an event from 23:00 on 31 October to 03:00 on 1 November 2026 in Toronto (clocks go back at 02:00)
    clock.at(datetime(2026, 10, 1, 12, 0, tzinfo=UTC))
    event = EventFactory(title="Overnight migration clinic", starts_at=datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
                         ends_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC), fee=0)
    # When a client user registers
    actions.register(ClientUserFactory(client=premium_client()), event)
    mail = OutboxItem.objects.get(topic="learning.registration")
    # Then the email says when it starts and ends, with each side's own abbreviation and the end's date
    assert ("When: Saturday 31 October 2026, 23:00 EDT UTC-04:00 to Sunday 01 November 2026, 03:00 EST UTC-05:00 "
            "(America/Toronto)") in mail.body
    # and the calendar file gives the same instants in UTC
    ics = base64.b64decode(mail.attachments[0]["content_b64"]).decode()
    assert "DTSTART:20261101T030000Z" in ics and "DTEND:20261101T080000Z" in ics
