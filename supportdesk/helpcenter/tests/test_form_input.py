"""The help center's section form: a position past the database's integers is refused on its field (SQLite kept
it, PostgreSQL answered a bare "out of range" 422), and no section is made."""

from __future__ import annotations

import re

import pytest

from supportdesk.factories import StaffFactory
from supportdesk.helpcenter.models import Section


@pytest.mark.parametrize(("value", "message"), [
    ("2147483648", "less than or equal to 2147483647"),
    ("99999999999999999999999", "less than or equal to 2147483647"),
    ("-1", "greater than or equal to 0"),
    ("abc", "Enter a whole number"),
])
def test_given_a_section_position_out_of_range_then_a_field_error_and_no_section(db, as_person, value, message):
    http = as_person(StaffFactory(staff_roles=["manager"]))
    sections = Section.objects.count()
    page = http.post("/help/manage/", {"name": "Billing questions", "description": "", "position": value})
    assert page.status_code == 200
    block = re.search(r'data-field="position">(.*?)</div>', page.content.decode(), re.S)
    assert block and message in block.group(1)
    assert Section.objects.count() == sections
