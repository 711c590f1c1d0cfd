"""The registrations list narrowed to one event (`?event_id=`): an event nobody can find is a 404, not an
empty list; a known event without registrations is an empty list."""

from __future__ import annotations

from supportdesk.learning import actions
from supportdesk.learning.models import Event

from .factories import EventFactory


def _listed(http, event_id: object):  # noqa: ANN001, ANN202
    return http.get("/api/v1/learning/registrations", {"event_id": event_id})


def test_given_an_event_id_that_does_not_exist_when_registrations_are_listed_then_404_names_the_event(
        world, as_person):
    # Given an id no event has
    missing = (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    for role in ("manager", "client_admin"):
        # When registrations are listed for it
        response = _listed(as_person(world["people"][role]), missing)
        # Then the answer is a 404 in the API's error shape, naming the event (as GET /events/{id} does)
        assert response.status_code == 404, (role, response.content)
        assert response.json() == {"error": {"code": "not_found", "message": "No such event.", "fields": {}}}
    # and id 0 is looked up too (it used to mean "no filter": every registration)
    assert _listed(as_person(world["people"]["manager"]), 0).status_code == 404


def test_given_a_known_event_without_registrations_when_listed_then_the_list_is_empty(world, as_person):
    # Given an event with registrations and another with none
    actions.register(world["people"]["designated"], world["event"])
    quiet = EventFactory()
    http = as_person(world["people"]["manager"])
    # When the quiet event's registrations are listed
    response = _listed(http, quiet.pk)
    # Then the list is empty (not a 404), and the busy event's lists its registration
    assert response.status_code == 200 and response.json()["items"] == []
    busy = _listed(http, world["event"].pk).json()["items"]
    assert [r["event_id"] for r in busy] == [world["event"].pk]


def test_given_a_person_who_sees_no_events_when_they_filter_by_one_then_404(world, as_person):
    from supportdesk.factories import StaffFactory

    # Given a signed-in person with no staff role and no client (events are not shown to them)
    nobody = StaffFactory(staff_roles=[])
    # When they list registrations of an existing event
    response = _listed(as_person(nobody), world["event"].pk)
    # Then the event is as missing to them as an unknown id
    assert response.status_code == 404 and response.json()["error"]["message"] == "No such event."


def test_given_a_bad_event_id_when_listed_then_422_names_the_parameter(world, as_person):
    response = _listed(as_person(world["people"]["manager"]), "seven")
    assert response.status_code == 422 and "event_id" in response.json()["error"]["fields"]
