"""The `supportdesk` command: serve, worker, migrate, create-admin, demo, entitlements, token, and each
context's own commands (sla, quote, ...)."""

from __future__ import annotations

import importlib
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import typer

app = typer.Typer(help="supportdesk: contracts, entitlements, tickets and exact SLA clocks for support plans.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
token_app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@app.callback()
def _everywhere(data_dir: Path = typer.Option(None, "--data-dir", envvar="SUPPORTDESK_DATA_DIR",
                                              help="Folder for the database, uploads and keys, for every command "
                                                   "(as each command's own --data-dir).")) -> None:
    """supportdesk: contracts, entitlements, tickets and exact SLA clocks for support plans."""
    # Each command reads SUPPORTDESK_DATA_DIR through its own --data-dir option, parsed after this runs.
    if data_dir is not None:
        os.environ["SUPPORTDESK_DATA_DIR"] = str(Path(data_dir).resolve())

DATA_DIR_OPTION = typer.Option(None, "--data-dir", envvar="SUPPORTDESK_DATA_DIR",
                               help="Folder for the database, uploads and keys (created if missing).")


def setup_django(data_dir: Path | None = None) -> None:
    if data_dir is not None:
        os.environ["SUPPORTDESK_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django

    django.setup()


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command()
def migrate(data_dir: Path = DATA_DIR_OPTION) -> None:
    """Apply database migrations (also seeds the offering catalogue)."""
    setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    typer.echo("Database is up to date.")


@app.command("create-admin")
def create_admin(email: str = typer.Option(..., help="Sign-in email"),
                 password: str = typer.Option(None, help="Leave out to generate one (printed once)"),
                 data_dir: Path = DATA_DIR_OPTION) -> None:
    """Create a system administrator (all staff roles)."""
    setup_django(data_dir)
    from django.core.management import call_command

    from supportdesk.accounts.actions import create_person
    from supportdesk.errors import DomainError

    password = password or secrets.token_urlsafe(12)
    _check_password(password)
    call_command("migrate", interactive=False, verbosity=0)  # a first step on a new data folder, as `serve` does
    try:
        create_person(None, email=email, password=password, full_name="Administrator",
                      staff_roles=["sysadmin", "manager", "agent", "billing"])
    except DomainError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"Administrator {email} created. Password (shown once): {password}")


def _check_password(password: str) -> None:
    """An administrator's password meets AUTH_PASSWORD_VALIDATORS (12+ characters, not a common one): the
    most powerful account must not be the one that skips the policy every other password follows."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        raise fail("--password: " + " ".join(exc.messages)) from exc


@app.command()
def demo(data_dir: Path = DATA_DIR_OPTION) -> None:
    """Load realistic demo data: clients on every plan, people in every role, tickets in every state."""
    setup_django(data_dir)
    from django.core.management import call_command

    from supportdesk.demo_data import DEMO_PASSWORD

    typer.echo("Preparing the database and loading the demo data ...")
    call_command("migrate", interactive=False, verbosity=0)
    created = _load_demo()
    typer.echo("Demo data loaded." if created else "Demo data was already loaded.")
    typer.echo(f"Demo accounts (password {DEMO_PASSWORD}):")
    from supportdesk.demo_data import DEMO_ACCOUNTS

    for role, email in DEMO_ACCOUNTS:
        typer.echo(f"  {role:<22} {email}")


def _load_demo() -> bool:
    """The demo data, or one line saying why this data folder cannot take it (say, a demo email already used
    by a real account); the load is one transaction, so nothing is left half loaded."""
    from supportdesk.demo_data import load_demo
    from supportdesk.errors import DomainError

    try:
        return load_demo()
    except DomainError as exc:
        raise fail(f"the demo data cannot be loaded into this data folder: {exc.message} "
                   "(load it into a new --data-dir)") from exc


@app.command()
def entitlements(client: str = typer.Argument(..., help="Client name, slug or id"),
                 on: str = typer.Argument(None, help="Date YYYY-MM-DD (client's local date) or ISO instant; default today"),
                 on_option: str = typer.Option(None, "--on", "--date", "--at",
                                               help="The same as the ON argument, as an option"),
                 data_dir: Path = DATA_DIR_OPTION) -> None:
    """What was this client entitled to on a date? Prints JSON (offering codes and names, merged features, and
    each order line in force). Example: supportdesk entitlements "Hartley & Moss LLP" 2026-03-14"""
    if on and on_option and on != on_option:
        raise fail(f"give the date once: {on!r} or --on {on_option!r}")
    on = on or on_option
    setup_django(data_dir)
    import json

    from django.db.models import Q
    from django.utils import timezone

    from supportdesk.accounts.models import Client
    from supportdesk.contracts.entitlements import entitlements_for

    by_id = client.isascii() and client.isdigit() and len(client) <= 18
    query = Q(name__iexact=client) | Q(slug=client) | (Q(pk=int(client)) if by_id else Q(pk=None))
    found = Client.objects.filter(query).first()
    if found is None:
        raise fail(f"no client {client!r}")
    from supportdesk.errors import DomainError

    when: date | datetime
    try:
        when = _parse_when(on) if on else timezone.now()
    except ValueError as exc:
        raise fail(f"{on!r}: {exc}") from exc
    except DomainError as exc:
        raise fail(exc.message) from exc
    from supportdesk.catalogue.models import Offering

    answer = entitlements_for(found, when).to_json()
    names = dict(Offering.objects.filter(code__in=answer["offerings"]).values_list("code", "name"))
    answer = {"client": found.name, **answer, "offering_names": [names.get(c, c) for c in answer["offerings"]]}
    typer.echo(json.dumps(answer, indent=2))


def _parse_when(value: str) -> date | datetime:
    """A date YYYY-MM-DD, or an ISO 8601 instant with an offset (the API's `at=` rules)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    from supportdesk.contracts.api import parse_instant

    return parse_instant(value, "on")


@token_app.command("create")
def token_create(user: str = typer.Option(..., "--user", help="Email of the person the token acts as"),
                 name: str = typer.Option("integration", help="A label for the token"),
                 data_dir: Path = DATA_DIR_OPTION) -> None:
    """Create an API token; the secret is printed once and stored only as a hash."""
    setup_django(data_dir)
    from supportdesk.accounts.actions import create_token
    from supportdesk.accounts.models import User

    person = User.objects.filter(email__iexact=user).first()
    if person is None:
        raise fail(f"no user {user!r}")
    from supportdesk.errors import DomainError

    try:
        _, secret = create_token(None, user=person, name=name)
    except DomainError as exc:
        raise fail(exc.message) from exc
    typer.echo(secret)


@token_app.command("list")
def token_list(user: str | None = typer.Option(None, "--user", help="Only the tokens of this person (email)"),
               data_dir: Path = DATA_DIR_OPTION) -> None:
    """List tokens, newest first: prefix, person, name, created, last used, revoked (never the secret)."""
    setup_django(data_dir)
    from supportdesk.accounts.models import User
    from supportdesk.accounts.queries import api_tokens

    person = None
    if user is not None:
        person = User.objects.filter(email__iexact=user).first()
        if person is None:
            raise fail(f"no user {user!r}")
    shown = 0
    for token in api_tokens(person).iterator():
        typer.echo("\t".join([token.prefix, token.user.email, token.name, _stamp(token.created_at),
                              f"used {_stamp(token.last_used_at)}" if token.last_used_at else "never used",
                              f"revoked {_stamp(token.revoked_at)}" if token.revoked_at else "active"]))
        shown += 1
    if not shown:
        typer.echo("No tokens." if person is None else f"No tokens for {person.email}.", err=True)


def _stamp(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else ""


@token_app.command("revoke")
def token_revoke(token: str = typer.Argument(..., help="The token's prefix (from `token list`) or its whole secret"),
                 data_dir: Path = DATA_DIR_OPTION) -> None:
    """Revoke a token: every later request made with it is refused (401)."""
    setup_django(data_dir)
    from supportdesk.accounts.actions import PREFIX_LENGTH, revoke_token
    from supportdesk.accounts.queries import token_by_reference
    from supportdesk.errors import DomainError

    try:
        found = token_by_reference(token)
        if found is None:  # never the whole of what was typed: it may be a secret
            shown = token.strip()[:PREFIX_LENGTH] + ("…" if len(token.strip()) > PREFIX_LENGTH else "")
            raise fail(f"no token matches {shown!r}: give the {PREFIX_LENGTH}-character prefix `supportdesk token "
                       "list` shows for each token, or the token's whole secret")
        revoked = revoke_token(None, found)
    except DomainError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"Revoked token {revoked.prefix}... of {revoked.user.email} ({revoked.name}).")


@app.command()
def worker(data_dir: Path = DATA_DIR_OPTION,
           workers: int = typer.Option(2, min=1, max=64, help="Job worker threads"),
           periodic: bool = typer.Option(True, "--periodic/--no-periodic",
                                         help="Also schedule periodic jobs (run it on one worker per cluster)")) -> None:
    """Run background jobs: the outbox sender, SLA warnings and recomputes, periodic jobs."""
    setup_django(data_dir)
    from supportdesk.notifications.dispatch import run_worker

    run_worker(job_threads=workers, periodic=periodic)


@app.command()
def web(host: str = typer.Option("127.0.0.1", help="Address to listen on"),
        port: int = typer.Option(8000, min=1, max=65535, help="HTTP port"),
        workers: int = typer.Option(2, min=1, max=64, help="Web processes (about one per core)"),
        data_dir: Path = DATA_DIR_OPTION,
        log_level: str = typer.Option("info", help="uvicorn's log level")) -> None:
    """Run only the web processes (HTTP and WebSockets), each on its own SO_REUSEPORT socket."""
    if data_dir is not None:
        os.environ["SUPPORTDESK_DATA_DIR"] = str(Path(data_dir).resolve())
    from supportdesk.http_server import serve as serve_http

    try:
        serve_http(host, port, workers, log_level=log_level)
    except OSError as exc:  # the address is taken or not ours: checked in the parent before any worker starts
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on"),
          port: int = typer.Option(8000, min=1, max=65535, help="HTTP port"),
          data_dir: Path = DATA_DIR_OPTION,
          demo_data: bool = typer.Option(False, "--demo", help="Load the demo data first"),
          smtp_port: int | None = typer.Option(None, "--smtp-port", min=0, max=65535, show_default=False,
                                               help="Inbound SMTP listener port (0 turns it off; default: "
                                                    "SUPPORTDESK_SMTP_LISTEN, else 2525 on --host)"),
          web_workers: int = typer.Option(1, "--web-workers", min=1, max=64, help="Web processes")) -> None:
    """Start everything: migrations, catalogue, first admin, web server, job worker, SMTP listener."""
    smtp_host, smtp_port = smtp_address(host, smtp_port, os.environ.get("SUPPORTDESK_SMTP_LISTEN", ""))
    _require_free_port(host, port, "--port")
    if smtp_port:
        _require_free_port(smtp_host, smtp_port, "--smtp-port", hint=" (or --smtp-port 0 to run without it)")
    data_dir = Path(data_dir or os.environ.get("SUPPORTDESK_DATA_DIR") or Path.cwd() / "data").resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"--data-dir: cannot create {str(data_dir)!r}: {exc.strerror or exc}") from exc
    setup_django(data_dir)
    from django.core.management import call_command

    # A first start takes several seconds before the URL can be printed: say what is happening (SPEC §11).
    typer.echo(f"Preparing the database in {data_dir} (migrations, catalogue) ...")
    call_command("migrate", interactive=False, verbosity=0)
    admin_line = _ensure_first_admin(data_dir)
    if demo_data:
        typer.echo("Loading the demo data (once per data folder) ...")
        _load_demo()
    env = {**os.environ, "SUPPORTDESK_DATA_DIR": str(data_dir), "SUPPORTDESK_SITE_URL": f"http://{host}:{port}"}
    children = [
        subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "web", "--host", host, "--port", str(port),
                          "--workers", str(web_workers)], env=env),
        subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "worker"], env=env),
    ]
    if smtp_port:
        smtp = _smtp_child(smtp_host, smtp_port, env)
        if smtp is not None:
            children.append(smtp)
    typer.echo(f"\nsupportdesk is running at http://{host}:{port}/  (data in {data_dir})")
    typer.echo(admin_line)
    if demo_data:
        from supportdesk.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD

        typer.echo(f"Demo accounts, password {DEMO_PASSWORD}: " + ", ".join(e for _, e in DEMO_ACCOUNTS))
    typer.echo("API: /api/v1/docs · Press Ctrl+C to stop.\n")
    _supervise(children)


