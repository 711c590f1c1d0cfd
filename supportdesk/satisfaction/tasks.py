"""Huey job of the satisfaction context: every 10 minutes, send the surveys that are due (idempotent)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


@db_periodic_task(crontab(minute="*/10"))
def send_satisfaction_surveys() -> int:
    return actions.send_due_surveys()
