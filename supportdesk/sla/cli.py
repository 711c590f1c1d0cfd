"""`supportdesk sla` — SLA deadline arithmetic from the command line.

    python -m supportdesk.sla.cli due --start 2026-04-06T09:00-04:00 --target 4h \
        --calendar business-hours --zone America/Toronto
    2026-04-06T17:00:00Z

Stdout carries only the answer; any bad input exits 2 with one line on stderr.  Kept free of
Django so it imports fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from supportdesk.sla.calendars import BusinessCalendar, CalendarError, parse_interval
from supportdesk.sla.durations import MAX_TARGET, parse_duration

try:  # typer >= 0.2x vendors click; older versions use click itself
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[no-redef,assignment]

CALENDARS = ("24x7", "weekdays-24h", "business-hours")


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit 2: the whole error contract of this CLI."""
    sys.stderr.write("error: " + " ".join(str(message).split()) + "\n")
    sys.stderr.flush()
    raise SystemExit(2)


def _one_line_usage_errors(parse: Callable[..., Any], ctx: Any, args: list[str]) -> Any:
    try:
        return parse(ctx, args)
    except NoArgsIsHelpError:
        raise
    except UsageError as exc:
        # Caught here rather than in main() so the rule also holds when the lead mounts this
        # app under `supportdesk sla`, where our main() never runs.
        _fail(exc.format_message())


