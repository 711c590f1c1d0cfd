"""SPEC §12 "no job is lost when a process dies": a calendar recompute whose job never reached the queue, or
whose worker died mid-run, is run again by the periodic sweep; a job handed out twice runs once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.factories import TicketFactory
from supportdesk.sla import actions as sla_actions
from supportdesk.sla import tasks
from supportdesk.sla.models import RecomputeJob

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)  # 10:00 Toronto
DUE_BY_OLD_HOURS = utc(2026, 4, 6, 18, 0)  # 14:00 Toronto: 08:00-17:00, 4 business hours from 10:00
DUE_BY_NEW_HOURS = utc(2026, 4, 6, 19, 0)  # 15:00 Toronto: 11:00-17:00, from the 11:00 opening


@pytest.fixture
def edited_without_recompute(clock):  # noqa: ANN001, ANN201
    """A severity 3 clock due 14:00 Toronto, then business hours edited to 11:00-17:00; the edit's recompute
    job is recorded but its queuing (on commit) never happens, as when the process dies right after."""
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    job = sla_actions.update_calendar(None, "business-hours", hours="11:00-17:00")  # on-commit not run here
    return {"clock": ticket.clocks.get(metric="initial_response"), "job": job}


def test_given_a_job_never_queued_when_the_sweep_runs_later_then_the_clocks_are_recomputed(
        edited_without_recompute, clock, django_capture_on_commit_callbacks):
    c, job = edited_without_recompute["clock"], edited_without_recompute["job"]
    assert job.state == "queued" and c.due_at == DUE_BY_OLD_HOURS
    # When the sweep runs a minute later, then the job is not stale yet
    assert sla_actions.requeue_stale_recomputes(MONDAY_10 + timedelta(minutes=1)) == []
    # And when the periodic job runs five minutes later, it is queued again and runs
    clock.at(MONDAY_10 + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_stale_recomputes.call_local() == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.changed) == ("done", 1, 1, 1)
    c.refresh_from_db()
    assert c.due_at == DUE_BY_NEW_HOURS


def test_given_a_job_left_running_by_a_dead_worker_then_it_runs_again_from_the_start(
        edited_without_recompute, django_capture_on_commit_callbacks):
    c, job = edited_without_recompute["clock"], edited_without_recompute["job"]
    # Given a worker claimed the job at 10:05 and wrote a batch (its heartbeat) at 10:30, then died
    RecomputeJob.objects.filter(pk=job.pk).update(state="running", total=1, done=0,
                                                  heartbeat_at=MONDAY_10 + timedelta(minutes=30))
    # When the sweep runs 40 minutes after the job was made, 10 after its heartbeat: still alive, left alone
    assert sla_actions.requeue_stale_recomputes(MONDAY_10 + timedelta(minutes=39)) == []
    # And once the heartbeat is more than 10 minutes old it is run again, to the end
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_actions.requeue_stale_recomputes(MONDAY_10 + timedelta(minutes=41)) == [job.pk]
    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == 1
    c.refresh_from_db()
    assert c.due_at == DUE_BY_NEW_HOURS


def test_a_job_already_claimed_is_not_run_by_a_second_delivery(edited_without_recompute):
    c, job = edited_without_recompute["clock"], edited_without_recompute["job"]
    # Given the first delivery claimed the job (state running)
    RecomputeJob.objects.filter(pk=job.pk).update(state="running")
    # When a second delivery of the same job arrives, then it does nothing
    tasks.recompute_open_clocks.call_local(job.pk)
    job.refresh_from_db()
    c.refresh_from_db()
    assert (job.state, job.done, c.due_at) == ("running", 0, DUE_BY_OLD_HOURS)
