"""`supportdesk export ...`, `supportdesk import ...` and `supportdesk report ...`.

Mounted by supportdesk/cli.py (`register(app)`). Everything runs as the command line's operator (see principal.py);
a usage error (unknown client, bad month, missing or malformed file) is one line on stderr and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import typer

from supportdesk.errors import DomainError

T = TypeVar("T")

export_app = typer.Typer(help="Export tickets, clients, people or service orders as CSV or JSON.", no_args_is_help=True)
import_app = typer.Typer(help="Import clients or people from CSV files (checked first; re-running is harmless).",
                         no_args_is_help=True)
report_app = typer.Typer(help="Reports: SLA attainment, clocks at risk, a month's issued invoices.", no_args_is_help=True)

DATA_DIR_OPTION = typer.Option(None, "--data-dir", envvar="SUPPORTDESK_DATA_DIR",
                               help="Folder for the database, uploads and keys.")
OUTPUT_OPTION = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout)", dir_okay=False)
CLIENT_OPTION = typer.Option(None, "--client", help="Only this client (name, slug or id)")
EXPORT_FORMAT = typer.Option("csv", "--format", help="csv or json")
REPORT_FORMAT = typer.Option("table", "--format", help="table, csv or json")
SKIP_INVALID = typer.Option(False, "--skip-invalid", help="Import the good rows and list the bad ones (exit 1)")
DRY_RUN = typer.Option(False, "--dry-run", help="Check and count everything, write nothing")


def _start(data_dir: Path | None) -> Any:
    """Django, then the operator principal the queries are asked as."""
    from supportdesk.cli import setup_django

    setup_django(data_dir)
    from .principal import operator

    return operator()


def _refusing(body: Callable[[], T]) -> T:
    """A domain refusal (unknown client, bad month, bad file...) as the CLI's one-line error, exit 2."""
    from supportdesk.cli import fail

    try:
        return body()
    except DomainError as exc:
        raise fail(exc.message) from exc


def _client(user: Any, text: str | None) -> Any:
    from .lookups import client_named

    return client_named(user, text) if text is not None else None


# --------------------------------------------------------------------------- export


def _export(records: Iterable[dict], header: list[str], fmt: str, output: Path | None, what: str) -> None:
    from .output import destination, file_path, write_csv, write_json

    output = file_path(output)
    with destination(output) as stream:
        count = write_csv(stream, header, records) if fmt == "csv" else write_json(stream, records)
    if output is not None:
        typer.echo(f"Wrote {count} {what} to {output}.")


@export_app.command("tickets")
def export_tickets(client: str = CLIENT_OPTION,
                   status: list[str] = typer.Option(None, "--status", help="Only these statuses (repeatable): new, "
                                                    "open, waiting, on_hold, solved, closed"),
                   open_only: bool = typer.Option(False, "--open-only", help="Only tickets not solved or closed"),
                   fmt: str = EXPORT_FORMAT, output: Path = OUTPUT_OPTION, data_dir: Path = DATA_DIR_OPTION) -> None:
    """Tickets with the web export's columns (number, client, requester, subject, severity, status, SLA...)."""
    user = _start(data_dir)
    from supportdesk.progress import counted

    from . import exports
    from .lookups import choice
    from .output import file_path

    def body() -> None:
        choice(fmt, ("csv", "json"), "--format")
        qs = exports.tickets(user, client=_client(user, client), statuses=status or [], open_only=open_only)
        records = exports.ticket_records(qs)
        if file_path(output) is not None:
            records = counted(records, qs.count(), "Exporting tickets")
        _export(records, exports.TICKET_HEADER, fmt, output, "ticket(s)")

    _refusing(body)


@export_app.command("clients")
def export_clients(client: str = CLIENT_OPTION, fmt: str = EXPORT_FORMAT, output: Path = OUTPUT_OPTION,
                   data_dir: Path = DATA_DIR_OPTION) -> None:
    """Clients with their mail domains, phones, TAM and people. JSON nests each client's people (email, name, role,
    designated); CSV has one row per client in `import clients` columns (use `export people` for the people)."""
    user = _start(data_dir)
    from . import exports
    from .lookups import choice

    def body() -> None:
        choice(fmt, ("csv", "json"), "--format")
        qs = exports.visible_clients(user, _client(user, client))
        _export(exports.client_records(qs, with_people=fmt == "json"), exports.CLIENT_HEADER, fmt, output, "client(s)")

    _refusing(body)


