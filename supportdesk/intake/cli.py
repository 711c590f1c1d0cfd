"""`supportdesk intake ...`: process stored mail, poll IMAP, show the review queue."""

from __future__ import annotations

from datetime import UTC

import typer

from supportdesk import progress

REVIEW_PAGE = 200  # messages per page of `intake review`
BAR_FROM_MESSAGES = 50  # a message takes tens of milliseconds (parse, thread, open or reply, mail out)
# Bounds of the options: a negative --limit was a traceback ("Negative indexing"), and a --limit or --page past 64 bits
# one from SQLite ("datatype mismatch"); outside them the usage error is one line and exit 2.
MAX_PROCESS_LIMIT, MAX_REVIEW_PAGE = 100_000, 999_999_999

app = typer.Typer(help="Email intake: process stored mail, poll IMAP mailboxes.", no_args_is_help=True)


def _setup() -> None:
    from supportdesk.cli import setup_django

    setup_django(None)


@app.command("process")
def process(limit: int = typer.Option(1000, min=1, max=MAX_PROCESS_LIMIT,
                                      help=f"At most this many messages, 1 to {MAX_PROCESS_LIMIT:,}")) -> None:
    """Process stored messages that are still pending (after a crash or restart): each exactly once."""
    _setup()
    typer.echo(f"processed {_process_with_progress(limit)} pending message(s)")


def _process_with_progress(limit: int) -> int:
    from .actions import pending_ids, process_pending

    ids = pending_ids(limit)
    return process_pending(ids=progress.counted(ids, len(ids), "Processing stored mail", shown_from=BAR_FROM_MESSAGES))


@app.command("poll-imap")
def poll_imap_command() -> None:
    """Fetch every configured IMAP mailbox once (SUPPORTDESK_IMAP_*), store, then process. Exit 1 if one failed."""
    _setup()
    from .imap import imap_configs, poll_all

    configs = imap_configs()
    if not configs:
        typer.echo("error: IMAP is not configured (set SUPPORTDESK_IMAP_HOST, _USER, _PASSWORD)", err=True)
        raise typer.Exit(2)
    stored, failed = poll_all(configs)  # one mailbox failing never stops the others
    for config, exc in failed:  # unreachable server, TLS, login refused
        typer.echo(f"error: could not poll {config.user or '(no user)'}@{config.host}:{config.port}/{config.folder}: "
                   f"{type(exc).__name__}: {exc}", err=True)
    done = _process_with_progress(100)  # the batch `process_pending` takes by default
    typer.echo(f"stored {stored} message(s) from {len(configs) - len(failed)} mailbox(es); processed {done}")
    if failed:
        raise typer.Exit(1)


@app.command("review")
def review(page: int = typer.Option(1, min=1, max=MAX_REVIEW_PAGE,
                                    help=f"Page of {REVIEW_PAGE} messages, newest first")) -> None:
    """List messages waiting for staff review (tab-separated: id, received (UTC), outcome, sender, subject)."""
    _setup()
    from .models import NEEDS_REVIEW, InboundMessage, InboundStatus

    rows = InboundMessage.objects.filter(status=InboundStatus.PROCESSED, outcome__in=NEEDS_REVIEW)
    total = rows.count()
    if not total:
        typer.echo("nothing to review")
        return
    first = (page - 1) * REVIEW_PAGE
    for row in rows[first:first + REVIEW_PAGE]:
        typer.echo(f"{row.pk}\t{row.received_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC\t{row.outcome}\t{row.sender}\t"
                   f"{row.subject}")
    # On stderr: stdout stays one line per message for scripts.
    shown = max(0, min(total, first + REVIEW_PAGE) - first)
    more = f"; --page {page + 1} for the next" if first + REVIEW_PAGE < total else ""
    typer.echo(f"{shown} of {total} waiting for review (page {page}){more}", err=True)