def smtp_address(host: str, smtp_port: int | None, listen: str) -> tuple[str, int]:
    """Where `serve` starts the SMTP listener: --smtp-port on --host when given, else the configured
    SUPPORTDESK_SMTP_LISTEN (host:port), else port 2525 on --host."""
    if smtp_port is not None:
        return host, smtp_port
    from supportdesk.intake.smtp import listen_address

    try:
        return listen_address(listen, default_host=host)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _require_free_port(host: str, port: int, option: str, hint: str = "") -> None:
    """Exit 2 with one line when nothing can listen on host:port, before migrations run and children start:
    otherwise `serve` would print its URL and then stop when the web child fails. A plain bind (no SO_REUSEPORT)
    also notices another supportdesk already serving there."""
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise fail(f"{option}: cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from exc


def _smtp_child(host: str, port: int, env: dict) -> subprocess.Popen | None:
    try:
        importlib.import_module("supportdesk.intake.smtp")
    except ImportError:
        return None
    return subprocess.Popen([sys.executable, "-m", "supportdesk.intake.smtp", "--host", host, "--port", str(port)],
                            env=env)


def _ensure_first_admin(data_dir: Path) -> str:
    from supportdesk.accounts.actions import create_person
    from supportdesk.accounts.models import RoleGrant

    if RoleGrant.objects.filter(role="sysadmin").exists():
        return "Sign in with your administrator account (create another with `supportdesk create-admin`)."
    password = secrets.token_urlsafe(12)
    email = "admin@supportdesk.local"
    create_person(None, email=email, password=password, full_name="Administrator",
                  staff_roles=["sysadmin", "manager", "agent", "billing"])
    return f"First administrator created. Sign in as {email} with password {password} (shown once; change it)."


def _supervise(children: list[subprocess.Popen]) -> None:
    def stop(*_: object, status: int = 0) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(status)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        for child in children:
            if child.poll() is not None:
                typer.echo(f"A child process exited with {child.returncode}; stopping.", err=True)
                stop(status=1)  # the product is not running: say so to scripts and supervisors
        time.sleep(1)


def _mount_context_commands() -> None:
    """Each context may add commands: a module `supportdesk.<ctx>.cli` with `register(app)` or a Typer `app`."""
    for ctx in ("sla", "billing", "intake", "livechat", "telephony", "oncall", "tam", "learning", "notifications",
                "helpcenter", "interchange"):
        try:
            module = importlib.import_module(f"supportdesk.{ctx}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"supportdesk.{ctx}.cli":
                raise
            continue
        if hasattr(module, "register"):
            module.register(app)
        elif hasattr(module, "app"):
            app.add_typer(module.app, name=ctx)


_mount_context_commands()


def _is_missing_table(exc: Exception) -> bool:
    """A command run against a data folder (or DATABASE_URL) that was never migrated."""
    from django.db import utils

    text = str(exc)
    return (isinstance(exc, utils.OperationalError) and text.startswith("no such table")) or (
        isinstance(exc, utils.ProgrammingError) and "relation" in text and "does not exist" in text)


def main() -> None:
    """Usage errors print one clear line on stderr and exit 2 (scripts and acceptance checks rely on it)."""
    from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer >= 0.20 vendors click
    try:
        result = app(standalone_mode=False)
    except NoArgsIsHelpError:
        raise SystemExit(0) from None
    except UsageError as exc:
        typer.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(2) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:
        if not _is_missing_table(exc):
            raise
        typer.echo("error: the database has no tables yet; run `supportdesk migrate` (or `supportdesk serve`) "
                   "with this data folder first", err=True)
        raise SystemExit(2) from None
    if isinstance(result, int):
        raise SystemExit(result)


if __name__ == "__main__":
    main()
