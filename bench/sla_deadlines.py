"""W-SLA benchmark (see /work/shared/BENCHMARKS.md): deadline arithmetic, supportdesk vs businesstimedelta.

    python bench/sla_deadlines.py            # full workload, 200,000 starts
    python bench/sla_deadlines.py --n 20000  # quick run

Timed: turning N aware datetimes into N aware deadlines, per calendar.  Set-up (building calendar
objects and rule sets) is not timed; supportdesk's lazily built per-year tables ARE inside the timed
call because a fresh calendar is used for it ("cold").  Correctness: 2,000 samples (boundary instants
plus random starts) compared with a minute-stepping zoneinfo oracle that shares no code with either.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import businesstimedelta  # noqa: E402
import pytz  # noqa: E402

from supportdesk.sla.calendars import BusinessCalendar  # noqa: E402

ZONE = "America/Toronto"
TZ = ZoneInfo(ZONE)
SEED = 20260101
LO = int(datetime(2026, 1, 1, tzinfo=TZ).timestamp())  # 2026-01-01T00:00-05:00
HI = int(datetime(2027, 1, 1, tzinfo=TZ).timestamp())  # 2027-01-01T00:00-05:00
BH_HOLIDAYS = frozenset(
    date(2026, m, d)
    for m, d in [(1, 1), (2, 16), (4, 3), (5, 18), (7, 1), (8, 3), (9, 7), (10, 12), (12, 25), (12, 28)]
)
# businesstimedelta raises TypeError past its last listed holiday: add a (closed anyway) Saturday.
PEER_EXTRA_HOLIDAY = date(2027, 1, 2)
SAMPLES = 2000

BH_WEEKLY = (((480, 1020),),) * 5 + ((), ())
W24_WEEKLY = (((0, 1440),),) * 5 + ((), ())


# --------------------------------------------------------------------------- inputs


def starts(n: int) -> list[int]:
    rng = random.Random(SEED)
    return [rng.randrange(LO, HI) for _ in range(n)]


def boundary_instants() -> list[int]:
    """Edges around both 2026 DST changes, every holiday and the last week of the year."""
    days: set[date] = set()
    for centre in (date(2026, 3, 8), date(2026, 11, 1)):
        days |= {centre + timedelta(days=k) for k in range(-3, 4)}
    for holiday in BH_HOLIDAYS:
        days |= {holiday + timedelta(days=k) for k in (-1, 0, 1)}
    days |= {date(2026, 12, 24) + timedelta(days=k) for k in range(8)}
    clock = [(0, 0, 0), (7, 59, 59), (8, 0, 0), (12, 59, 59), (13, 0, 0), (16, 59, 59), (17, 0, 0),
             (23, 30, 0), (23, 59, 59)]
    out = []
    for day in sorted(days):
        for h, m, s in clock:
            ts = int(datetime(day.year, day.month, day.day, h, m, s, tzinfo=TZ).timestamp())
            if LO <= ts < HI:
                out.append(ts)
    return out


def sample(all_starts: Sequence[int]) -> list[int]:
    edges = boundary_instants()
    rng = random.Random(SEED + 1)
    return edges + rng.sample(list(all_starts), SAMPLES - len(edges))


# --------------------------------------------------------------------------- oracle


def oracle_due(weekly, holidays, start: int, seconds: int) -> datetime:
    """Step UTC minute by minute (the first step to the next minute boundary), asking zoneinfo
    whether each local wall-clock minute is open.  All calendar edges fall on whole minutes."""
    t, left = start, seconds
    while True:
        nxt = (t // 60 + 1) * 60
        local = datetime.fromtimestamp(t, TZ)
        minute = local.hour * 60 + local.minute
        day = local.date()
        if day not in holidays and any(s <= minute < e for s, e in weekly[day.weekday()]):
            if nxt - t >= left:
                return datetime.fromtimestamp(t + left, UTC)
            left -= nxt - t
        t = nxt


# --------------------------------------------------------------------------- contenders


def supportdesk_bh() -> BusinessCalendar:
    return BusinessCalendar.business_hours(ZONE, "08:00", "17:00", holidays=BH_HOLIDAYS)


def supportdesk_24x5() -> BusinessCalendar:
    return BusinessCalendar.weekdays_24h(ZONE)


def peer_rules(start_time, end_time, holidays) -> businesstimedelta.Rules:
    tz = pytz.timezone(ZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=start_time, end_time=end_time, working_days=[0, 1, 2, 3, 4], tz=tz
    )
    # A set, not a list: membership is what HolidayRule asks, so this is the peer's best use.
    closed = businesstimedelta.HolidayRule(set(holidays) | {PEER_EXTRA_HOLIDAY}, tz=tz)
    return businesstimedelta.Rules([workday, closed])


def peer_due_many(rules, dts: Sequence[datetime], delta: timedelta) -> list[datetime]:
    btd = businesstimedelta.BusinessTimeDelta(rules, timedelta=delta)
    return [dt + btd for dt in dts]


def timed(fn: Callable[[], list[datetime]]) -> tuple[float, list[datetime]]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def disagreements(results: Sequence[datetime], expected: Sequence[datetime], tolerance: timedelta) -> int:
    return sum(1 for got, want in zip(results, expected, strict=True) if abs(got - want) > tolerance)


def run_calendar(name, weekly, holidays, delta, cal_factory, rules, all_starts, dts, sample_ts) -> None:
    n = len(dts)
    t_sd, out_sd = timed(lambda: cal_factory().due_many(dts, delta))
    warm_cal = cal_factory()
    warm_cal.due_many(dts[:1000], delta)
    t_warm, _ = timed(lambda: warm_cal.due_many(dts, delta))
    t_peer, out_peer = timed(lambda: peer_due_many(rules, dts, delta))
    assert len(out_sd) == len(out_peer) == n
    assert all(d.tzinfo is not None for d in out_sd) and all(d.tzinfo is not None for d in out_peer)

    seconds = int(delta.total_seconds())
    expected = [oracle_due(weekly, holidays, ts, seconds) for ts in sample_ts]
    sample_dts = [datetime.fromtimestamp(ts, UTC) for ts in sample_ts]
    sd_sample = cal_factory().due_many(sample_dts, delta)
    peer_sample = peer_due_many(rules, sample_dts, delta)
    exact, ms = timedelta(0), timedelta(milliseconds=1)

    print(f"{name}: N={n}, target {delta}")
    print(f"  supportdesk due_many (cold)  {t_sd:8.3f} s  {n / t_sd:12,.0f} deadlines/s")
    print(f"  supportdesk due_many (warm)  {t_warm:8.3f} s  {n / t_warm:12,.0f} deadlines/s")
    print(f"  businesstimedelta            {t_peer:8.3f} s  {n / t_peer:12,.0f} deadlines/s")
    print(f"  ratio supportdesk(cold)/businesstimedelta: {t_peer / t_sd:.1f}x")
    print(f"  disagreements with oracle on {len(sample_ts)} samples: supportdesk "
          f"{disagreements(sd_sample, expected, exact)}, businesstimedelta "
          f"{disagreements(peer_sample, expected, exact)} (exact); businesstimedelta beyond 1 ms: "
          f"{disagreements(peer_sample, expected, ms)}")
    print(f"  full-N agreement supportdesk vs businesstimedelta (exact): "
          f"{n - disagreements(out_sd, out_peer, exact)}/{n}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="number of start instants (default 200000)")
    args = parser.parse_args(argv)

    all_starts = starts(args.n)
    dts = [datetime.fromtimestamp(ts, UTC) for ts in all_starts]
    sample_ts = sample(starts(max(args.n, SAMPLES)))
    print(f"W-SLA  python {sys.version.split()[0]}  businesstimedelta {_version('businesstimedelta')}  "
          f"samples {len(sample_ts)} ({len(boundary_instants())} boundary)")
    run_calendar(
        "CAL_BH (Mon-Fri 08:00-17:00, 10 holidays)", BH_WEEKLY, BH_HOLIDAYS, timedelta(hours=4),
        supportdesk_bh, peer_rules(datetime.min.time().replace(hour=8), datetime.min.time().replace(hour=17),
                                   BH_HOLIDAYS), all_starts, dts, sample_ts,
    )
    run_calendar(
        "CAL_24X5 (Mon 00:00 - Sat 00:00)", W24_WEEKLY, frozenset(), timedelta(minutes=30),
        supportdesk_24x5, peer_rules(datetime.min.time(), datetime.max.time(), ()),
        all_starts, dts, sample_ts,
    )


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    main()
