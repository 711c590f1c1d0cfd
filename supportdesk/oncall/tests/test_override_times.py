"""Override times typed on /oncall/ are wall-clock times in the zone the form names, whoever types them: a
time the clocks skip there is refused in place, a repeated one is its first occurrence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.factories import StaffFactory
from supportdesk.oncall.models import RotaOverride

pytestmark = pytest.mark.django_db


def _override(http, staff, start: str, end: str, zone: str):  # noqa: ANN001, ANN202
    return http.post("/oncall/", {"ovr-staff": staff.pk, "ovr-start": start, "ovr-end": end, "ovr-zone": zone,
                                  "ovr-note": "swap"})


def test_an_override_is_read_in_the_zone_the_form_names(clock, as_person):
    # Given a Toronto manager and a London agent, on 1 March 2026
    clock.at(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    manager = StaffFactory(staff_roles=["manager"], timezone_name="America/Toronto")
    agent = StaffFactory(staff_roles=["agent"], timezone_name="Europe/London")
    http = as_person(manager)
    # When the manager enters 09:00-17:00 on 10 March in Europe/London
    assert _override(http, agent, "2026-03-10T09:00", "2026-03-10T17:00", "Europe/London").status_code == 302
    # Then the override runs 09:00-17:00 London time (GMT then), not Toronto time
    override = RotaOverride.objects.get()
    assert (override.start, override.end) == (datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
                                              datetime(2026, 3, 10, 17, 0, tzinfo=UTC))
    # and the rota shows it in the manager's own zone, abbreviation and offset included
    assert "Tue 10 Mar 2026, 05:00 EDT (UTC-04:00)" in http.get("/oncall/").content.decode()


def test_a_skipped_time_is_refused_and_a_repeated_one_is_its_first_occurrence(clock, as_person):
    clock.at(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    manager = StaffFactory(staff_roles=["manager"])
    agent = StaffFactory(staff_roles=["agent"])
    http = as_person(manager)
    # When the start is 02:30 on 8 March 2026 in Toronto, which the clocks skip
    page = _override(http, agent, "2026-03-08T02:30", "2026-03-08T08:00", "America/Toronto")
    # Then the form says so in place and nothing is saved
    assert page.status_code == 200 and not RotaOverride.objects.exists()
    assert "2026-03-08 02:30 does not exist in America/Toronto" in page.content.decode()
    # When it is 01:30 on 1 November 2026, which happens twice
    assert _override(http, agent, "2026-11-01T01:30", "2026-11-01T08:00", "America/Toronto").status_code == 302
    # Then it is the first 01:30 (EDT, 05:30 UTC)
    assert RotaOverride.objects.get().start == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
