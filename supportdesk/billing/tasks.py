"""Billing jobs: issue last month's invoices early on the 1st (idempotent, so a retry is harmless)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import actions


def previous_month_start() -> str:
    first_of_this_month = timezone.localdate().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).strftime("%Y-%m")


@db_periodic_task(crontab(day="1", hour="2", minute="15"))
def issue_previous_month_invoices() -> dict:
    result = actions.issue_month(None, previous_month_start())
    return {"month": result.month.isoformat(), "issued": [i.number for i in result.issued],
            "already_issued": result.already_issued, "problems": result.problems}
