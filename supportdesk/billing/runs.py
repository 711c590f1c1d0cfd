"""Invoice runs in the background (SPEC §11 "every long job shows progress").

Issuing a month takes tens of milliseconds per client; with hundreds of clients a run inside a web request
would hold that request (and, on SQLite, its whole web process) for many seconds. The page and the API
therefore start an `InvoiceRun` (`start_invoice_run`), a Huey job claims it (`perform_invoice_run`) and calls
`actions.issue_month` with `advance=`, writing the progress and a heartbeat every few clients; the page polls it.

A job is queued on commit, and Huey has no acknowledgement: a process that dies between the commit and the
queue, or a worker killed mid-run, would leave the run queued or running for good. The periodic sweep
(`requeue_stale_invoice_runs`, every 5 minutes from billing.tasks) queues such runs again, as
`sla.actions.requeue_stale_recomputes` does for calendar recomputes. Running a month again is safe: `issue_month`
never issues a second invoice for a client, month and currency, and the claim (one UPDATE from queued to
running) lets a run handed out twice run once. A worker taken for dead that was only slow writes nothing once
its run has been queued again: progress and result are recorded only by the attempt holding the claim (`_held`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from supportdesk.accounts.models import Client, User
from supportdesk.errors import DomainError, Forbidden
from supportdesk.policy.billing import can_manage_billing

from .actions import RunResult, issue_month, month_to_issue
from .models import BillingEvent, Invoice, InvoiceRun

PROGRESS_EVERY = 5  # clients between progress writes: each is a short write transaction (SQLite's one writer)
STALE_QUEUED = timedelta(minutes=2)  # queued this long ago and never claimed: its queuing was lost
STALE_RUNNING = timedelta(minutes=10)  # since the last heartbeat: a few clients take well under a second

State = InvoiceRun.State


def start_invoice_run(actor: User | None, month: date | str, *, queue: bool = True) -> InvoiceRun:
    """Queue a background run of a month's invoices (the same permission and month check as `issue_month`, so a
    bad month is refused before anything is queued). While a run of that month is queued or running, that run is
    returned and nothing new is queued. `queue=False`: the caller is a job itself and performs the run next
    (`perform_invoice_run`); the sweep still resumes it if that job dies."""
    if actor is not None and not can_manage_billing(actor):
        raise Forbidden("Only billing admins, managers and system admins manage billing.")
    first = month_to_issue(month)
    under_way = _active_run(first)
    if under_way is not None:
        return under_way
    try:
        with transaction.atomic():
            run = InvoiceRun.objects.create(month=first, requested_by=actor)
            _event(actor, "invoice_run.started", run, month=first.isoformat())
            if queue:
                transaction.on_commit(partial(_enqueue, run.pk))
    except IntegrityError:  # a concurrent start of the same month committed first (one_active_invoice_run_per_month)
        under_way = _active_run(first)
        if under_way is None:
            raise
        return under_way
    return run


def _active_run(first: date) -> InvoiceRun | None:
    return InvoiceRun.objects.filter(month=first, state__in=InvoiceRun.ACTIVE_STATES).first()


def _enqueue(run_id: int) -> None:
    from .tasks import run_invoices  # the task module imports this one

    run_invoices(run_id)


def _event(actor: User | None, kind: str, run: InvoiceRun, **data: Any) -> None:
    BillingEvent.objects.create(actor=actor, kind=kind, data={"run": run.pk, **data})


def perform_invoice_run(run_id: int) -> InvoiceRun | None:
    """The job: claim the run, issue its month with progress, record what it did or why it failed. A run that is
    not queued (already claimed by another delivery, or finished) is left alone: returns None."""
    now = timezone.now()
    total = Client.objects.count()
    # Claimed in one UPDATE: a run handed out twice (a requeue racing a slow first delivery) runs once.
    claimed = InvoiceRun.objects.filter(pk=run_id, state=State.QUEUED).update(
        state=State.RUNNING, heartbeat_at=now, done=0, total=total, attempts=F("attempts") + 1)
    if not claimed:
        return None
    InvoiceRun.objects.filter(pk=run_id, started_at__isnull=True).update(started_at=now)  # the first claim
    run = InvoiceRun.objects.select_related("requested_by").get(pk=run_id)
    progress = _Progress(run_id, total, run.attempts)
    try:
        # As the person who started it: one who has lost the billing role since is refused (the run fails).
        result = issue_month(run.requested_by, run.month, advance=progress.advance)
    except Exception as exc:
        _fail(run, exc)
        raise  # Huey logs it
    return _finish(run, result, progress)


def _held(run: InvoiceRun) -> QuerySet[InvoiceRun]:
    """The run while this attempt still holds its claim. A worker the sweep took for dead (no heartbeat for
    STALE_RUNNING) may still be going: once the run is queued again or claimed by a later attempt, what this one
    writes would overwrite that attempt's progress and result, so it writes nothing."""
    return InvoiceRun.objects.filter(pk=run.pk, state=State.RUNNING, attempts=run.attempts)


