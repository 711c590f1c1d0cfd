"""Bad input to `supportdesk` commands: exit 2 with one clear line on stderr, never a traceback, and nothing
started or created."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from supportdesk.accounts.models import User
from supportdesk.cli import app


def run(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUPPORTDESK_TESTING": "0"}
    env.pop("DATABASE_URL", None)
    env.pop("SUPPORTDESK_DATA_DIR", None)
    if data_dir is not None:
        env["SUPPORTDESK_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "supportdesk.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def assert_one_line_refusal(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def sd(monkeypatch, db) -> Callable[..., Result]:  # noqa: ANN001
    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)  # the test database
    return lambda *args: CliRunner().invoke(app, list(args))


def test_given_a_short_or_common_password_when_create_admin_then_exit_2_and_no_account(sd):
    short = sd("create-admin", "--email", "root@vendor.example", "--password", "short")
    common = sd("create-admin", "--email", "root@vendor.example", "--password", "password1234")
    assert (short.exit_code, common.exit_code) == (2, 2)
    assert "at least 12 characters" in short.stderr
    assert "too common" in common.stderr
    assert not User.objects.filter(email="root@vendor.example").exists()
    good = sd("create-admin", "--email", "root@vendor.example", "--password", "Harbour-Lights-2026")
    assert good.exit_code == 0, good.output
    assert User.objects.get(email="root@vendor.example").check_password("Harbour-Lights-2026")


def test_given_no_password_when_create_admin_then_the_generated_one_passes_the_policy_and_is_printed(sd):
    result = sd("create-admin", "--email", "ops@vendor.example")
    assert result.exit_code == 0, result.output
    password = result.stdout.rsplit(": ", 1)[1].strip()
    assert User.objects.get(email="ops@vendor.example").check_password(password)


@pytest.mark.parametrize("args, option", [
    (("worker", "--workers", "0"), "--workers"),
    (("web", "--port", "70000"), "--port"),
    (("web", "--workers", "-1"), "--workers"),
    (("serve", "--port", "0"), "--port"),
    (("serve", "--smtp-port", "70000"), "--smtp-port"),
    (("serve", "--web-workers", "0"), "--web-workers"),
])
def test_given_a_port_or_worker_count_out_of_range_then_exit_2_with_one_line(tmp_path, args, option):
    result = run(*args, data_dir=tmp_path / "data")
    assert_one_line_refusal(result, option)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("args", "option"), [
    (("intake", "process", "--limit", "-1"), "--limit"),  # was a traceback: "Negative indexing is not supported"
    (("intake", "process", "--limit", "0"), "--limit"),
    (("intake", "process", "--limit", "100001"), "--limit"),
    (("intake", "process", "--limit", str(2**63)), "--limit"),  # was a traceback from SQLite: "datatype mismatch"
    (("intake", "process", "--limit", str(10**30)), "--limit"),
    (("intake", "review", "--page", "1000000000"), "--page"),
    (("intake", "review", "--page", str(2**63)), "--page"),
])
def test_given_an_intake_limit_or_page_out_of_range_then_exit_2_with_one_line(tmp_path, args, option):
    # When a mail command is given a count outside its bounds (--limit 1 to 100,000; --page 1 to 999,999,999)
    result = run(*args, data_dir=tmp_path / "data")
    # Then one line names the option, before anything is opened
    assert_one_line_refusal(result, option)
    assert not (tmp_path / "data").exists()


def test_given_a_taken_port_when_serve_then_exit_2_before_anything_starts(tmp_path, taken_port):
    result = run("serve", "--port", str(taken_port), "--smtp-port", "0", "--data-dir", str(tmp_path / "data"))
    assert_one_line_refusal(result, "--port", str(taken_port))
    assert "running at" not in result.stdout
    assert not (tmp_path / "data").exists()  # no migrations, no first admin for a server that never ran


def test_given_a_taken_smtp_port_when_serve_then_exit_2_naming_the_way_out(tmp_path, taken_port):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    http_port = free.getsockname()[1]
    free.close()
    result = run("serve", "--port", str(http_port), "--smtp-port", str(taken_port), "--data-dir", str(tmp_path / "d"))
    assert_one_line_refusal(result, "--smtp-port", "--smtp-port 0")


def test_given_a_taken_port_when_web_then_exit_2_with_one_line(tmp_path, taken_port):
    result = run("web", "--port", str(taken_port), "--workers", "1", data_dir=tmp_path)
    assert_one_line_refusal(result, str(taken_port))


def test_given_data_dir_before_the_command_when_run_then_that_folder_is_used(tmp_path):
    """docs/cli.md's round trip: `supportdesk --data-dir /new import clients clients.csv`."""
    data_dir = tmp_path / "new"
    result = run("--data-dir", str(data_dir), "create-admin", "--email", "first@vendor.example",
                 "--password", "Harbour-Lights-2026")
    assert result.returncode == 0, result.stderr
    assert (data_dir / "supportdesk.sqlite3").exists()
    again = run("--data-dir", str(data_dir), "create-admin", "--email", "first@vendor.example")
    assert_one_line_refusal(again, "already has an account")


@pytest.mark.parametrize("args", [("token", "create", "--user", "x@vendor.example"), ("entitlements", "Acme"),
                                  ("import", "clients", "missing-is-checked-later.csv")])
def test_given_a_data_folder_never_migrated_when_a_command_reads_it_then_exit_2_saying_to_migrate(tmp_path, args):
    args = tuple(str(tmp_path / a) if a.endswith(".csv") else a for a in args)
    if args[0] == "import":
        Path(args[-1]).write_text("name\nAcme\n", encoding="utf-8")
    result = run(*args, data_dir=tmp_path / "never-migrated")
    assert_one_line_refusal(result, "supportdesk migrate")


def test_given_a_demo_email_already_taken_when_demo_then_exit_2_and_nothing_half_loaded(sd):
    assert sd("create-admin", "--email", "admin@demo.supportdesk.local", "--password", "Harbour-Lights-2026").exit_code == 0
    result = sd("demo")
    assert result.exit_code == 2
    assert "admin@demo.supportdesk.local already has an account" in result.stderr
    assert list(User.objects.values_list("email", flat=True)) == ["admin@demo.supportdesk.local"]


def test_given_the_demo_loaded_when_demo_runs_again_then_nothing_is_added(sd):
    from supportdesk.accounts.models import Client
    from supportdesk.tickets.models import Ticket

    assert sd("demo").exit_code == 0
    counts = (Client.objects.count(), User.objects.count(), Ticket.objects.count())
    again = sd("demo")
    assert again.exit_code == 0 and "already loaded" in again.stdout
    assert (Client.objects.count(), User.objects.count(), Ticket.objects.count()) == counts
