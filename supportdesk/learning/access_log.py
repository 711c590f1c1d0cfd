"""The access log's filters (R13 downloads, R15 training openings): parsed once for the API, the page and the CSV.

`since` and `until` take an aware ISO 8601 instant or a date. A date is a whole day in the vendor's zone
(settings.TIME_ZONE): `since=2026-03-14` starts at its local midnight, `until=2026-03-14` includes that
whole day. An instant without a UTC offset is refused, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from supportdesk.errors import Invalid
from supportdesk.supported_years import FIRST_YEAR, LAST_YEAR, within_supported_years

from .errors import LearningError

KINDS = ("training", "download")
_ONE_TICK = timedelta(microseconds=1)  # the finest step both databases store: `until` instant is inclusive


@dataclass(frozen=True)
class LogFilter:
    """Rows with `since <= at < before`, of one kind, client, person, training item or release when set."""

    client_id: int | None = None
    person_id: int | None = None
    kind: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    item_id: int | None = None
    release_id: int | None = None


def parse_filter(*, client: str | int | None = None, person: str | int | None = None, kind: str | None = None,
                 since: str | None = None, until: str | None = None) -> LogFilter:
    """The filter from query values ("" means not given); a bad value is a 422 naming its field."""
    start = _bound(since, "since", end=False)
    before = _bound(until, "until", end=True)
    if start is not None and before is not None and before <= start:
        raise _invalid("until", "until: must be after since.", "after since")
    kind = (kind or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise _invalid("kind", "kind: training or download.", "training or download")
    return LogFilter(client_id=_id(client, "client"), person_id=_id(person, "person"), kind=kind,
                     since=start, before=before)


def _id(value: str | int | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise _invalid(field, f"{field}: give an id (a whole number).", "an id")
    return int(text)


def _bound(value: str | None, field: str, *, end: bool) -> datetime | None:
    """`since`: the first instant included. `until`: the first instant excluded (the day after a date, the
    instant plus one tick)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    try:
        if day is not None:
            local_midnight = datetime.combine(day + timedelta(days=1) if end else day, time(), ZoneInfo(settings.TIME_ZONE))
            return _in_range(local_midnight, field, text)
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError) as exc:
        raise _invalid(field, f"{field}: not an ISO 8601 date or instant: {text!r}.", "a date or an instant") from exc
    if instant.tzinfo is None:
        raise _invalid(field, f"{field}: give a UTC offset (e.g. 2026-03-14T09:00:00-05:00 or Z) or a date.",
                       "needs an offset")
    return _in_range(instant + _ONE_TICK if end else instant, field, text)


def _in_range(instant: datetime, field: str, text: str) -> datetime:
    """Years FIRST_YEAR to LAST_YEAR only: the ends of datetime's range overflow when converted between zones."""
    if not within_supported_years(instant):
        raise _invalid(field, f"{field}: {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}.", "out of range")
    return instant


def _invalid(field: str, message: str, short: str) -> Invalid:
    return Invalid(LearningError.ACCESS_LOG_BAD_FILTER, message, fields={field: short})
