"""Bad input on the learning pages' forms comes back on the form with a message on the field, and nothing is
recorded: a date or time at the ends of the calendar (a bare "out of range" 422 before, not the form), a capacity
or fee past what the action allows (100,000 seats, 99,999,999.99)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.learning.models import Event, Release


def field_error(page, field: str) -> str:  # noqa: ANN001
    """The error text shown under one field of a form rendered by web/_form.html."""
    html = page.content.decode().replace("&#x27;", "'")
    block = re.search(rf'data-field="{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field} on the page"
    return " ".join(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)))


EVENT = {"title": "Spring webinar", "kind": "webinar", "starts_at": "2027-03-15T10:00", "ends_at": "2027-03-15T11:00",
         "timezone": "America/Toronto", "capacity": "50", "fee": "0", "currency": "USD", "location": "",
         "description": ""}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("starts_at", "9999-12-31T23:59", "9999-12-31 23:59 is outside the years 2 to 9998"),
    ("ends_at", "9999-12-31T23:59", "9999-12-31 23:59 is outside the years 2 to 9998"),
    ("starts_at", "0001-01-01T00:00", "0001-01-01 00:00 is outside the years 2 to 9998"),
    ("starts_at", "2027-13-45T10:00", "Enter a valid date/time"),
    # The seats the action allows (learning.actions.MAX_CAPACITY, as the API declares): said on the form.
    ("capacity", "100001", "less than or equal to 100000"),
    ("capacity", "2147483648", "less than or equal to 100000"),
    ("fee", "100000000", "less than or equal to 99999999.99"),
])
def test_given_an_event_with_a_bad_field_then_a_field_error_and_no_event(world, as_person, field, value, message):
    # Given a manager on the events page
    http = as_person(world["people"]["manager"])
    events = Event.objects.count()
    # When an event is posted with the bad value
    page = http.post("/events/", {**EVENT, field: value})
    # Then the form says so on the field, and no event is created
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert Event.objects.count() == events


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_given_a_release_dated_out_of_range_then_a_field_error_and_no_release(world, as_person, day):
    http = as_person(world["people"]["manager"])
    releases = Release.objects.count()
    page = http.post("/releases/", {"product": "Case Manager", "version": "9.0", "released_on": day, "notes": "",
                                    "file": SimpleUploadedFile("cm-9.0.zip", b"PK\x03\x04" + b"\x00" * 64)})
    assert page.status_code == 200
    assert f"{day} is outside the years 2 to 9998" in field_error(page, "released_on")
    assert Release.objects.count() == releases