@export_app.command("people")
def export_people(client: str = CLIENT_OPTION, fmt: str = EXPORT_FORMAT, output: Path = OUTPUT_OPTION,
                  data_dir: Path = DATA_DIR_OPTION) -> None:
    """People in `import people` columns: each client's people with their client role and whether designated,
    then vendor staff with their staff roles (separated by ;)."""
    user = _start(data_dir)
    from . import exports
    from .lookups import choice

    def body() -> None:
        choice(fmt, ("csv", "json"), "--format")
        records = exports.people_records(user, _client(user, client))
        _export(records, exports.PEOPLE_HEADER, fmt, output, "people")

    _refusing(body)


@export_app.command("orders")
def export_orders(client: str = CLIENT_OPTION, fmt: str = EXPORT_FORMAT, output: Path = OUTPUT_OPTION,
                  data_dir: Path = DATA_DIR_OPTION) -> None:
    """Service Order Forms and Addenda with their lines. CSV: one row per line, the order's columns repeated;
    JSON: one object per order with its `lines`."""
    user = _start(data_dir)
    from . import exports
    from .lookups import choice

    def body() -> None:
        choice(fmt, ("csv", "json"), "--format")
        records = exports.order_records(user, _client(user, client), nested=fmt == "json")
        _export(records, exports.ORDER_HEADER, fmt, output, "order record(s)")

    _refusing(body)


# --------------------------------------------------------------------------- import


def _report_import(path: Path, outcome: Any, *, skip_invalid: bool, dry_run: bool) -> None:
    from supportdesk.cli import fail

    for problem in outcome.problems:
        typer.echo(f"{path.name} {problem}", err=True)
    refused = bool(outcome.problems) and not skip_invalid  # rolled back: the good rows were only tried
    counts = (f"{outcome.rows} row(s): {len(outcome.created)} {'to create' if dry_run or refused else 'created'}, "
              f"{len(outcome.skipped)} skipped (already there), {len(outcome.problems)} bad")
    if refused:
        raise fail(f"{path.name}: {counts}; nothing was imported (fix the rows above, or use --skip-invalid)")
    typer.echo(f"{path.name}: {counts}." + (" Dry run: nothing was written." if dry_run else ""))
    if outcome.problems:
        raise typer.Exit(1)


CLIENTS_FILE = typer.Argument(..., help="CSV (UTF-8) with a header. Columns: name (required), timezone (IANA, "
                                         "default America/Toronto), domains and phones (separated by ;), address",
                              dir_okay=False)
PEOPLE_FILE = typer.Argument(..., help="CSV (UTF-8) with a header. Columns: email (required), full_name, client "
                                        "(name, slug or id), role (client_admin or client_user, default client_user; "
                                        "without a client: staff roles such as agent;tam), phone, timezone",
                             dir_okay=False)


@import_app.command("clients")
def import_clients(file: Path = CLIENTS_FILE, skip_invalid: bool = SKIP_INVALID, dry_run: bool = DRY_RUN,
                   data_dir: Path = DATA_DIR_OPTION) -> None:
    """Create clients from a CSV file. Every row is checked first: any bad row (reported with its line and column)
    means exit 2 and nothing written, unless --skip-invalid. A client whose name exists already is skipped."""
    user = _start(data_dir)
    from .imports import import_clients as run

    outcome = _refusing(lambda: run(user, file, skip_invalid=skip_invalid, dry_run=dry_run))
    _report_import(file, outcome, skip_invalid=skip_invalid, dry_run=dry_run)


@import_app.command("people")
def import_people(file: Path = PEOPLE_FILE, skip_invalid: bool = SKIP_INVALID, dry_run: bool = DRY_RUN,
                  data_dir: Path = DATA_DIR_OPTION) -> None:
    """Create client people and vendor staff from a CSV file. No passwords are imported: a person signs in once
    one is set for them. Checked first like `import clients`; a person whose email exists already is skipped."""
    user = _start(data_dir)
    from .imports import import_people as run

    outcome = _refusing(lambda: run(user, file, skip_invalid=skip_invalid, dry_run=dry_run))
    _report_import(file, outcome, skip_invalid=skip_invalid, dry_run=dry_run)


