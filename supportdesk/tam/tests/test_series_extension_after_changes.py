"""R9: occurrences follow the series' pattern week after week. Moving one call, or cancelling the last call
before the pattern changes, must not make the job skip a regular call later (the next call used to be
generated only after the latest existing start, which a moved or old-pattern cancelled call pushed ahead)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from supportdesk.tam import calls, schedule
from supportdesk.tam.models import OccurrenceStatus

TORONTO = ZoneInfo("America/Toronto")


def _local_days(series, status=None):  # noqa: ANN001, ANN202
    occs = series.occurrences.all() if status is None else series.occurrences.filter(status=status)
    return sorted(schedule.in_zone(o.starts_at, series.zone).date() for o in occs)


def test_given_a_call_moved_past_the_next_week_when_the_job_extends_then_no_regular_call_is_skipped(world):
    # Given a weekly Wednesday 09:30 Toronto series planned on Monday 2027-02-01 (6 weeks of calls)
    tam, start = world["people"]["tam"], datetime(2027, 2, 1, 12, 0, tzinfo=TORONTO)
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=2, local_time="09:30",
                                 now=start)
    last = series.occurrences.order_by("-starts_at").first()
    assert schedule.in_zone(last.starts_at, series.zone).date().isoformat() == "2027-03-10"
    # When the TAM moves that last call eight days later (to Thursday 2027-03-18), and a week passes
    calls.move_occurrence(tam, last, starts_at=last.starts_at + timedelta(days=8), now=start)
    calls.extend_series(series, now=start + timedelta(weeks=1))
    # Then Wednesday 2027-03-17, a regular call of the pattern, exists besides the moved one
    days = [d.isoformat() for d in _local_days(series)]
    assert "2027-03-17" in days and "2027-03-18" in days


def test_given_the_last_call_cancelled_when_the_weekday_changes_then_the_new_pattern_has_no_gap(world):
    # Given a weekly Monday series planned on Monday 2027-02-01 whose last call (Monday 2027-03-15) is cancelled
    tam, start = world["people"]["tam"], datetime(2027, 2, 1, 12, 0, tzinfo=TORONTO)
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=0, local_time="09:30",
                                 now=start)
    last = series.occurrences.order_by("-starts_at").first()
    assert schedule.in_zone(last.starts_at, series.zone).date().isoformat() == "2027-03-15"
    calls.cancel_occurrence(tam, last)
    # When the TAM moves the series to Wednesdays
    calls.update_series(tam, series, weekday=2, now=start + timedelta(hours=1))
    # Then every Wednesday from the next one to the horizon has a scheduled call, one week apart
    wednesdays = _local_days(series, OccurrenceStatus.SCHEDULED)
    assert wednesdays[0].isoformat() == "2027-02-03"
    assert all(d.weekday() == 2 for d in wednesdays)
    assert all((b - a).days == 7 for a, b in zip(wednesdays, wednesdays[1:], strict=False)), wednesdays
    assert wednesdays[-1].isoformat() == "2027-03-10"


def test_given_a_series_from_before_the_field_when_migrated_then_it_continues_after_its_latest_call(world):
    from importlib import import_module

    from django.apps import apps

    from supportdesk.tam.models import CallSeries

    backfill = import_module("supportdesk.tam.migrations.0003_backfill_generated_until").backfill
    # Given a series whose cursor is unknown (as every series was before migration 0002)
    series = calls.create_series(world["people"]["tam"], client=world["own"], cadence="weekly", weekday=2,
                                 local_time="09:30")
    CallSeries.objects.filter(pk=series.pk).update(generated_until=None)
    # When the data migration runs
    backfill(apps, None)
    # Then the series continues after its latest call, as the job did before
    latest = series.occurrences.order_by("-starts_at").first().starts_at
    assert CallSeries.objects.get(pk=series.pk).generated_until == latest
