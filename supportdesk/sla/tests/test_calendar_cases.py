"""Hand-checked cases (given / when / then), each expected value worked out on paper."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.sla.calendars import BusinessCalendar, CalendarError
from supportdesk.sla.durations import format_duration, parse_duration
from supportdesk.sla.holiday_sources import holidays_for

TOR = ZoneInfo("America/Toronto")
LON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
M = timedelta(minutes=1)

BH_TOR = BusinessCalendar.business_hours("America/Toronto")
W24_TOR = BusinessCalendar.weekdays_24h("America/Toronto")
ALL_TOR = BusinessCalendar.always("America/Toronto")
BH_LON = BusinessCalendar.business_hours("Europe/London")
W24_LON = BusinessCalendar.weekdays_24h("Europe/London")
ALL_LON = BusinessCalendar.always("Europe/London")
ON_HOLIDAYS = holidays_for("CA-ON", [2026, 2027])
BH_TOR_ON = BusinessCalendar.business_hours("America/Toronto", holidays=ON_HOLIDAYS)
GOOD_FRIDAY = BusinessCalendar.business_hours("America/Toronto", holidays=[date(2026, 4, 3)])
SUNDAY_24H = BusinessCalendar.from_pattern("America/Toronto", {6: ["00:00-24:00"]})
SUNDAY_GAP = BusinessCalendar.from_pattern("America/Toronto", {6: ["02:30-04:00"]})
SUNDAY_FOLD = BusinessCalendar.from_pattern("America/Toronto", {6: ["01:00-02:00"]})
NIGHT = BusinessCalendar.from_pattern("UTC", {0: ["22:00-24:00"], 1: ["00:00-02:00"]})


def tor(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOR)


def lon(*args: int) -> datetime:
    return datetime(*args, tzinfo=LON)


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


DUE_CASES = [
    # --- clock rules
    ("given_bh_when_mon_13h_plus_4h_then_due_at_closing_17h", BH_TOR, tor(2026, 4, 6, 13), 4 * H, z(2026, 4, 6, 21)),
    ("given_24x5_when_fri_2330_plus_30m_then_due_sat_0000", W24_TOR, tor(2026, 4, 10, 23, 30), 30 * M, z(2026, 4, 11, 4)),
    ("given_bh_when_started_saturday_then_clock_starts_monday", BH_TOR, tor(2026, 4, 11, 10), 4 * H, z(2026, 4, 13, 16)),
    ("given_24x5_when_started_saturday_then_monday_0030", W24_TOR, tor(2026, 4, 11, 10), 30 * M, z(2026, 4, 13, 4, 30)),
    ("given_bh_when_started_before_opening_then_from_08h", BH_TOR, tor(2026, 4, 6, 6), 4 * H, z(2026, 4, 6, 16)),
    ("given_bh_when_started_after_closing_then_next_day", BH_TOR, tor(2026, 4, 6, 18), 4 * H, z(2026, 4, 7, 16)),
    ("given_bh_when_started_at_closing_then_next_day", BH_TOR, tor(2026, 4, 6, 17), 1 * H, z(2026, 4, 7, 13)),
    ("given_bh_when_fri_16h_plus_4h_then_mon_11h", BH_TOR, tor(2026, 4, 10, 16), 4 * H, z(2026, 4, 13, 15)),
    # --- holidays
    ("given_good_friday_holiday_when_thu_15h_plus_4h_then_mon_10h", GOOD_FRIDAY, tor(2026, 4, 2, 15), 4 * H, z(2026, 4, 6, 14)),
    ("given_good_friday_holiday_when_started_on_it_then_monday", GOOD_FRIDAY, tor(2026, 4, 3, 9), 2 * H, z(2026, 4, 6, 14)),
    ("given_24x5_without_holidays_when_good_friday_then_runs", W24_TOR, tor(2026, 4, 3, 9), 30 * M, z(2026, 4, 3, 13, 30)),
    # --- Toronto DST 2026-03-08 (spring forward, a Sunday)
    ("given_bh_tor_when_fri_before_spring_forward_then_mon_edt", BH_TOR, tor(2026, 3, 6, 15), 4 * H, z(2026, 3, 9, 14)),
    ("given_24x5_tor_when_fri_2345_est_plus_30m_then_mon_0015_edt", W24_TOR, tor(2026, 3, 6, 23, 45), 30 * M, z(2026, 3, 9, 4, 15)),
    ("given_24x7_tor_when_0130_est_plus_1h_then_0330_edt", ALL_TOR, tor(2026, 3, 8, 1, 30), 1 * H, z(2026, 3, 8, 7, 30)),
    ("given_gap_interval_when_sunday_spring_forward_then_opens_0300_edt", SUNDAY_GAP, tor(2026, 3, 8, 0), 30 * M, z(2026, 3, 8, 7, 30)),
    # --- Toronto DST 2026-11-01 (fall back, a Sunday)
    ("given_bh_tor_when_fri_before_fall_back_then_mon_est", BH_TOR, tor(2026, 10, 30, 15), 4 * H, z(2026, 11, 2, 15)),
    ("given_24x5_tor_when_fri_2345_edt_plus_30m_then_mon_0015_est", W24_TOR, tor(2026, 10, 30, 23, 45), 30 * M, z(2026, 11, 2, 5, 15)),
    ("given_fold_interval_when_fall_back_then_open_twice", SUNDAY_FOLD, tor(2026, 11, 1, 0), 90 * M, z(2026, 11, 1, 6, 30)),
    ("given_24x7_tor_when_0130_edt_plus_1h_then_0130_est", ALL_TOR, z(2026, 11, 1, 5, 30), 1 * H, z(2026, 11, 1, 6, 30)),
    # --- London DST 2026-03-29 and 2026-10-25 (both Sundays)
    ("given_bh_lon_when_fri_16h_gmt_plus_4h_then_mon_10h_bst", BH_LON, lon(2026, 3, 27, 16), 4 * H, z(2026, 3, 30, 10)),
    ("given_24x5_lon_when_fri_2330_gmt_plus_30m_then_sat_0000", W24_LON, lon(2026, 3, 27, 23, 30), 30 * M, z(2026, 3, 28, 0)),
    ("given_24x5_lon_when_fri_23h_gmt_plus_2h_then_mon_0100_bst", W24_LON, lon(2026, 3, 27, 23), 2 * H, z(2026, 3, 29, 23, 0) + 1 * H),
    ("given_24x7_lon_when_0030_gmt_plus_1h_then_0230_bst", ALL_LON, lon(2026, 3, 29, 0, 30), 1 * H, z(2026, 3, 29, 1, 30)),
    ("given_bh_lon_when_fri_16h_bst_plus_4h_then_mon_11h_gmt", BH_LON, lon(2026, 10, 23, 16), 4 * H, z(2026, 10, 26, 11)),
    ("given_24x5_lon_when_fri_23h_bst_plus_2h_then_mon_0100_gmt", W24_LON, lon(2026, 10, 23, 23), 2 * H, z(2026, 10, 26, 1)),
    # --- year end with Ontario holidays (Dec 25, Dec 28 observed Boxing Day, Jan 1)
    ("given_on_holidays_when_dec31_15h_plus_4h_then_jan4_10h", BH_TOR_ON, tor(2026, 12, 31, 15), 4 * H, z(2027, 1, 4, 15)),
    ("given_on_holidays_when_dec24_16h_plus_4h_then_dec29_11h", BH_TOR_ON, tor(2026, 12, 24, 16), 4 * H, z(2026, 12, 29, 16)),
    ("given_24x5_when_dec31_2330_plus_1h_then_jan1_0030", W24_TOR, tor(2026, 12, 31, 23, 30), 1 * H, z(2027, 1, 1, 5, 30)),
    # --- long targets
    ("given_bh_when_450h_from_monday_then_friday_of_week_10_at_closing", BH_TOR, tor(2026, 4, 6, 8), 450 * H, z(2026, 6, 12, 21)),
    ("given_bh_when_450h_across_spring_forward_then_edt_closing", BH_TOR, tor(2026, 2, 2, 8), 450 * H, z(2026, 4, 10, 21)),
    ("given_24x7_when_3_years_then_exact", ALL_TOR, z(2026, 1, 1), timedelta(days=3 * 365 + 1), z(2029, 1, 1)),
    # --- touching intervals across midnight
    ("given_night_shift_when_mon_23h_plus_2h_then_tue_01h", NIGHT, z(2026, 4, 6, 23), 2 * H, z(2026, 4, 7, 1)),
]


@pytest.mark.parametrize(("cal", "start", "duration", "expected"), [c[1:] for c in DUE_CASES], ids=[c[0] for c in DUE_CASES])
def test_due_table(cal: BusinessCalendar, start: datetime, duration: timedelta, expected: datetime) -> None:
    got = cal.due(start, duration)
    assert got == expected
    assert got.tzinfo is UTC
    assert cal.due_many([start], duration) == [expected]


ELAPSED_CASES = [
    ("given_bh_when_fri_16h_to_mon_10h_then_3h", BH_TOR, tor(2026, 4, 10, 16), tor(2026, 4, 13, 10), 3 * H),
    ("given_24x7_tor_when_spring_forward_day_then_23h", ALL_TOR, tor(2026, 3, 8), tor(2026, 3, 9), 23 * H),
    ("given_24x7_tor_when_fall_back_day_then_25h", ALL_TOR, tor(2026, 11, 1), tor(2026, 11, 2), 25 * H),
    ("given_sunday_24h_when_fall_back_sunday_then_25h", SUNDAY_24H, tor(2026, 10, 31), tor(2026, 11, 3), 25 * H),
    ("given_sunday_24h_when_spring_forward_sunday_then_23h", SUNDAY_24H, tor(2026, 3, 7), tor(2026, 3, 10), 23 * H),
    ("given_fold_interval_when_fall_back_sunday_then_2h", SUNDAY_FOLD, tor(2026, 11, 1), tor(2026, 11, 2), 2 * H),
    ("given_gap_interval_when_spring_forward_sunday_then_1h", SUNDAY_GAP, tor(2026, 3, 8), tor(2026, 3, 9), 1 * H),
    ("given_24x7_lon_when_fall_back_day_then_25h", ALL_LON, lon(2026, 10, 25), lon(2026, 10, 26), 25 * H),
    ("given_24x5_lon_when_week_of_spring_forward_then_5_days", W24_LON, lon(2026, 3, 23), lon(2026, 3, 30), 120 * H),
    ("given_night_shift_when_mon_22h_to_tue_02h_then_4h", NIGHT, z(2026, 4, 6, 22), z(2026, 4, 7, 2), 4 * H),
    ("given_same_instant_then_zero", BH_TOR, tor(2026, 4, 6, 9), tor(2026, 4, 6, 9), timedelta(0)),
    # 261 weekdays in 2026; Ontario statutory weekday holidays: Jan 1, Feb 16, Apr 3, May 18, Jul 1,
    # Sep 7, Oct 12, Dec 25, Dec 28 (Dec 26 is a Saturday; the August civic holiday is not statutory).
    ("given_on_holidays_when_whole_2026_then_252_days_of_9h", BH_TOR_ON, tor(2026, 1, 1), tor(2027, 1, 1), (261 - 9) * 9 * H),
]


@pytest.mark.parametrize(("cal", "a", "b", "expected"), [c[1:] for c in ELAPSED_CASES], ids=[c[0] for c in ELAPSED_CASES])
def test_elapsed_table(cal: BusinessCalendar, a: datetime, b: datetime, expected: timedelta) -> None:
    assert cal.elapsed(a, b) == expected


# ----------------------------------------------------------------------------- pauses


def test_given_pause_inside_hours_when_due_then_shifted_by_pause() -> None:
    pauses = [(tor(2026, 4, 6, 14), tor(2026, 4, 6, 15))]
    assert BH_TOR.due(tor(2026, 4, 6, 13), 4 * H, pauses) == z(2026, 4, 7, 13)


def test_given_pause_outside_hours_when_due_then_unchanged() -> None:
    pauses = [(tor(2026, 4, 6, 18), tor(2026, 4, 6, 20))]
    assert BH_TOR.due(tor(2026, 4, 6, 13), 4 * H, pauses) == z(2026, 4, 6, 21)


def test_given_overlapping_pauses_when_due_then_union_counts_once() -> None:
    pauses = [(tor(2026, 4, 6, 14), tor(2026, 4, 6, 15)), (tor(2026, 4, 6, 14, 30), tor(2026, 4, 6, 15, 30))]
    assert BH_TOR.due(tor(2026, 4, 6, 13), 4 * H, pauses) == z(2026, 4, 7, 13, 30)


def test_given_pause_covering_start_when_due_then_clock_starts_after_pause() -> None:
    pauses = [(tor(2026, 4, 6, 7), tor(2026, 4, 6, 10))]
    assert BH_TOR.due(tor(2026, 4, 6, 9), 1 * H, pauses) == z(2026, 4, 6, 15)


def test_given_open_ended_pause_before_deadline_when_due_then_none() -> None:
    assert BH_TOR.due(tor(2026, 4, 6, 13), 4 * H, [(tor(2026, 4, 6, 14), None)]) is None


def test_given_open_ended_pause_at_deadline_when_due_then_deadline() -> None:
    assert BH_TOR.due(tor(2026, 4, 6, 13), 4 * H, [(tor(2026, 4, 6, 17), None)]) == z(2026, 4, 6, 21)


def test_given_pauses_when_elapsed_then_paused_business_time_removed() -> None:
    pauses = [(tor(2026, 4, 6, 12), tor(2026, 4, 6, 20)), (tor(2026, 4, 7, 16), None)]
    # Mon 09-12 (3h) + Tue 08-16 (8h)
    assert BH_TOR.elapsed(tor(2026, 4, 6, 9), tor(2026, 4, 8, 9), pauses) == 11 * H


# ----------------------------------------------------------------------------- is_open / next_opening


def test_given_bh_when_checking_edges_then_closing_instant_is_closed() -> None:
    assert BH_TOR.is_open(tor(2026, 4, 6, 8))
    assert BH_TOR.is_open(tor(2026, 4, 6, 16, 59, 59))
    assert not BH_TOR.is_open(tor(2026, 4, 6, 17))
    assert not BH_TOR.is_open(tor(2026, 4, 6, 7, 59, 59))


def test_given_night_shift_when_midnight_then_open() -> None:
    assert NIGHT.is_open(z(2026, 4, 7, 0))


def test_given_saturday_when_next_opening_then_monday_0800_in_utc() -> None:
    assert BH_TOR.next_opening(tor(2026, 4, 11, 12)) == z(2026, 4, 13, 12)


def test_given_open_instant_when_next_opening_then_same_instant() -> None:
    at = tor(2026, 4, 6, 9, 15)
    assert BH_TOR.next_opening(at) == at
    assert BH_TOR.next_opening(at).tzinfo is UTC


def test_given_any_year_when_due_then_no_horizon() -> None:
    assert BH_TOR.due(tor(2199, 12, 31, 16), 2 * H) == BH_TOR.next_opening(tor(2200, 1, 1)) + H
    assert W24_TOR.due(tor(1901, 6, 3, 12), 1 * H).year == 1901


# ----------------------------------------------------------------------------- constructors and errors


def test_given_from_pattern_when_24_00_then_ends_at_midnight() -> None:
    cal = BusinessCalendar.from_pattern("UTC", {4: ["22:00-24:00"]})
    assert cal.weekly[4] == ((1320, 1440),)


def test_given_equal_definitions_then_calendars_equal_and_hashable() -> None:
    a = BusinessCalendar.business_hours("America/Toronto")
    assert a == BH_TOR
    assert hash(a) == hash(BH_TOR)
    assert BusinessCalendar.always("UTC").holidays == frozenset()


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: BusinessCalendar.always("Mars/Olympus"), "unknown_zone"),
        (lambda: BusinessCalendar.always(""), "unknown_zone"),
        (lambda: BusinessCalendar.always("Europe"), "unknown_zone"),  # a folder of the tz database
        (lambda: BusinessCalendar.from_pattern("UTC", {0: ["08:00-12:00", "11:00-13:00"]}), "overlapping_intervals"),
        (lambda: BusinessCalendar.from_pattern("UTC", {0: ["12:00-08:00"]}), "bad_interval"),
        (lambda: BusinessCalendar.from_pattern("UTC", {0: ["08:00-24:30"]}), "bad_interval"),
        (lambda: BusinessCalendar.from_pattern("UTC", {7: ["08:00-09:00"]}), "bad_interval"),
        (lambda: BusinessCalendar.from_pattern("UTC", {0: ["8am-9am"]}), "bad_interval"),
        (lambda: BusinessCalendar("UTC", (((600, 500),),) + ((),) * 6), "bad_interval"),
        (lambda: BusinessCalendar("UTC", ((),) * 6), "bad_interval"),
        (lambda: BusinessCalendar("UTC", ((),) * 7), "empty_calendar"),
        (lambda: BusinessCalendar.business_hours("UTC", "17:00", "08:00"), "bad_interval"),
        (lambda: BusinessCalendar.business_hours("UTC", holidays=[datetime(2026, 1, 1)]), "bad_holiday"),
    ],
)
def test_given_bad_definition_when_constructing_then_calendar_error(build, code: str) -> None:
    with pytest.raises(CalendarError) as info:
        build()
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: BH_TOR.due(datetime(2026, 4, 6, 9), H), "naive_datetime"),
        (lambda: BH_TOR.due(tor(2026, 4, 6, 9), timedelta(0)), "non_positive_duration"),
        (lambda: BH_TOR.due(tor(2026, 4, 6, 9), -H), "non_positive_duration"),
        (lambda: BH_TOR.due(tor(2026, 4, 6, 9), H, [(tor(2026, 4, 6, 10), tor(2026, 4, 6, 9))]), "end_before_start"),
        (lambda: BH_TOR.due(tor(2026, 4, 6, 9), H, [(datetime(2026, 4, 6, 10), None)]), "naive_datetime"),
        (lambda: BH_TOR.elapsed(tor(2026, 4, 6, 10), tor(2026, 4, 6, 9)), "end_before_start"),
        (lambda: BH_TOR.is_open(datetime(2026, 4, 6, 10)), "naive_datetime"),
        (lambda: BH_TOR.due_many([tor(2026, 4, 6, 9), datetime(2026, 4, 6, 10)], H), "naive_datetime"),
        (lambda: BH_TOR.due(tor(9999, 12, 30), 100 * H), "out_of_range"),
    ],
)
def test_given_bad_arguments_when_calling_then_calendar_error(call, code: str) -> None:
    with pytest.raises(CalendarError) as info:
        call()
    assert info.value.code == code


# ----------------------------------------------------------------------------- durations / holidays


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", 30 * M), ("2h", 2 * H), ("4h", 4 * H), ("1h30m", 90 * M), ("90s", timedelta(seconds=90)),
     ("1d2h", 26 * H), (" 4H ", 4 * H), ("1d", 24 * H)],
)
def test_given_duration_text_when_parsed_then_timedelta(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "0h0m", "-2h", "2", "h", "2x", "30m2h", "1.5h", "2 h", None, "9" * 30 + "d"])
def test_given_bad_duration_when_parsed_then_bad_duration(text) -> None:
    with pytest.raises(CalendarError) as info:
        parse_duration(text)
    assert info.value.code == "bad_duration"


def test_given_duration_when_formatted_then_round_trips() -> None:
    assert format_duration(parse_duration("1d2h30m5s")) == "1d2h30m5s"


def test_given_ontario_when_holidays_for_2026_then_known_dates() -> None:
    days = holidays_for("CA-ON", [2026])
    assert {date(2026, 1, 1), date(2026, 2, 16), date(2026, 4, 3), date(2026, 12, 25), date(2026, 12, 28)} <= days
    assert all(d.year == 2026 for d in days)


@pytest.mark.parametrize("spec", ["GB-ENG", "US-NY", "CA", "ca-on"])
def test_given_known_specs_when_holidays_for_then_non_empty(spec: str) -> None:
    assert holidays_for(spec, range(2026, 2028))


@pytest.mark.parametrize("spec", ["XX", "CA-ZZ", "GB-NOPE", "", "C A", "US-"])
def test_given_unknown_spec_when_holidays_for_then_error(spec: str) -> None:
    with pytest.raises(CalendarError) as info:
        holidays_for(spec, [2026])
    assert info.value.code == "unknown_holidays"
