"""Huey jobs of the sla context: the minute sweep (warnings, breaches) and calendar recomputes."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import requeue_stale_recomputes
from .models import RecomputeJob
from .sweep import recompute, sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> dict[str, int]:
    return sweep()


@db_periodic_task(crontab(minute="*/5"))
def resume_stale_recomputes() -> list[int]:
    return requeue_stale_recomputes()


@db_task()
def recompute_open_clocks(job_id: int) -> None:
    # Claimed in one UPDATE: a job handed out twice (a requeue racing a slow first delivery) runs once.
    if not RecomputeJob.objects.filter(pk=job_id, state="queued").update(state="running", heartbeat_at=timezone.now()):
        return
    job = RecomputeJob.objects.get(pk=job_id)
    try:
        recompute(job)
    except Exception as exc:
        RecomputeJob.objects.filter(pk=job_id).update(state="failed", error=str(exc)[:2000])
        raise
