"""The rota's override form: a start or end at the ends of the calendar is refused on its field (a bare
"out of range" 422 before, or an override kept from year 1), and nothing is recorded."""

from __future__ import annotations

import re

import pytest

from supportdesk.factories import StaffFactory
from supportdesk.oncall.models import RotaOverride


def field_error(page, field: str) -> str:  # noqa: ANN001
    """The error text shown under a field of the override form (the shift form above it has a start and end too)."""
    html = page.content.decode().replace("&#x27;", "'")
    form = html.split('id="id_ovr-staff"', 1)[1]
    block = re.search(rf'data-field="{field}">(.*?)</div>', form, re.S)
    assert block, f"no field {field} in the override form"
    return " ".join(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("start", "0001-01-01T00:00", "0001-01-01 00:00 is outside the years 2 to 9998"),
    ("end", "9999-12-31T23:59", "9999-12-31 23:59 is outside the years 2 to 9998"),
    ("end", "9999-12-31", "9999-12-31 00:00 is outside the years 2 to 9998"),
    ("start", "2027-13-45T10:00", "Enter a valid date/time"),
])
def test_given_an_override_out_of_range_then_a_field_error_and_no_override(db, as_person, field, value, message):
    # Given a manager on the rota page and an agent to put on call
    agent = StaffFactory(staff_roles=["agent"])
    http = as_person(StaffFactory(staff_roles=["manager"]))
    data = {"ovr-staff": str(agent.pk), "ovr-start": "2027-03-15T10:00", "ovr-end": "2027-03-15T12:00",
            "ovr-zone": "America/Toronto", "ovr-note": ""}
    # When the override is posted with the bad value
    page = http.post("/oncall/", {**data, f"ovr-{field}": value})
    # Then the form says so on the field, and nothing is recorded
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert not RotaOverride.objects.exists()


@pytest.mark.parametrize("field", ["staff_id", "weekday"])
def test_given_json_true_for_a_shift_number_then_422_on_that_field_not_read_as_1(db, as_person, field):
    # Given a manager and an agent; when a shift is sent with true where a number belongs
    http = as_person(StaffFactory(staff_roles=["manager"]))
    agent = StaffFactory(staff_roles=["agent"])
    body = {"staff_id": agent.pk, "weekday": 2, "start": "09:00", "end": "17:00"} | {field: True}
    answer = http.post("/api/v1/oncall/shifts", body, content_type="application/json")
    # Then it is refused on that field, and no shift is written
    assert answer.status_code == 422, answer.content
    assert field in str(answer.json()["error"]["fields"])
    from supportdesk.oncall.models import RotaShift

    assert not RotaShift.objects.exists()
