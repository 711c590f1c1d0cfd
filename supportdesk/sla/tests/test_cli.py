"""The `sla` CLI through a real subprocess: stdout carries only the answer, errors exit 2 in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOR = ["--zone", "America/Toronto"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "supportdesk.sla.cli", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )


def ok(*args: str) -> str:
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.endswith("\n") and proc.stdout.count("\n") == 1
    return proc.stdout.strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--start", "2026-04-06T09:00-04:00", "--target", "4h", "--calendar", "business-hours", *TOR], "2026-04-06T17:00:00Z"),
        (["--start", "2026-04-06T13:00-04:00", "--target", "4h", "--calendar", "business-hours", *TOR], "2026-04-06T21:00:00Z"),
        (["--start", "2026-04-10T23:30-04:00", "--target", "30m", "--calendar", "weekdays-24h", *TOR], "2026-04-11T04:00:00Z"),
        (["--start", "2026-04-11T10:00Z", "--target", "2h", "--calendar", "24x7", *TOR], "2026-04-11T12:00:00Z"),
        (["--start", "2026-04-06T09:00-04:00", "--target", "1h30m", "--calendar", "business-hours", *TOR,
          "--hours", "09:00-10:00"], "2026-04-07T13:30:00Z"),
        (["--start", "2026-04-02T15:00-04:00", "--target", "4h", "--calendar", "business-hours", *TOR,
          "--holiday", "2026-04-03"], "2026-04-06T14:00:00Z"),
        (["--start", "2026-04-03T09:00-04:00", "--target", "30m", "--calendar", "weekdays-24h", *TOR,
          "--holiday", "2026-04-03"], "2026-04-06T04:30:00Z"),
        (["--start", "2026-04-03T09:00-04:00", "--target", "30m", "--calendar", "24x7", *TOR,
          "--holiday", "2026-04-03"], "2026-04-03T13:30:00Z"),
        (["--start", "2026-12-31T15:00-05:00", "--target", "4h", "--calendar", "business-hours", *TOR,
          "--holidays", "CA-ON"], "2027-01-04T15:00:00Z"),
        (["--start", "2026-04-06T13:00-04:00", "--target", "4h", "--calendar", "business-hours", *TOR,
          "--pause", "2026-04-06T14:00-04:00/2026-04-06T15:00-04:00",
          "--pause", "2026-04-06T14:30-04:00/2026-04-06T15:30-04:00"], "2026-04-07T13:30:00Z"),
        # SPEC §5 decision: Monday–Friday 24 hours does not close on public holidays (Victoria Day 2026-05-18,
        # a Monday, is answered within 30 minutes); only custom --holiday dates close it.
        (["--start", "2026-05-18T09:00-04:00", "--target", "30m", "--calendar", "weekdays-24h", *TOR,
          "--holidays", "CA-ON"], "2026-05-18T13:30:00Z"),
        # A long target crossing several years of public holidays (years are widened as needed).
        (["--start", "2026-01-05T08:00-05:00", "--target", "4536h", "--calendar", "business-hours", *TOR,
          "--holidays", "CA-ON"], None),
    ],
)
def test_given_valid_input_when_due_then_prints_only_the_utc_instant(args: list[str], expected: str | None) -> None:
    out = ok("due", *args)
    if expected is not None:
        assert out == expected
    else:
        assert out.endswith("Z") and out.startswith("2028-")


def test_given_business_hours_when_elapsed_then_whole_seconds() -> None:
    out = ok("elapsed", "--from", "2026-04-10T16:00-04:00", "--to", "2026-04-13T10:00-04:00",
             "--calendar", "business-hours", *TOR)
    assert out == str(3 * 3600)


def test_given_pause_when_elapsed_then_paused_time_removed() -> None:
    out = ok("elapsed", "--from", "2026-04-06T09:00-04:00", "--to", "2026-04-06T12:00:30-04:00",
             "--calendar", "business-hours", *TOR, "--pause", "2026-04-06T10:00-04:00/2026-04-06T11:00-04:00")
    assert out == str(2 * 3600 + 30)


def test_given_fall_back_day_when_elapsed_24x7_then_25h() -> None:
    out = ok("elapsed", "--from", "2026-11-01T00:00-04:00", "--to", "2026-11-02T00:00-05:00", "--calendar", "24x7", *TOR)
    assert out == str(25 * 3600)


BAD = [
    ("naive_start", ["due", "--start", "2026-04-06T09:00", "--target", "4h", "--calendar", "24x7", *TOR], "offset"),
    ("garbage_start", ["due", "--start", "yesterday", "--target", "4h", "--calendar", "24x7", *TOR], "ISO 8601"),
    ("unknown_zone", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7",
                      "--zone", "Mars/Olympus"], "zone"),
    ("zone_is_a_folder", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7",
                          "--zone", "America"], "zone"),
    ("bad_duration", ["due", "--start", "2026-04-06T09:00Z", "--target", "4 hours", "--calendar", "24x7", *TOR], "duration"),
    ("zero_duration", ["due", "--start", "2026-04-06T09:00Z", "--target", "0m", "--calendar", "24x7", *TOR], "duration"),
    ("negative_duration", ["due", "--start", "2026-04-06T09:00Z", "--target=-2h", "--calendar", "24x7", *TOR], "duration"),
    ("malformed_pause", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                         "--pause", "2026-04-06T10:00Z"], "pause"),
    ("naive_pause", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                     "--pause", "2026-04-06T10:00/2026-04-06T11:00"], "offset"),
    ("pause_end_before_start", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                                "--pause", "2026-04-06T11:00Z/2026-04-06T10:00Z"], "before"),
    ("unknown_calendar", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "lunar", *TOR], "calendar"),
    ("bad_hours", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "business-hours", *TOR,
                   "--hours", "17:00-08:00"], "interval"),
    ("hours_on_24x7", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                       "--hours", "08:00-17:00"], "--hours"),
    ("bad_holiday", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "business-hours", *TOR,
                     "--holiday", "2026-13-01"], "holiday"),
    ("unknown_holidays", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "business-hours", *TOR,
                          "--holidays", "XX-YY"], "holiday"),
    # An unknown holiday set is refused even where public holidays do not close the calendar
    ("unknown_holidays_on_24x7", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                                  "--holidays", "XX"], "holiday"),
    ("unknown_holidays_on_weekdays_24h", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar",
                                          "weekdays-24h", *TOR, "--holidays", "XX"], "holiday"),
    ("empty_holidays", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "business-hours", *TOR,
                        "--holidays", ""], "holidays"),
    ("empty_hours", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "business-hours", *TOR,
                     "--hours", ""], "interval"),
    # A target beyond any objective would make the calendar walk for ever (99999999d never finished)
    ("target_too_long", ["due", "--start", "2026-04-06T09:00Z", "--target", "99999999d", "--calendar",
                         "business-hours", *TOR], "longer than 3660 days"),
    ("elapsed_end_before_start", ["elapsed", "--from", "2026-04-06T09:00Z", "--to", "2026-04-05T09:00Z",
                                  "--calendar", "24x7", *TOR], "before"),
    ("elapsed_naive", ["elapsed", "--from", "2026-04-06T09:00", "--to", "2026-04-07T09:00Z",
                       "--calendar", "24x7", *TOR], "offset"),
    # typer/click's own usage errors
    ("missing_option", ["due", "--target", "4h", "--calendar", "24x7", *TOR], "--start"),
    ("unknown_option", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7", *TOR,
                        "--frobnicate"], "--frobnicate"),
    ("option_without_value", ["due", "--start", "2026-04-06T09:00Z", "--target", "4h", "--calendar", "24x7",
                              "--zone"], "--zone"),
    ("unknown_command", ["overdue"], "overdue"),
]


@pytest.mark.parametrize(("args", "needle"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_given_bad_input_when_run_then_exit_2_and_one_stderr_line(args: list[str], needle: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert needle.lower() in lines[0].lower()
    assert "Traceback" not in proc.stderr and "Usage" not in proc.stderr


def test_given_help_when_run_then_lists_commands() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "due" in proc.stdout and "elapsed" in proc.stdout


def test_given_cli_module_when_imported_then_no_django() -> None:
    code = "import sys, supportdesk.sla.cli; print('django' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "False"
