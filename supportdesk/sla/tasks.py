"""Huey jobs of the sla context: the minute sweep (warnings, breaches) and calendar recomputes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import RecomputeJob
from .sweep import recompute, sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> dict[str, int]:
    return sweep()


@db_task()
def recompute_open_clocks(job_id: int) -> None:
    job = RecomputeJob.objects.filter(pk=job_id, state="queued").first()
    if job is None:
        return
    try:
        recompute(job)
    except Exception as exc:
        RecomputeJob.objects.filter(pk=job_id).update(state="failed", error=str(exc)[:2000])
        raise
