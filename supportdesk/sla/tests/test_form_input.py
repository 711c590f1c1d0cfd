"""The calendar editor: an extra closed date outside the years the engine computes is refused on its field
(0001-01-01 was stored as a holiday no clock could ever meet), and the calendar is unchanged."""

from __future__ import annotations

import re

import pytest

from supportdesk.factories import StaffFactory
from supportdesk.sla.models import CalendarConfig, RecomputeJob


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_given_an_extra_closed_date_out_of_range_then_a_field_error_and_no_change(db, as_person, day):
    http = as_person(StaffFactory(staff_roles=["manager"]))
    before = list(CalendarConfig.objects.values())
    page = http.post("/sla/calendars/business-hours/", {"zone": "America/Toronto", "hours": "", "holidays": "",
                                                        "custom_holidays": f"2026-12-24\n{day}"})
    assert page.status_code == 200
    block = re.search(r'data-field="custom_holidays">(.*?)</div>', page.content.decode(), re.S)
    assert block and f"{day} is outside the years 2 to 9998" in block.group(1)
    assert list(CalendarConfig.objects.values()) == before and not RecomputeJob.objects.exists()
