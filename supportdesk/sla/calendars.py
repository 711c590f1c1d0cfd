"""Business calendars and SLA clock arithmetic (pure Python, no Django).

Model
-----
A calendar is an IANA zone, a weekly pattern of open intervals in LOCAL wall-clock minutes
(Monday=0; end 1440 means midnight at the end of the day) and a set of local holiday dates.

An instant ``t`` is open when its local date (in the zone) is not a holiday and its local
wall-clock time lies in one of that weekday's intervals.  That single definition decides every
DST question:

* spring forward: local times in the gap never occur, so they are simply never open; an
  interval starting inside the gap effectively starts at the first instant after the jump
  (Toronto 2026-03-08 ``02:30-04:00`` is open from 03:00 EDT).  A wall-clock time that does not
  exist therefore "maps forward" to the transition instant;
* fall back: repeated local times occur twice and are open both times, so a 24-hour day is
  25 hours long and ``01:00-02:00`` is open for two hours.

Internally everything is absolute: open periods are turned into sorted UTC epoch-microsecond
segments, one chunk per UTC calendar year, built lazily on first use and cached, with
cumulative business time so that ``due`` and ``elapsed`` are two bisections.  There is no horizon:
any year from 2 to 9998 works.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessCalendar", "CalendarError", "Pause"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
_DAY_US = 86_400_000_000
_PROBE_US = 6 * 3_600_000_000
_MIN_YEAR, _MAX_YEAR = 2, 9998  # chunks look one year either side; stay inside datetime's range

Pause = tuple[datetime, datetime | None]


class CalendarError(ValueError):
    """Bad calendar input.  ``code`` is a stable machine-readable string."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- conversions


