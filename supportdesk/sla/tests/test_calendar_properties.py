"""Property tests: the engine against a brute-force minute-stepping oracle.

The oracle shares no code with the engine: it walks UTC minutes, converts each one to local time
with zoneinfo and asks "is this local wall-clock minute inside the weekly pattern and not on a
holiday?".  All generated boundaries are whole minutes (every offset used here is a whole number
of minutes), so openness is constant within each UTC minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.sla.calendars import BusinessCalendar

ZONES = ["America/Toronto", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
MAX_ORACLE_MINUTES = 90 * 1440
EDGE_SEARCH_MINUTES = 21 * 1440

PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- oracle


def oracle_is_open(weekly, holidays, tz: ZoneInfo, t: int) -> bool:
    local = datetime.fromtimestamp(t, tz)
    day = local.date()
    if day in holidays:
        return False
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in weekly[day.weekday()])


def oracle_paused(pauses, t: int) -> bool:
    return any(ps <= t and (pe is None or t < pe) for ps, pe in pauses)


def oracle_due(weekly, holidays, tz, start: int, minutes: int, pauses=()) -> int | None:
    t, used = start, 0
    open_ended = [ps for ps, pe in pauses if pe is None]
    for _ in range(MAX_ORACLE_MINUTES):
        if any(ps <= t for ps in open_ended):
            return None
        if oracle_is_open(weekly, holidays, tz, t) and not oracle_paused(pauses, t):
            used += 1
            if used == minutes:
                return t + 60
        t += 60
    raise AssertionError("oracle ran out of steps")


def oracle_elapsed(weekly, holidays, tz, a: int, b: int, pauses=()) -> int:
    return 60 * sum(
        1
        for t in range(a, b, 60)
        if oracle_is_open(weekly, holidays, tz, t) and not oracle_paused(pauses, t)
    )


def oracle_open_minutes_to_closing(weekly, holidays, tz, start: int, closings: int) -> int:
    """Open minutes from ``start`` until the ``closings``-th open->closed edge (edge-biased targets)."""
    t, used, seen = start, 0, 0
    was_open = False
    for _ in range(EDGE_SEARCH_MINUTES):
        now_open = oracle_is_open(weekly, holidays, tz, t)
        if was_open and not now_open:
            seen += 1
            if seen == closings:
                return used
        used += now_open
        was_open = now_open
        t += 60
    return 0  # no closing nearby (e.g. 24x7): caller falls back to a random target


def oracle_snap_to_edge(weekly, holidays, tz, t: int) -> int:
    """The next instant at which openness changes (an opening or a closing)."""
    first = oracle_is_open(weekly, holidays, tz, t)
    for _ in range(EDGE_SEARCH_MINUTES):
        t += 60
        if oracle_is_open(weekly, holidays, tz, t) != first:
            return t
    return t


def oracle_next_opening(weekly, holidays, tz, t: int) -> int:
    for _ in range(MAX_ORACLE_MINUTES):
        if oracle_is_open(weekly, holidays, tz, t):
            return t
        t += 60
    raise AssertionError("oracle ran out of steps")


# ----------------------------------------------------------------------------- generators


@lru_cache
def transitions(zone: str) -> tuple[int, ...]:
    """Epoch seconds (hour resolution) just after each offset change in 2024..2027."""
    tz = ZoneInfo(zone)
    out = []
    t = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    prev = datetime.fromtimestamp(t, tz).utcoffset()
    while t < end:
        t += 3600
        off = datetime.fromtimestamp(t, tz).utcoffset()
        if off != prev:
            out.append(t)
            prev = off
    return tuple(out)


def day_intervals(points: list[int]) -> tuple[tuple[int, int], ...]:
    points = sorted(points)
    return tuple((points[i] * 15, points[i + 1] * 15) for i in range(0, len(points) - 1, 2))


random_weekly = st.lists(
    st.lists(st.integers(0, 96), unique=True, max_size=6).map(day_intervals), min_size=7, max_size=7
).map(tuple)

canned = st.sampled_from(["always", "weekdays_24h", "business_hours", "night_shift", "dst_edges"])


@st.composite
def calendars(draw):
    zone = draw(st.sampled_from(ZONES))
    kind = draw(st.one_of(canned, st.just("random"), st.just("random")))
    holidays = frozenset(draw(st.lists(st.integers(-3, 20), max_size=4)))  # offsets, bound later
    if kind == "always":
        return zone, kind, None, holidays
    if kind == "weekdays_24h":
        weekly = ((( 0, 1440),),) * 5 + ((), ())
    elif kind == "business_hours":
        weekly = (((480, 1020),),) * 5 + ((), ())
    elif kind == "night_shift":  # touches across midnight
        weekly = (((0, 120), (1320, 1440)),) * 7
    elif kind == "dst_edges":  # intervals straddling the usual 01:00-03:00 transition hours
        weekly = (((60, 150), (150, 180)),) * 7
    else:
        weekly = draw(random_weekly)
        total = sum(e - s for day in weekly for s, e in day)
        if total < 120:
            weekly = weekly[:6] + ((((0, 1440),)),)  # keep the oracle's walk short
    return zone, kind, weekly, holidays


@st.composite
def instants(draw, zone: str) -> int:
    """Minute-aligned epoch seconds, often within days of a DST transition."""
    trans = transitions(zone)
    if trans and draw(st.booleans()):
        base = draw(st.sampled_from(trans))
    else:
        base = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) + 60 * draw(st.integers(0, 4 * 525_600))
    return base - base % 60 + 60 * draw(st.integers(-4 * 1440, 4 * 1440))


def edge_biased_start(data, zone, kind, weekly, hol) -> int:
    """A random instant, snapped half of the time to an opening or closing edge."""
    start = data.draw(instants(zone))
    if data.draw(st.booleans()):
        _, weekly, holidays, tz = build(zone, kind, weekly, hol, start)
        start = oracle_snap_to_edge(weekly, holidays, tz, start)
    return start


def edge_biased_minutes(data, weekly, holidays, tz, start: int, cap: int) -> int:
    """Random target, or one that runs out exactly at the 1st..3rd closing after start."""
    if data.draw(st.booleans()):
        minutes = oracle_open_minutes_to_closing(weekly, holidays, tz, start, data.draw(st.integers(1, 3)))
        if minutes > 0:
            return minutes
    return data.draw(st.integers(1, max(1, min(cap, weekly_minutes(weekly)))))


def build(zone, kind, weekly, holiday_offsets, anchor: int):
    tz = ZoneInfo(zone)
    anchor_day = datetime.fromtimestamp(anchor, tz).date()
    if kind == "always":
        cal = BusinessCalendar.always(zone)
        return cal, cal.weekly, frozenset(), tz
    holidays = frozenset(anchor_day + timedelta(days=o) for o in holiday_offsets)
    cal = BusinessCalendar(zone, weekly, holidays)
    return cal, weekly, holidays, tz


def utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def in_zone(t: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(t, tz)


@st.composite
def pause_lists(draw, start: int):
    out = []
    for _ in range(draw(st.integers(0, 3))):
        ps = start + 60 * draw(st.integers(-2 * 1440, 5 * 1440))
        if draw(st.integers(0, 6)) == 0:
            out.append((ps, None))
        else:
            out.append((ps, ps + 60 * draw(st.integers(0, 2 * 1440))))
    return out


def weekly_minutes(weekly) -> int:
    return sum(e - s for day in weekly for s, e in day)


# ----------------------------------------------------------------------------- properties


@PROPS
@given(data=st.data())
def test_given_random_calendar_when_due_then_matches_minute_oracle(data):
    zone, kind, weekly, hol = data.draw(calendars())
    start = edge_biased_start(data, zone, kind, weekly, hol)
    cal, weekly, holidays, tz = build(zone, kind, weekly, hol, start)
    minutes = edge_biased_minutes(data, weekly, holidays, tz, start, 16 * 60)
    got = cal.due(in_zone(start, tz), timedelta(minutes=minutes))
    assert got == utc(oracle_due(weekly, holidays, tz, start, minutes))
    assert got.tzinfo is UTC
    assert cal.due_many([in_zone(start, tz), utc(start)], timedelta(minutes=minutes)) == [got, got]


@PROPS
@given(data=st.data())
def test_given_random_pauses_when_due_then_matches_minute_oracle(data):
    zone, kind, weekly, hol = data.draw(calendars())
    start = edge_biased_start(data, zone, kind, weekly, hol)
    cal, weekly, holidays, tz = build(zone, kind, weekly, hol, start)
    minutes = edge_biased_minutes(data, weekly, holidays, tz, start, 12 * 60)
    pauses = data.draw(pause_lists(start))
    expected = oracle_due(weekly, holidays, tz, start, minutes, pauses)
    got = cal.due(
        utc(start),
        timedelta(minutes=minutes),
        [(in_zone(ps, tz), None if pe is None else utc(pe)) for ps, pe in pauses],
    )
    assert got == (None if expected is None else utc(expected))


@PROPS
@given(data=st.data())
def test_given_random_interval_when_elapsed_then_matches_minute_oracle(data):
    zone, kind, weekly, hol = data.draw(calendars())
    a = edge_biased_start(data, zone, kind, weekly, hol)
    b = a + 60 * data.draw(st.integers(0, 6 * 1440))
    cal, weekly, holidays, tz = build(zone, kind, weekly, hol, a)
    pauses = data.draw(pause_lists(a))
    got = cal.elapsed(in_zone(a, tz), utc(b), [(utc(ps), None if pe is None else utc(pe)) for ps, pe in pauses])
    assert got == timedelta(seconds=oracle_elapsed(weekly, holidays, tz, a, b, pauses))


@PROPS
@given(data=st.data())
def test_given_random_instant_when_is_open_and_next_opening_then_match_oracle(data):
    zone, kind, weekly, hol = data.draw(calendars())
    t = edge_biased_start(data, zone, kind, weekly, hol)
    cal, weekly, holidays, tz = build(zone, kind, weekly, hol, t)
    second = data.draw(st.integers(0, 59))  # openness is constant within a minute
    at = utc(t) + timedelta(seconds=second, microseconds=data.draw(st.integers(0, 999_999)))
    expected_open = oracle_is_open(weekly, holidays, tz, t)
    assert cal.is_open(at) is expected_open
    nxt = cal.next_opening(at)
    if expected_open:
        assert nxt == at
    else:
        assert nxt == utc(oracle_next_opening(weekly, holidays, tz, t + 60))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_given_many_starts_when_due_many_then_equals_due_each(data):
    zone, kind, weekly, hol = data.draw(calendars())
    anchor = data.draw(instants(zone))
    cal, weekly, _, tz = build(zone, kind, weekly, hol, anchor)
    starts = [
        in_zone(anchor + data.draw(st.integers(-10 * 86400, 400 * 86400)), tz)
        + timedelta(microseconds=data.draw(st.integers(0, 999_999)))
        for _ in range(data.draw(st.integers(0, 30)))
    ]
    if data.draw(st.booleans()):  # whole hours: lands on closings of hour-aligned patterns
        duration = timedelta(hours=data.draw(st.integers(1, 200)))
    else:
        duration = timedelta(seconds=data.draw(st.integers(1, 200 * 3600)))
    many = cal.due_many(starts, duration)
    assert many == [cal.due(s, duration) for s in starts]
    assert all(d.tzinfo is UTC for d in many)
    utc_starts = [s.astimezone(UTC) for s in starts]  # exercises the direct-addition fast path
    assert cal.due_many(utc_starts, duration) == many
    assert all(d.tzinfo is UTC for d in cal.due_many(utc_starts, duration))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_given_due_when_elapsed_back_then_round_trips(data):
    """elapsed(start, due(start, d)) == d for any duration, including multi-year ones."""
    zone, kind, weekly, hol = data.draw(calendars())
    start = edge_biased_start(data, zone, kind, weekly, hol)
    cal, *_ = build(zone, kind, weekly, hol, start)
    duration = timedelta(seconds=data.draw(st.integers(1, 3000 * 3600)), microseconds=data.draw(st.integers(0, 10)))
    deadline = cal.due(utc(start), duration)
    assert cal.elapsed(utc(start), deadline) == duration
    assert cal.is_open(deadline - timedelta(microseconds=1))


def test_oracle_sanity_known_answer():
    """Guard the oracle itself with one hand-checked value."""
    tz = ZoneInfo("America/Toronto")
    weekly = (((480, 1020),),) * 5 + ((), ())
    start = int(datetime(2026, 4, 6, 13, tzinfo=tz).timestamp())
    assert utc(oracle_due(weekly, frozenset(), tz, start, 240)) == datetime(2026, 4, 6, 21, tzinfo=UTC)
    assert date(2026, 4, 6).weekday() == 0