class _Command(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _one_line_usage_errors(super().parse_args, ctx, args)


class _Group(TyperGroup):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _one_line_usage_errors(super().parse_args, ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        return _one_line_usage_errors(super().resolve_command, ctx, args)


app = typer.Typer(
    help="SLA clocks: compute due instants and elapsed business time on business calendars.",
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


# --------------------------------------------------------------------------- parsing helpers


def parse_instant(text: str, what: str) -> datetime:
    """ISO 8601 with an offset (or Z); naive input is refused, never guessed."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CalendarError("bad_datetime", f"{what} {text!r} is not an ISO 8601 date-time") from exc
    if value.tzinfo is None:
        raise CalendarError("naive_datetime", f"{what} {text!r} needs a UTC offset, e.g. -04:00 or Z")
    return value


def parse_pause(text: str) -> tuple[datetime, datetime]:
    """START/END, both ISO 8601 with offsets."""
    parts = text.split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise CalendarError("bad_pause", f"pause {text!r} must be START/END")
    start, end = parse_instant(parts[0], "pause start"), parse_instant(parts[1], "pause end")
    if end < start:
        raise CalendarError("end_before_start", f"pause {text!r} ends before it starts")
    return start, end


def parse_holiday(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CalendarError("bad_holiday", f"holiday {text!r} must be YYYY-MM-DD") from exc


def format_instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build_calendar(
    kind: str, zone: str, hours: str | None, holidays: Iterable[date]
) -> BusinessCalendar:
    """Map the CLI's calendar kinds to engine constructors; the holidays given close all but 24x7."""
    if kind not in CALENDARS:
        raise CalendarError("unknown_calendar", f"unknown calendar {kind!r}; use one of {', '.join(CALENDARS)}")
    if hours is not None and kind != "business-hours":
        raise CalendarError("bad_interval", "--hours only applies to --calendar business-hours")
    if kind == "24x7":
        return BusinessCalendar.always(zone)
    if kind == "weekdays-24h":
        return BusinessCalendar.weekdays_24h(zone, holidays)
    start, end = parse_interval("08:00-17:00" if hours is None else hours)  # an empty --hours is an error
    return BusinessCalendar(
        zone, tuple(((start, end),) if wd < 5 else () for wd in range(7)), frozenset(holidays)
    )


class _CalendarSpec:
    """Calendar options as given; public holidays are expanded for whatever years are needed."""

    def __init__(self, kind: str, zone: str, hours: str | None, holiday: list[str], country: str | None) -> None:
        self.kind, self.zone, self.hours = kind, zone, hours
        self.custom = frozenset(parse_holiday(h) for h in holiday)
        build_calendar(kind, zone, hours, ())  # validate early, before any arithmetic
        if country is not None and not country.strip():
            raise CalendarError("unknown_holidays", "--holidays needs a country code such as CA or CA-ON")
        if country is not None:
            _holidays_for(country, range(2026, 2027))  # an unknown set is refused whatever the calendar
        # SPEC §5 decision, as on tickets' clocks: public holidays close business hours only; Monday–Friday
        # 24 hours still answers a severity 1 on a holiday Monday, and 24x7 never closes.
        self.country = country if kind == "business-hours" else None

    def calendar(self, first_year: int, last_year: int) -> BusinessCalendar:
        holidays = set(self.custom)
        if self.country:
            holidays |= _holidays_for(self.country, range(first_year, last_year + 1))
        return build_calendar(self.kind, self.zone, self.hours, holidays)


def _holidays_for(country: str, years: Iterable[int]) -> frozenset[date]:
    from supportdesk.sla.holiday_sources import holidays_for  # `holidays` is slow to import

    return holidays_for(country, years)


def _run(body: Callable[[], str]) -> None:
    try:
        out = body()
    except CalendarError as exc:
        _fail(str(exc))
    except (ValueError, OverflowError) as exc:
        _fail(str(exc) or type(exc).__name__)
    typer.echo(out)


# --------------------------------------------------------------------------- commands

CalendarOpt = Annotated[str, typer.Option("--calendar", help="24x7, weekdays-24h or business-hours")]
ZoneOpt = Annotated[str, typer.Option("--zone", help="IANA time zone, e.g. America/Toronto")]
HoursOpt = Annotated[str | None, typer.Option("--hours", help="HH:MM-HH:MM for business-hours (default 08:00-17:00)")]
HolidayOpt = Annotated[list[str] | None, typer.Option("--holiday", help="closed local date YYYY-MM-DD (repeatable)")]
HolidaysOpt = Annotated[str | None, typer.Option("--holidays", help="public holidays: COUNTRY or COUNTRY-SUBDIV")]
PauseOpt = Annotated[list[str] | None, typer.Option("--pause", help="paused interval START/END (repeatable)")]


@app.command(cls=_Command)
def due(
    start: Annotated[str, typer.Option("--start", help="ISO 8601 with offset, e.g. 2026-04-06T09:00-04:00")],
    target: Annotated[str, typer.Option("--target", help="duration: 30m, 2h, 4h, 1h30m, 1d2h")],
    calendar: CalendarOpt,
    zone: ZoneOpt,
    hours: HoursOpt = None,
    holiday: HolidayOpt = None,
    holidays: HolidaysOpt = None,
    pause: PauseOpt = None,
) -> None:
    """Print the due instant (UTC, ISO 8601 with Z)."""

    def body() -> str:
        spec = _CalendarSpec(calendar, zone, hours, holiday or [], holidays)
        begin = parse_instant(start, "start")
        duration = parse_duration(target)
        if duration > MAX_TARGET:
            raise CalendarError("bad_duration", f"target {target!r} is longer than {MAX_TARGET.days} days")
        pauses = [parse_pause(p) for p in pause or []]
        return format_instant(_due_with_holiday_years(spec, begin, duration, pauses))

    _run(body)


def _due_with_holiday_years(
    spec: _CalendarSpec, begin: datetime, duration: timedelta, pauses: list[tuple[datetime, datetime]]
) -> datetime:
    # Public holidays are finite per year: widen the year range until the answer lies inside it.
    last = begin.year + 1
    while True:
        result = spec.calendar(begin.year - 1, last).due(begin, duration, pauses)
        assert result is not None  # CLI pauses always have an end
        if result.year < last or spec.country is None:
            return result
        last = result.year + 1


@app.command(cls=_Command)
def elapsed(
    from_: Annotated[str, typer.Option("--from", help="ISO 8601 with offset")],
    to: Annotated[str, typer.Option("--to", help="ISO 8601 with offset")],
    calendar: CalendarOpt,
    zone: ZoneOpt,
    hours: HoursOpt = None,
    holiday: HolidayOpt = None,
    holidays: HolidaysOpt = None,
    pause: PauseOpt = None,
) -> None:
    """Print the business time between two instants, in whole seconds."""

    def body() -> str:
        spec = _CalendarSpec(calendar, zone, hours, holiday or [], holidays)
        a, b = parse_instant(from_, "--from"), parse_instant(to, "--to")
        pauses = [parse_pause(p) for p in pause or []]
        cal = spec.calendar(a.year - 1, b.year + 1)
        return str(cal.elapsed(a, b, pauses) // timedelta(seconds=1))

    _run(body)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