def _to_us(dt: datetime, what: str = "datetime") -> int:
    """Aware datetime -> UTC epoch microseconds (exact integer arithmetic)."""
    if not isinstance(dt, datetime):
        raise CalendarError("bad_datetime", f"{what} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise CalendarError("naive_datetime", f"{what} {dt.isoformat()} has no UTC offset")
    return (dt - EPOCH) // _US


def _from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _duration_us(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise CalendarError("bad_duration", "duration must be a timedelta")
    us = duration // _US
    if us <= 0:
        raise CalendarError("non_positive_duration", f"duration must be positive, got {duration}")
    return us


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_hhmm(text: str) -> int:
    """'08:30' -> 510 minutes; '24:00' -> 1440 (end of day)."""
    m = _HHMM.match(text) if isinstance(text, str) else None
    if not m:
        raise CalendarError("bad_interval", f"bad time {text!r}, expected HH:MM")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise CalendarError("bad_interval", f"bad time {text!r}, expected 00:00..24:00")
    return hours * 60 + minutes


def parse_interval(text: str) -> tuple[int, int]:
    """'22:00-24:00' -> (1320, 1440)."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise CalendarError("bad_interval", f"bad interval {text!r}, expected HH:MM-HH:MM")
    start, end = (parse_hhmm(part) for part in text.split("-"))
    if end <= start:
        raise CalendarError("bad_interval", f"interval {text!r} ends before it starts")
    return start, end


# --------------------------------------------------------------------------- zone transitions


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        # OSError: a key naming a folder of the tz database ("America", "Europe") or an unreadable file.
        raise CalendarError("unknown_zone", f"unknown time zone {name!r}") from exc


def _offset_us(tz: ZoneInfo, us: int) -> int:
    return _from_us(us).astimezone(tz).utcoffset() // _US  # type: ignore[operator]


@lru_cache(maxsize=1024)
def _offset_pieces(zone: str, lo_us: int, hi_us: int) -> tuple[tuple[int, int, int], ...]:
    """Split [lo, hi) into (start, end, utc offset) pieces of constant offset.

    zoneinfo has no public transition list, so probe every 6 hours and bisect each change to
    the second (transitions are at whole seconds).  This assumes no zone changes its offset
    twice within 6 hours (and back), which holds for every rule in the tz database since 1970.
    """
    tz = _zone(zone)
    pieces: list[tuple[int, int, int]] = []
    start, offset = lo_us, _offset_us(tz, lo_us)
    probe = lo_us
    while probe < hi_us:
        nxt = min(probe + _PROBE_US, hi_us)
        nxt_off = _offset_us(tz, nxt)
        if nxt_off != offset:
            a, b = probe // 1_000_000, nxt // 1_000_000  # offset(a) == offset, offset(b) differs
            while b - a > 1:
                mid = (a + b) // 2
                if _offset_us(tz, mid * 1_000_000) == offset:
                    a = mid
                else:
                    b = mid
            pieces.append((start, b * 1_000_000, offset))
            start, offset = b * 1_000_000, nxt_off
        probe = nxt
    pieces.append((start, hi_us, offset))
    return tuple(pieces)


# --------------------------------------------------------------------------- chunks


@dataclass(frozen=True, slots=True)
class _Chunk:
    """Open segments inside one UTC year [lo, hi), as parallel sorted arrays."""

    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum_before: list[int]  # business µs in the chunk before segment i
    cum_after: list[int]  # business µs in the chunk up to the end of segment i
    total: int

    def business_before(self, us: int) -> int:
        """Business µs in [lo, us) for lo <= us <= hi."""
        i = bisect_right(self.starts, us) - 1
        if i < 0:
            return 0
        return self.cum_before[i] + min(us, self.ends[i]) - self.starts[i]


def _utc_year_bounds(year: int) -> tuple[int, int]:
    lo = (datetime(year, 1, 1, tzinfo=UTC) - EPOCH) // _US
    hi = (datetime(year + 1, 1, 1, tzinfo=UTC) - EPOCH) // _US
    return lo, hi


def _merge(segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping or touching segments (22:00-24:00 + 00:00-02:00 is one)."""
    segments.sort()
    merged: list[tuple[int, int]] = []
    for s, e in segments:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


# --------------------------------------------------------------------------- the calendar


def _normalise_weekly(weekly: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not isinstance(weekly, Sequence) or len(weekly) != 7:
        raise CalendarError("bad_interval", "weekly must hold 7 days (Monday first)")
    days = []
    for weekday, intervals in enumerate(weekly):
        day = []
        for item in intervals:
            try:
                start, end = item
            except (TypeError, ValueError) as exc:
                raise CalendarError("bad_interval", f"bad interval {item!r}") from exc
            if not (isinstance(start, int) and isinstance(end, int)):
                raise CalendarError("bad_interval", f"interval {item!r} must be integer minutes")
            if not 0 <= start < end <= 1440:
                raise CalendarError(
                    "bad_interval", f"interval {item!r} on weekday {weekday} is not 0 <= start < end <= 1440"
                )
            day.append((start, end))
        day.sort()
        for (_, prev_end), (start, _) in itertools.pairwise(day):
            if start < prev_end:
                raise CalendarError("overlapping_intervals", f"intervals overlap on weekday {weekday}: {day}")
        days.append(tuple(day))
    return tuple(days)


def _normalise_holidays(holidays: Iterable[date]) -> frozenset[date]:
    out = set()
    for day in holidays:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError("bad_holiday", f"holiday {day!r} must be a date")
        out.add(day)
    return frozenset(out)


@dataclass(frozen=True)
class BusinessCalendar:
    """A zone, a weekly pattern of local open intervals and local holiday dates."""

    zone: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    _chunks: dict[int, _Chunk] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.zone, str):
            raise CalendarError("unknown_zone", f"unknown time zone {self.zone!r}")
        _zone(self.zone)
        object.__setattr__(self, "weekly", _normalise_weekly(self.weekly))
        object.__setattr__(self, "holidays", _normalise_holidays(self.holidays))
        if not any(self.weekly):
            # A calendar that never opens would make every deadline loop forever.
            raise CalendarError("empty_calendar", "the weekly pattern has no open interval")

    # ----------------------------------------------------------------- constructors

    @classmethod
    def always(cls, zone: str) -> BusinessCalendar:
        """24x7; holidays do not apply."""
        return cls(zone, tuple(((0, 1440),) for _ in range(7)))

    @classmethod
    def weekdays_24h(cls, zone: str, holidays: Iterable[date] = ()) -> BusinessCalendar:
        """Monday 00:00 to Saturday 00:00 local."""
        day = ((0, 1440),)
        return cls(zone, (day,) * 5 + ((), ()), frozenset(holidays))

    @classmethod
    def business_hours(
        cls,
        zone: str,
        start: str = "08:00",
        end: str = "17:00",
        holidays: Iterable[date] = (),
        weekdays: Iterable[int] = range(5),
    ) -> BusinessCalendar:
        interval = parse_interval(f"{start}-{end}")
        days = set(weekdays)
        if not days <= set(range(7)):
            raise CalendarError("bad_interval", f"weekdays must be 0..6, got {sorted(days)}")
        weekly = tuple((interval,) if wd in days else () for wd in range(7))
        return cls(zone, weekly, frozenset(holidays))

    @classmethod
    def from_pattern(
        cls, zone: str, pattern: Mapping[int, Iterable[str]], holidays: Iterable[date] = ()
    ) -> BusinessCalendar:
        """``{0: ["08:00-12:00", "13:00-17:00"], 4: ["22:00-24:00"]}``; missing days are closed."""
        weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for weekday, intervals in pattern.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise CalendarError("bad_interval", f"weekday must be 0..6 (Monday=0), got {weekday!r}")
            if isinstance(intervals, str):
                intervals = [intervals]
            weekly[weekday].extend(parse_interval(text) for text in intervals)
        return cls(zone, tuple(tuple(day) for day in weekly), frozenset(holidays))

    # ----------------------------------------------------------------- chunk construction

    def _chunk_for_year(self, year: int) -> _Chunk:
        chunk = self._chunks.get(year)
        if chunk is None:
            chunk = self._build_chunk(year)
            self._chunks[year] = chunk
        return chunk

    def _chunk_at(self, us: int) -> _Chunk:
        try:
            year = _from_us(us).year
        except OverflowError as exc:
            raise CalendarError("out_of_range", "instant is outside the supported years") from exc
        return self._chunk_for_year(year)

    def _build_chunk(self, year: int) -> _Chunk:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError("out_of_range", f"year {year} is outside {_MIN_YEAR}..{_MAX_YEAR}")
        lo, hi = _utc_year_bounds(year)
        # UTC offsets stay within +-26 h, so local dates from Dec 30 to Jan 2 cover the UTC year.
        pieces = _offset_pieces(self.zone, lo - 3 * _DAY_US, hi + 3 * _DAY_US)
        segments: list[tuple[int, int]] = []
        day = date(year - 1, 12, 30)
        last = date(year + 1, 1, 2)
        one = timedelta(days=1)
        weekly, holidays = self.weekly, self.holidays
        while day <= last:
            if day not in holidays:
                midnight = (datetime(day.year, day.month, day.day, tzinfo=UTC) - EPOCH) // _US
                for s_min, e_min in weekly[day.weekday()]:
                    self._add_local_interval(
                        segments, pieces, midnight + s_min * _MINUTE_US, midnight + e_min * _MINUTE_US, lo, hi
                    )
            day += one
        return self._freeze_chunk(lo, hi, _merge(segments))

    @staticmethod
    def _add_local_interval(
        segments: list[tuple[int, int]],
        pieces: tuple[tuple[int, int, int], ...],
        local_start: int,
        local_end: int,
        lo: int,
        hi: int,
    ) -> None:
        """Add the UTC instants whose local wall time (utc + offset) is in [local_start, local_end).

        Done per constant-offset piece, which is what makes gaps vanish and folds count twice.
        """
        for p_start, p_end, offset in pieces:
            s = max(p_start, local_start - offset, lo)
            e = min(p_end, local_end - offset, hi)
            if s < e:
                segments.append((s, e))

    @staticmethod
    def _freeze_chunk(lo: int, hi: int, merged: list[tuple[int, int]]) -> _Chunk:
        starts, ends, before, after = [], [], [], []
        total = 0
        for s, e in merged:
            starts.append(s)
            ends.append(e)
            before.append(total)
            total += e - s
            after.append(total)
        return _Chunk(lo, hi, starts, ends, before, after, total)

    # ----------------------------------------------------------------- core arithmetic (µs)

    def _advance(self, us: int, remaining: int) -> int:
        """Instant at which ``remaining`` business µs counted from ``us`` are used up.

        Uses bisect_left on the cumulative totals so a target used up exactly at a closing
        instant is due AT closing, not at the next opening.
        """
        chunk = self._chunk_at(us)
        while True:
            i = bisect_right(chunk.ends, us)  # first segment ending after us
            if i < len(chunk.starts):
                pos = max(chunk.starts[i], us)
                target = chunk.cum_before[i] + (pos - chunk.starts[i]) + remaining
                if target <= chunk.total:
                    j = bisect_left(chunk.cum_after, target, i)
                    return chunk.starts[j] + (target - chunk.cum_before[j])
                remaining = target - chunk.total
            us = chunk.hi
            chunk = self._chunk_at(us)

    def _business_between(self, a: int, b: int) -> int:
        """Business µs in [a, b), a <= b."""
        if a >= b:
            return 0
        chunk = self._chunk_at(a)
        if b <= chunk.hi:
            return chunk.business_before(b) - chunk.business_before(a)
        total = chunk.total - chunk.business_before(a)
        us = chunk.hi
        while True:
            chunk = self._chunk_at(us)
            if b <= chunk.hi:
                return total + chunk.business_before(b)
            total += chunk.total
            us = chunk.hi

    def _next_open_us(self, us: int) -> int:
        chunk = self._chunk_at(us)
        while True:
            i = bisect_right(chunk.ends, us)
            if i < len(chunk.starts):
                return max(us, chunk.starts[i])
            us = chunk.hi
            chunk = self._chunk_at(us)

    # ----------------------------------------------------------------- public API

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` lies inside an open period."""
        us = _to_us(at, "at")
        chunk = self._chunk_at(us)
        i = bisect_right(chunk.starts, us) - 1
        return i >= 0 and us < chunk.ends[i]

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) when open, else the start of the next open period."""
        return _from_us(self._next_open_us(_to_us(at, "at")))

    def due(
        self,
        start: datetime,
        duration: timedelta,
        pauses: Iterable[tuple[datetime, datetime | None]] = (),
    ) -> datetime | None:
        """Aware UTC instant at which ``duration`` of unpaused business time since ``start`` is used.

        Returns None when an open-ended pause (end None) begins before the time is used up.
        """
        cur = _to_us(start, "start")
        remaining = _duration_us(duration)
        for p_start, p_end in _normalise_pauses(pauses):
            if p_end is not None and p_end <= cur:
                continue
            deadline = self._advance(cur, remaining)
            if deadline <= p_start:
                return _from_us(deadline)
            if p_end is None:
                return None  # paused until further notice
            # Pause starts before the deadline: bank what ran before it, resume after it.
            remaining -= self._business_between(cur, p_start)
            cur = max(cur, p_end)
        return _from_us(self._advance(cur, remaining))

    def due_many(self, starts: Sequence[datetime], duration: timedelta) -> list[datetime]:
        """``[due(s, duration) for s in starts]`` without pauses, on a fast path.

        Per start: one subtraction to epoch µs, two C bisections, and the cheapest way to build the
        result datetime.  Deadlines repeat a lot (every start outside hours maps to "next opening +
        duration"), so results are memoised per instant; datetimes are immutable, sharing is safe.
        """
        remaining = _duration_us(duration)
        out: list[datetime] = []
        append = out.append
        epoch, unit, utc, fromtimestamp = EPOCH, _US, UTC, datetime.fromtimestamp
        memo: dict[int, datetime] = {}
        lo = hi = total = 0
        seg_starts: list[int] = []
        seg_ends: list[int] = []
        cum_before: list[int] = []
        cum_after: list[int] = []
        n_segs = 0
        for dt in starts:
            try:
                us = (dt - epoch) // unit
            except TypeError:  # naive (or not a datetime): report it the usual way
                _to_us(dt, "start")
                raise
            if not lo <= us < hi:
                chunk = self._chunk_at(us)
                lo, hi, total = chunk.lo, chunk.hi, chunk.total
                seg_starts, seg_ends = chunk.starts, chunk.ends
                cum_before, cum_after = chunk.cum_before, chunk.cum_after
                n_segs = len(seg_starts)
            # Fast path: the deadline falls in the start's own UTC year (all but year-end cases).
            i = bisect_right(seg_ends, us)
            if i < n_segs:
                s_i = seg_starts[i]
                if us > s_i:
                    target = cum_before[i] + us - s_i + remaining
                else:
                    target = cum_before[i] + remaining
                if target <= total:
                    # Most deadlines land in the start's own segment: skip the second bisection.
                    j = i if target <= cum_after[i] else bisect_left(cum_after, target, i + 1)
                    result = seg_starts[j] + target - cum_before[j]
                    if result - us == remaining and dt.tzinfo is utc:
                        append(dt + duration)  # no closed time in between: one C addition
                        continue
                    found = memo.get(result)
                    if found is None:
                        seconds, micro = divmod(result, 1_000_000)
                        # fromtimestamp(int) beats epoch + timedelta and is exact for whole seconds.
                        found = fromtimestamp(seconds, utc) if not micro else epoch + timedelta(microseconds=result)
                        memo[result] = found
                    append(found)
                    continue
            append(_from_us(self._advance(us, remaining)))
        return out

    def elapsed(
        self,
        a: datetime,
        b: datetime,
        pauses: Iterable[tuple[datetime, datetime | None]] = (),
    ) -> timedelta:
        """Business time in [a, b) minus the paused part of it."""
        a_us, b_us = _to_us(a, "from"), _to_us(b, "to")
        if b_us < a_us:
            raise CalendarError("end_before_start", f"{b.isoformat()} is before {a.isoformat()}")
        total = self._business_between(a_us, b_us)
        for p_start, p_end in _normalise_pauses(pauses):
            s = max(p_start, a_us)
            e = b_us if p_end is None else min(p_end, b_us)
            total -= self._business_between(s, e)
        return timedelta(microseconds=total)


def _normalise_pauses(pauses: Iterable[tuple[datetime, datetime | None]]) -> list[tuple[int, int | None]]:
    """Validate, sort and merge pauses; an end of None means 'until further notice'."""
    items: list[tuple[int, int | None]] = []
    for pause in pauses:
        try:
            start, end = pause
        except (TypeError, ValueError) as exc:
            raise CalendarError("bad_pause", f"pause {pause!r} must be a (start, end) pair") from exc
        s = _to_us(start, "pause start")
        e = None if end is None else _to_us(end, "pause end")
        if e is not None and e < s:
            raise CalendarError("end_before_start", f"pause ends ({_from_us(e).isoformat()}) before it starts")
        if e != s:
            items.append((s, e))
    items.sort(key=lambda p: p[0])
    merged: list[tuple[int, int | None]] = []
    for s, e in items:
        if merged:
            m_s, m_e = merged[-1]
            if m_e is None:
                break  # everything after an open-ended pause is already paused
            if s <= m_e:
                merged[-1] = (m_s, None if e is None else max(e, m_e))
                continue
        merged.append((s, e))
    return merged
