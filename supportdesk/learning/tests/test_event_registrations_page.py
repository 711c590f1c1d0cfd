"""An event's registrations are paged on its page (SPEC §11): a webinar may seat hundreds."""

from __future__ import annotations

from supportdesk.factories import ClientUserFactory
from supportdesk.learning import actions

from .factories import EventFactory


def test_given_51_registrations_when_a_manager_reads_the_event_then_they_come_50_at_a_time(world, as_person):
    # Given a free webinar with 51 registrants from the Premium client
    event = EventFactory(capacity=60, fee=0)
    for n in range(51):
        actions.register(ClientUserFactory(client=world["own"], email=f"seat{n:02d}@own.example"), event)
    http = as_person(world["people"]["manager"])
    # When the event page, then its second page of registrations, is read
    first = http.get(f"/events/{event.pk}/").content.decode()
    second = http.get(f"/events/{event.pk}/", {"registrations_page": 2}).content.decode()
    # Then 50 registrants with the total, then the last one
    assert first.count("@own.example</td>") == 50 and "Page 1 of 2 · 51 registrations" in first
    assert second.count("@own.example</td>") == 1