class _Progress:
    """`advance()` after each client: done/total and the heartbeat written every PROGRESS_EVERY clients."""

    def __init__(self, run_id: int, total: int, attempt: int) -> None:
        self.run_id, self.total, self.done, self.attempt = run_id, total, 0, attempt

    def advance(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)  # a client added after the count is still gone through
        if self.done % PROGRESS_EVERY == 0:  # only while this attempt holds the claim (_held)
            InvoiceRun.objects.filter(pk=self.run_id, state=State.RUNNING, attempts=self.attempt).update(
                done=self.done, total=self.total, heartbeat_at=timezone.now())


def _finish(run: InvoiceRun, result: RunResult, progress: _Progress) -> InvoiceRun:
    issued = [invoice.pk for invoice in result.issued]
    already = result.already_issued
    if run.attempts > 1:
        # Resumed after its worker died: what the earlier attempt issued counted as "already issued" to this one,
        # but it is this run's work.
        earlier = list(_issued_since_start(run).exclude(pk__in=issued).values_list("pk", flat=True))
        issued += earlier
        already = max(0, already - len(earlier))
    now = timezone.now()
    with transaction.atomic():
        if not _held(run).update(
                state=State.DONE, done=progress.done, total=progress.total, heartbeat_at=now, finished_at=now,
                already_issued=already, problems=result.problems, error=""):
            run.refresh_from_db()  # taken over: the attempt holding the run records it
            return run
        run.issued_invoices.set(issued)
        _event(None, "invoice_run.done", run, month=run.month.isoformat(), issued=len(issued),
               already_issued=already, problems=len(result.problems))
    run.refresh_from_db()
    return run


def _issued_since_start(run: InvoiceRun) -> QuerySet[Invoice]:
    return Invoice.objects.filter(period_start=run.month, issued_at__gte=run.started_at)


def _fail(run: InvoiceRun, exc: Exception) -> None:
    message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    with transaction.atomic():
        if not _held(run).update(state=State.FAILED, error=message[:2000], finished_at=now):
            return  # taken over: the attempt holding the run records it
        # The clients gone through before the failure keep their invoices (each is issued in its own transaction).
        run.issued_invoices.set(_issued_since_start(run).values_list("pk", flat=True))
        _event(None, "invoice_run.failed", run, month=run.month.isoformat(), error=message[:200])


def requeue_stale_invoice_runs(now: datetime | None = None) -> list[int]:
    """Runs queued more than STALE_QUEUED ago, and running runs with no heartbeat for STALE_RUNNING (their worker
    died): set back to queued (progress cleared) and handed to the job queue again. Returns their ids."""
    now = now or timezone.now()
    stale = Q(state=State.QUEUED, queued_at__lt=now - STALE_QUEUED) | Q(
        state=State.RUNNING, heartbeat_at__lt=now - STALE_RUNNING) | Q(
        state=State.RUNNING, heartbeat_at__isnull=True, queued_at__lt=now - STALE_RUNNING)
    with transaction.atomic():
        ids = list(InvoiceRun.objects.select_for_update().filter(stale).values_list("pk", flat=True))
        # queued_at restarts: a run queued again is not stale again until it has waited STALE_QUEUED once more.
        InvoiceRun.objects.filter(pk__in=ids).update(state=State.QUEUED, done=0, queued_at=now)
        for run_id in ids:
            BillingEvent.objects.create(kind="invoice_run.requeued", data={"run": run_id})
            transaction.on_commit(partial(_enqueue, run_id))
    return ids
