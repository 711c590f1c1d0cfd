"""Properties of a clock's timing (no database): whatever the pauses, the clock has used exactly its target
at its due instant, paused time consumes nothing, and the warning comes before the due instant, while open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.sla import timing
from supportdesk.sla.calendars import BusinessCalendar
from supportdesk.sla.models import Clock

CALENDARS = {
    "business-hours": BusinessCalendar.business_hours("America/Toronto", holidays=[datetime(2026, 3, 9).date()]),
    "weekdays-24h": BusinessCalendar.weekdays_24h("Europe/London"),
    "24x7": BusinessCalendar.always("Australia/Lord_Howe"),
}
BASE = datetime(2026, 3, 2, tzinfo=UTC)  # spans the March DST changes of Toronto and London

starts = st.integers(0, 40 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
pause_lists = st.lists(st.tuples(st.integers(0, 20 * 24 * 60), st.integers(1, 3 * 24 * 60)), max_size=4)


def clock_with(start: datetime, minutes: int, pauses: list[tuple[int, int]]) -> Clock:
    intervals, cursor = [], start
    for gap, length in sorted(pauses):
        s = max(cursor, start + timedelta(minutes=gap))
        intervals.append((s, s + timedelta(minutes=length)))
        cursor = s + timedelta(minutes=length)
    return Clock(target_minutes=minutes, started_at=start, pauses=timing.dump_pauses(intervals))


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(CALENDARS)), start=starts, minutes=st.integers(1, 3000), pauses=pause_lists,
       lead=st.integers(0, 600))
def test_a_clock_has_used_exactly_its_target_at_its_due_instant(kind, start, minutes, pauses, lead):
    calendar = CALENDARS[kind]
    clock = clock_with(start, minutes, pauses)
    due, warn = timing.schedule(clock, calendar, lead)
    assert due is not None and due > start
    assert timing.used(clock, calendar, due) == timedelta(minutes=minutes)
    assert timing.balance(clock, calendar, due) == timedelta(0)
    # One business minute later it is a minute over (the calendar is open just before the due instant)
    assert timing.used(clock, calendar, due - timedelta(seconds=1)) == timedelta(minutes=minutes, seconds=-1)
    if lead == 0:
        assert warn is None
    else:
        # The warning: `lead` minutes of calendar time before the due instant, or the first open instant after
        # that (never while closed), never before the start and never after the due instant
        assert warn is not None and start <= warn <= due and calendar.is_open(warn)
        earliest = max(due - timedelta(minutes=lead), start)
        assert warn >= earliest and calendar.elapsed(earliest, warn) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(sorted(CALENDARS)), start=starts, minutes=st.integers(1, 3000), pauses=pause_lists)
def test_pauses_never_bring_the_due_instant_earlier(kind, start, minutes, pauses):
    calendar = CALENDARS[kind]
    free, _ = timing.schedule(Clock(target_minutes=minutes, started_at=start, pauses=[]), calendar, 0)
    paused, _ = timing.schedule(clock_with(start, minutes, pauses), calendar, 0)
    assert free is not None and paused is not None and paused >= free


def test_an_open_pause_leaves_no_due_instant():
    clock = Clock(target_minutes=30, started_at=BASE, pauses=[[BASE.isoformat(), None]])
    assert timing.schedule(clock, CALENDARS["24x7"], 15) == (None, None)
    assert timing.used(clock, CALENDARS["24x7"], BASE + timedelta(days=3)) == timedelta(0)
