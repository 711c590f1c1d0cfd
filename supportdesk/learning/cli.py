"""`supportdesk learning ...`: publish releases and list events with their seats from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

app = typer.Typer(help="Releases, training and events.", no_args_is_help=True)


@app.command("publish-release")
def publish_release(product: str = typer.Option(...), version: str = typer.Option(...),
                    file: Path = typer.Option(..., exists=True, dir_okay=False, readable=True),
                    released_on: str = typer.Option(None, help="YYYY-MM-DD; today if left out"),
                    notes: str = typer.Option("", help="Release notes")) -> None:
    """Add a release to the catalogue (its file goes to Django storage)."""
    from supportdesk.cli import fail, setup_django

    setup_django()
    from supportdesk.errors import DomainError
    from supportdesk.learning.actions import add_release

    try:
        day = date.fromisoformat(released_on) if released_on else date.today()
    except ValueError as exc:
        raise fail(f"--released-on must be YYYY-MM-DD, not {released_on!r}") from exc
    try:
        with file.open("rb") as handle:
            release = add_release(None, product=product, version=version, released_on=day, notes=notes,
                                  upload=handle, filename=file.name)
    except DomainError as exc:
        raise fail(f"{exc.message} ({exc.code})") from exc
    typer.echo(f"Published {release} (id {release.pk}, {release.size} bytes, sha256 {release.sha256}).")


@app.command("events")
def list_events() -> None:
    """Upcoming events with seats taken and capacity."""
    from supportdesk.cli import setup_django

    setup_django()
    from django.db.models import Count, Q
    from django.utils import timezone

    from supportdesk.learning.models import Event

    events = (Event.objects.filter(ends_at__gt=timezone.now())
              .annotate(taken=Count("registrations", filter=Q(registrations__cancelled_at__isnull=True)))
              .order_by("starts_at", "id"))
    for e in events:
        typer.echo(f"{e.pk}\t{e.starts_at:%Y-%m-%d %H:%M}Z\t{e.taken}/{e.capacity}\t{e.fee} {e.currency}\t{e.title}")