# --------------------------------------------------------------------------- report


def _report(title: str, header: list[str], records: list[dict], fmt: str, output: Path | None,
            footer: list[dict] | None = None) -> None:
    from .output import destination, write_csv, write_json, write_table

    with destination(output) as stream:
        if fmt == "table":
            write_table(stream, title, header, records, footer or [])
        elif fmt == "csv":
            write_csv(stream, header, [*records, *(footer or [])])
        elif footer is None:
            write_json(stream, records)
        else:
            _json_with_totals(stream, records, footer)


def _json_with_totals(stream: Any, records: list[dict], totals: list[dict]) -> None:
    import json

    from .output import plain

    stream.write(json.dumps(plain({"items": records, "count": len(records), "totals": totals}), indent=2) + "\n")


@report_app.command("attainment")
def report_attainment(month: str = typer.Option(None, "--month", help="Only this month, YYYY-MM (vendor zone)"),
                      months: int = typer.Option(12, "--months", help="Without --month: this month and the months "
                                                 "before it, 1 to 60"),
                      client: str = CLIENT_OPTION,
                      metric: str = typer.Option("initial_response", "--metric", help="initial_response, "
                                                 "next_update or resolution"),
                      fmt: str = REPORT_FORMAT, output: Path = OUTPUT_OPTION, data_dir: Path = DATA_DIR_OPTION) -> None:
    """SLA attainment per client, severity and month: clocks with a target that were met or breached (the manager
    dashboard's table and GET /api/v1/sla/reports/attainment)."""
    user = _start(data_dir)
    from supportdesk.sla.queries import MAX_REPORT_MONTHS

    from . import reports
    from .lookups import choice, in_range, month_of

    def body() -> None:
        choice(fmt, ("table", "csv", "json"), "--format")
        first = month_of(month) if month is not None else None
        records = reports.attainment(user, month=first, months=in_range(months, 1, MAX_REPORT_MONTHS, "--months"),
                                     client=_client(user, client), metric=metric)
        title = f"SLA attainment ({metric}, {f'{first:%Y-%m}' if first else f'last {months} month(s)'})"
        _report(title, reports.ATTAINMENT_HEADER, records, fmt, output)

    _refusing(body)


@report_app.command("at-risk")
def report_at_risk(within_minutes: int = typer.Option(240, "--within-minutes", help="Due within this many minutes "
                                                      "of calendar time, 1 to 10080"),
                   client: str = CLIENT_OPTION, fmt: str = REPORT_FORMAT, output: Path = OUTPUT_OPTION,
                   data_dir: Path = DATA_DIR_OPTION) -> None:
    """Running SLA clocks due soon, nearest first, with the business time left (GET /api/v1/sla/reports/at-risk)."""
    user = _start(data_dir)
    from supportdesk.sla.queries import MAX_AT_RISK_MINUTES

    from . import reports
    from .lookups import choice, in_range

    def body() -> None:
        choice(fmt, ("table", "csv", "json"), "--format")
        records = reports.at_risk(user, within_minutes=in_range(within_minutes, 1, MAX_AT_RISK_MINUTES,
                                                                "--within-minutes"),
                                  client=_client(user, client))
        _report(f"Clocks due within {within_minutes} minutes", reports.AT_RISK_HEADER, records, fmt, output)

    _refusing(body)


@report_app.command("invoices")
def report_invoices(month: str = typer.Option(..., "--month", help="YYYY-MM"), client: str = CLIENT_OPTION,
                    fmt: str = REPORT_FORMAT, output: Path = OUTPUT_OPTION, data_dir: Path = DATA_DIR_OPTION) -> None:
    """The month's issued invoices (also those since paid or credited) with a total per currency. CSV ends with
    one TOTAL row per currency; JSON has `items`, `count` and `totals`."""
    user = _start(data_dir)
    from . import reports
    from .lookups import choice, month_of

    def body() -> None:
        choice(fmt, ("table", "csv", "json"), "--format")
        first = month_of(month)
        records, totals = reports.issued_invoices(user, month=first, client=_client(user, client))
        _report(f"Invoices issued for {first:%Y-%m}", reports.INVOICE_HEADER, records, fmt, output, totals)

    _refusing(body)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
    app.add_typer(report_app, name="report")
