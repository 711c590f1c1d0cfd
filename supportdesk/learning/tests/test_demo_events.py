"""The demo data shows events as a client sees them: two upcoming, one with a designated user's half-price seat."""

from __future__ import annotations

from decimal import Decimal

from supportdesk.demo_data import load_demo
from supportdesk.learning.models import Event, Registration


def test_given_the_demo_data_then_two_events_are_upcoming_and_dana_holds_a_half_price_seat(db):
    load_demo()
    assert set(Event.objects.values_list("kind", flat=True)) == {"webinar", "event"}
    seat = Registration.objects.get(user__email="dana@hartleymoss.example")
    assert (seat.fee, seat.discount_percent, seat.event.kind) == (Decimal("100.00"), 50, "webinar")
