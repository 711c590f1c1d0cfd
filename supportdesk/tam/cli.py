"""`supportdesk tam ...`: run the TAM jobs once, print a TAM's calendar feed URL."""

from __future__ import annotations

import typer

app = typer.Typer(help="Technical Account Manager: call series, agendas, upgrade reminders, calendar feeds.",
                  no_args_is_help=True)


@app.command("run-jobs")
def run_jobs() -> None:
    """Extend call series (sending invitations), prepare agendas due now, send upgrade reminders."""
    from supportdesk.cli import setup_django

    setup_django()
    from . import tasks

    created = tasks.extend_call_series.call_local()
    agendas = tasks.prepare_agendas.call_local()
    reminders = tasks.upgrade_reminders.call_local()
    typer.echo(f"{created} call(s) scheduled, {agendas} agenda(s) prepared, {reminders} upgrade reminder(s) queued.")


@app.command("feed-url")
def feed_url(user: str = typer.Option(..., "--user", help="Email of the TAM"),
             rotate: bool = typer.Option(False, help="Make a new URL; the old one stops working")) -> None:
    """Print the TAM's calendar feed URL (subscribe to it in any calendar app)."""
    from supportdesk.cli import setup_django

    setup_django()
    from django.conf import settings

    from supportdesk.accounts.models import User
    from supportdesk.errors import DomainError

    from .actions import feed_token

    person = User.objects.filter(email__iexact=user.strip()).first()
    if person is None:
        typer.echo(f"error: no person with email {user}", err=True)
        raise typer.Exit(2)
    try:
        token = feed_token(person, rotate=rotate)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{settings.SITE_URL}/tam/feed/{token}.ics")
