"""`supportdesk quote ...` and `supportdesk invoices run --month YYYY-MM`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from supportdesk import progress

if TYPE_CHECKING:  # imported lazily at run time: Django is set up by the command first
    from .pricing import Quote

invoices_app = typer.Typer(help="Monthly invoices.", no_args_is_help=True)

DATA_DIR_OPTION = typer.Option(None, "--data-dir", envvar="SUPPORTDESK_DATA_DIR",
                               help="Folder for the database, uploads and keys.")
BAR_FROM_CLIENTS = 20  # a client's month takes tens of milliseconds (contracts, charges, true-up): a bar from 20 on


def quote(offering: str = typer.Option(..., "--offering", help='Offering name or code, e.g. "24/7 Support"'),
          users: str = typer.Option(None, "--users", help="Number of the client's users (required for 24/7 Support)"),
          currency: str = typer.Option("USD", "--currency", help="ISO 4217 currency code"),
          what_if: str = typer.Option(None, "--what-if", help="Also quote another user count"),
          data_dir: Path = DATA_DIR_OPTION) -> None:
    """Quote the monthly recurring charge: tier, base, step, MRC and why. Over the cap: exit 2."""
    from supportdesk.cli import fail, setup_django

    setup_django(data_dir)
    from supportdesk.errors import DomainError

    from .pricing import offering_named, parse_user_count, price_for, quote_user_count

    try:
        found = offering_named(offering)
        count = quote_user_count(found, users)
        other = parse_user_count(what_if, "what_if") if what_if else None
        _print_quote(price_for(found, count, currency))
    except DomainError as exc:
        raise fail(exc.message) from exc
    if other is None:
        return
    try:  # the quote above still stands, as on the page and in the API; an over-cap what-if still exits 2
        what_if_quote = price_for(found, other, currency)
    except DomainError as exc:
        raise fail(f"what if {other} users: {exc.message}") from exc
    typer.echo("\nWhat if:")
    _print_quote(what_if_quote)


def _print_quote(q: Quote) -> None:
    typer.echo(f"Offering: {q.offering_name} ({q.offering_code})")
    if q.per_user_tier:
        typer.echo(f"Users:    {q.users}")
        typer.echo(f"Tier:     {q.tier} ({q.tier_label})")
        typer.echo(f"Base:     {q.base} {q.currency} (1-{q.tier_size} users)")
        typer.echo(f"Step:     {q.step} {q.currency} per further tier of {q.tier_size} users (x{q.steps_added})")
    else:
        typer.echo(f"Base:     {q.base} {q.currency} (flat list price)")
    typer.echo(f"MRC:      {q.mrc} {q.currency}")
    typer.echo(f"Why:      {q.explanation}")


@invoices_app.command("run")
def run(month: str = typer.Option(..., "--month", help="YYYY-MM"), data_dir: Path = DATA_DIR_OPTION) -> None:
    """Issue every client's invoices for a month (idempotent: nothing is issued twice)."""
    from supportdesk.cli import fail, setup_django

    setup_django(data_dir)
    from supportdesk.accounts.models import Client
    from supportdesk.errors import DomainError

    from .actions import issue_month, parse_month

    try:
        parse_month(month)  # a bad month is one line, before any bar is drawn
        with progress.progress_bar(Client.objects.count(), f"Invoicing {month}", shown_from=BAR_FROM_CLIENTS) as advance:
            result = issue_month(None, month, advance=advance)
    except DomainError as exc:
        raise fail(exc.message) from exc
    for invoice in result.issued:
        typer.echo(f"issued {invoice.number}  {invoice.client.name}  {invoice.total} {invoice.currency}")
    typer.echo(f"{result.month:%Y-%m}: {len(result.issued)} issued, {result.already_issued} already issued.")
    for problem in result.problems:
        typer.echo(f"not issued: {problem}", err=True)
    if result.problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("quote")(quote)
    app.add_typer(invoices_app, name="invoices")
