"""SPEC §11 "every long job shows progress": a month's invoices issued by a background run (billing.runs) started
from the billing page or the API, its progress while it runs, its result after, and the sweep that resumes a run
whose queuing was lost or whose worker died (SPEC §12: nothing lost, nothing done twice)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from supportdesk.billing import runs, tasks
from supportdesk.billing.actions import issue_month
from supportdesk.billing.models import BillingEvent, Invoice, InvoiceRun
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.errors import Forbidden, Invalid
from supportdesk.factories import ClientFactory, ClientUserFactory, StaffFactory

from .factories import maintenance_only, manager

pytestmark = pytest.mark.django_db

APRIL_2 = datetime(2026, 4, 2, 14, 0, tzinfo=UTC)  # 10:00 in Toronto, the vendor's zone: March is invoiceable
MARCH = date(2026, 3, 1)


def clients(n: int) -> list:
    return [maintenance_only(name=f"Firm {i:02d}") for i in range(n)]


def jpy_client() -> None:
    """A client billed in a currency without a list price: not invoiced, a problem of the run."""
    broken = ClientFactory(name="No Price Ltd")
    record_order(None, client=broken, number="SOF-JPY", kind="form", signed_on=MARCH, effective_from=MARCH,
                 currency="JPY", lines=[LineInput(offering="maintenance")])


def person_in(role: str, client: object) -> object:
    if role == "client_admin":
        return ClientUserFactory(client=client, client_role="client_admin")
    if role == "client_user":
        return ClientUserFactory(client=client)
    return StaffFactory(staff_roles=[role])


class WorkerDied(BaseException):
    """What a killed worker looks like to the run: it stops between two clients and records nothing."""


def test_given_clients_when_a_run_is_started_then_it_is_queued_then_shows_progress_then_what_it_did(
        clock, monkeypatch, django_capture_on_commit_callbacks):
    # Given seven clients to invoice and progress written every two clients
    clock.at(APRIL_2)
    clients(7)
    monkeypatch.setattr(runs, "PROGRESS_EVERY", 2)
    seen: list[tuple[str, int, int]] = []
    advance = runs._Progress.advance

    def watched(self):  # noqa: ANN001, ANN202 - what a poller reads after each client
        advance(self)
        seen.append(InvoiceRun.objects.values_list("state", "done", "total").get())

    monkeypatch.setattr(runs._Progress, "advance", watched)
    boss = manager()
    # When a manager starts March: the run is queued (the job goes out only once this transaction commits)
    with django_capture_on_commit_callbacks() as queued:
        run = runs.start_invoice_run(boss, "2026-03")
    assert (run.state, run.month, run.requested_by, run.done) == ("queued", MARCH, boss, 0)
    assert len(queued) == 1
    assert BillingEvent.objects.filter(kind="invoice_run.started", actor=boss, data__run=run.pk).exists()
    # And when the job runs
    queued[0]()
    # Then the run went through the clients, writing its progress every two
    assert seen == [("running", 0, 7), ("running", 2, 7), ("running", 2, 7), ("running", 4, 7), ("running", 4, 7),
                    ("running", 6, 7), ("running", 6, 7)]
    # And it is done with what it did
    run.refresh_from_db()
    assert (run.state, run.done, run.total, run.percent, run.attempts) == ("done", 7, 7, 100, 1)
    assert run.started_at == run.heartbeat_at == run.finished_at == APRIL_2
    assert set(run.issued_invoices.all()) == set(Invoice.objects.filter(period_start=MARCH))
    assert run.issued_invoices.count() == 7 and run.already_issued == 0 and run.problems == []
    assert BillingEvent.objects.filter(kind="invoice_run.done", data__run=run.pk, data__issued=7).exists()


def test_a_second_start_of_a_month_under_way_answers_that_run_and_queues_nothing(
        clock, django_capture_on_commit_callbacks):
    clock.at(APRIL_2)
    clients(1)
    boss = manager()
    # Given a run of March queued, then claimed by a worker
    with django_capture_on_commit_callbacks() as first:
        run = runs.start_invoice_run(boss, "2026-03")
    with django_capture_on_commit_callbacks() as second:
        assert runs.start_invoice_run(manager(), "2026-03") == run  # while queued
    InvoiceRun.objects.filter(pk=run.pk).update(state="running")
    with django_capture_on_commit_callbacks() as third:
        assert runs.start_invoice_run(boss, date(2026, 3, 17)) == run  # while running
    # Then nothing else was queued or recorded
    assert (len(first), len(second), len(third)) == (1, 0, 0)
    assert InvoiceRun.objects.count() == 1
    assert BillingEvent.objects.filter(kind="invoice_run.started").count() == 1
    # But another month, or March once that run is over, is a run of its own
    with django_capture_on_commit_callbacks():
        february = runs.start_invoice_run(boss, "2026-02")
    InvoiceRun.objects.filter(pk=run.pk).update(state="done")
    with django_capture_on_commit_callbacks():
        again = runs.start_invoice_run(boss, "2026-03")
    assert len({run.pk, february.pk, again.pk}) == 3


@pytest.mark.parametrize(("month", "why"), [("2026-05", "not started yet"), ("April", "YYYY-MM"),
                                            ("2026-4", "YYYY-MM"), ("", "YYYY-MM")])
def test_a_month_not_started_or_malformed_is_refused_on_the_month_field_and_nothing_is_queued(
        clock, django_capture_on_commit_callbacks, month, why):
    clock.at(APRIL_2)
    clients(1)
    with django_capture_on_commit_callbacks() as queued, pytest.raises(Invalid) as refused:
        runs.start_invoice_run(manager(), month)
    assert refused.value.code == "billing.bad_month" and refused.value.fields == {"month": why}
    assert queued == [] and not InvoiceRun.objects.exists() and not BillingEvent.objects.exists()


@pytest.mark.parametrize("role", ["agent", "tam", "client_admin", "client_user"])
def test_only_billing_managers_start_runs(clock, django_capture_on_commit_callbacks, role):
    clock.at(APRIL_2)
    own = clients(1)[0]
    with django_capture_on_commit_callbacks() as queued, pytest.raises(Forbidden):
        runs.start_invoice_run(person_in(role, own), "2026-03")
    assert queued == [] and not InvoiceRun.objects.exists()


def test_a_run_whose_worker_died_is_resumed_by_the_sweep_and_issues_nothing_twice(
        clock, monkeypatch, django_capture_on_commit_callbacks):
    # Given three clients and a run of March claimed at 10:00, whose worker died after issuing the first client's
    clock.at(APRIL_2)
    first, *_ = clients(3)
    with django_capture_on_commit_callbacks() as queued:
        run = runs.start_invoice_run(manager(), "2026-03")
    advance = runs._Progress.advance

    def dies_after_the_first_client(self):  # noqa: ANN001, ANN202
        advance(self)
        raise WorkerDied

    with monkeypatch.context() as patched:
        patched.setattr(runs._Progress, "advance", dies_after_the_first_client)
        with pytest.raises(WorkerDied):
            queued[0]()
    run.refresh_from_db()
    assert (run.state, run.heartbeat_at) == ("running", APRIL_2)
    assert list(Invoice.objects.values_list("client", flat=True)) == [first.pk]
    # When the sweep runs at 10:09: the heartbeat is recent enough, the run is left alone
    clock.at(APRIL_2 + timedelta(minutes=9))
    assert runs.requeue_stale_invoice_runs() == []
    # And at 10:11 it is queued again, and the job runs it to the end
    clock.at(APRIL_2 + timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_stale_invoice_runs.call_local() == [run.pk]
    # Then every client has one invoice for March, none twice, with numbers 1..3
    per_client = Counter(Invoice.objects.filter(period_start=MARCH).values_list("client", flat=True))
    assert sorted(per_client.values()) == [1, 1, 1] and Invoice.objects.count() == 3
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"INV-2026-0000{n}" for n in (1, 2, 3)]
    # And the run counts the first client's invoice as its own (issued by its first attempt), not "already issued"
    run.refresh_from_db()
    assert (run.state, run.attempts, run.done, run.total) == ("done", 2, 3, 3)
    assert run.issued_invoices.count() == 3 and run.already_issued == 0
    assert run.started_at == APRIL_2 and run.finished_at == APRIL_2 + timedelta(minutes=11)
    assert BillingEvent.objects.filter(kind="invoice_run.requeued", data__run=run.pk).count() == 1


def test_a_worker_taken_for_dead_that_finishes_after_its_run_was_resumed_does_not_overwrite_the_result(
        clock, monkeypatch, django_capture_on_commit_callbacks):
    # Given three clients and a run of March whose first worker stalls after the first client for 11 minutes,
    # long enough for the sweep to queue the run again and a second worker to run it to the end
    clock.at(APRIL_2)
    clients(3)
    with django_capture_on_commit_callbacks() as queued:
        run = runs.start_invoice_run(manager(), "2026-03")
    advance = runs._Progress.advance
    stalled = []

    def stalls_once(self):  # noqa: ANN001, ANN202
        advance(self)
        if not stalled:
            stalled.append(self.attempt)
            clock.at(APRIL_2 + timedelta(minutes=11))
            with django_capture_on_commit_callbacks(execute=True):
                assert runs.requeue_stale_invoice_runs() == [run.pk]

    monkeypatch.setattr(runs._Progress, "advance", stalls_once)
    # When the first worker wakes up and goes on to the end of its own pass
    queued[0]()
    # Then the run keeps what the second attempt recorded: three invoices issued by the run, none "already issued"
    # (the first worker's pass found two of them issued by the second, and without the guard wrote that down)
    run.refresh_from_db()
    assert stalled == [1]
    assert (run.state, run.attempts, run.done, run.total) == ("done", 2, 3, 3)
    assert run.issued_invoices.count() == 3 and run.already_issued == 0
    assert Invoice.objects.count() == 3
    assert BillingEvent.objects.filter(kind="invoice_run.done", data__run=run.pk).count() == 1


def test_a_run_whose_queuing_was_lost_is_queued_again_once(clock, django_capture_on_commit_callbacks):
    # Given a run recorded at 10:00 whose job never reached the queue (the process died after the commit)
    clock.at(APRIL_2)
    clients(1)
    with django_capture_on_commit_callbacks():  # callbacks dropped
        run = runs.start_invoice_run(manager(), "2026-03")
    # When the sweep runs at 10:01, it is not stale yet; at 10:03 it is queued again
    assert runs.requeue_stale_invoice_runs(APRIL_2 + timedelta(minutes=1)) == []
    clock.at(APRIL_2 + timedelta(minutes=3))
    with django_capture_on_commit_callbacks() as requeued:
        assert runs.requeue_stale_invoice_runs() == [run.pk]
    # ... and a sweep a minute later does not queue it a second time: its wait starts again
    assert runs.requeue_stale_invoice_runs(APRIL_2 + timedelta(minutes=4)) == []
    for callback in requeued:
        callback()
    run.refresh_from_db()
    assert run.state == "done" and run.issued_invoices.count() == 1


def test_a_run_already_claimed_is_not_run_by_a_second_delivery(clock, django_capture_on_commit_callbacks):
    clock.at(APRIL_2)
    clients(1)
    with django_capture_on_commit_callbacks():
        run = runs.start_invoice_run(manager(), "2026-03")
    InvoiceRun.objects.filter(pk=run.pk).update(state="running")
    assert runs.perform_invoice_run(run.pk) is None
    tasks.run_invoices.call_local(run.pk)
    run.refresh_from_db()
    assert (run.state, run.attempts) == ("running", 0) and not Invoice.objects.exists()


def test_a_run_started_by_someone_who_has_since_lost_the_billing_role_fails_and_says_why(
        clock, as_person, django_capture_on_commit_callbacks):
    clock.at(APRIL_2)
    clients(1)
    boss = manager()
    with django_capture_on_commit_callbacks():  # the job is run by hand below
        run = runs.start_invoice_run(boss, "2026-03")
    boss.role_grants.all().delete()
    with pytest.raises(Forbidden):
        runs.perform_invoice_run(run.pk)
    run.refresh_from_db()
    assert run.state == "failed" and "Only billing admins" in run.error and run.finished_at == APRIL_2
    assert not Invoice.objects.exists() and run.issued_invoices.count() == 0
    assert BillingEvent.objects.filter(kind="invoice_run.failed", data__run=run.pk).exists()
    page = as_person(manager()).get(f"/billing/runs/{run.pk}/").content.decode()
    assert "The run stopped: Only billing admins" in page and "hx-trigger" not in page


# --------------------------------------------------------------------------- the pages


def test_the_billing_page_starts_a_run_and_its_page_shows_what_it_did(
        clock, as_person, django_capture_on_commit_callbacks):
    # Given two clients to invoice and one that cannot be (no JPY list price)
    clock.at(APRIL_2)
    clients(2)
    jpy_client()
    http = as_person(manager())
    # When March is run from the billing page
    with django_capture_on_commit_callbacks(execute=True):
        started = http.post("/billing/", {"month": "2026-03"})
    run = InvoiceRun.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/billing/runs/{run.pk}/"
    # Then its page shows the result: no more polling, the invoices with their links, and the problem
    page = http.get(started["Location"]).content.decode()
    assert "hx-trigger" not in page and "Done" in page and "3 of 3 clients gone through (100%)" in page
    assert "2 invoice(s) issued, 0 already issued before" in page
    for invoice in Invoice.objects.all():
        assert f'href="/billing/invoices/{invoice.pk}/">{invoice.number}</a>' in page
    assert "No Price Ltd (JPY)" in page
    # And the billing page lists the run
    overview = http.get("/billing/").content.decode()
    assert f'href="/billing/runs/{run.pk}/">March 2026</a>' in overview


def test_a_running_run_page_shows_its_progress_and_polls_every_two_seconds(clock, as_person,
                                                                          django_capture_on_commit_callbacks):
    clock.at(APRIL_2)
    clients(1)
    boss = manager()
    with django_capture_on_commit_callbacks():  # not run: the worker is still at it
        run = runs.start_invoice_run(boss, "2026-03")
    InvoiceRun.objects.filter(pk=run.pk).update(state="running", done=120, total=300, heartbeat_at=APRIL_2)
    page = as_person(boss).get(f"/billing/runs/{run.pk}/").content.decode()
    assert f'hx-get="/billing/runs/{run.pk}/" hx-trigger="every 2s" hx-select="#invoice-run"' in page
    assert '<progress max="100" value="40">' in page and "120 of 300 clients gone through (40%)" in page
    assert f'<a href="/billing/runs/{run.pk}/">Refresh</a>' in page  # without JavaScript
    assert "invoice(s) issued" not in page


def test_a_bad_month_on_the_billing_page_is_shown_in_place_and_nothing_is_queued(clock, as_person):
    clock.at(APRIL_2)
    page = as_person(manager()).post("/billing/", {"month": "2026-05"})
    assert page.status_code == 200 and "has not started yet" in page.content.decode()
    assert not InvoiceRun.objects.exists()


def test_the_billing_page_pages_its_runs(clock, as_person):
    clock.at(APRIL_2)
    boss = manager()
    for n in range(12):
        InvoiceRun.objects.create(month=date(2025, 1 + n, 1), requested_by=boss, state="done")
    http = as_person(boss)
    first = http.get("/billing/").content.decode()
    second = http.get("/billing/", {"runs_page": 2}).content.decode()
    assert first.count('href="/billing/runs/') == 10 and "Page 1 of 2 · 12 runs" in first
    assert second.count('href="/billing/runs/') == 2


@pytest.mark.parametrize("role", ["agent", "tam", "client_admin", "client_user"])
def test_run_pages_are_for_billing_managers(clock, as_person, django_capture_on_commit_callbacks, role):
    clock.at(APRIL_2)
    own = clients(1)[0]
    with django_capture_on_commit_callbacks():
        run = runs.start_invoice_run(manager(), "2026-03")
    http = as_person(person_in(role, own))
    assert http.get(f"/billing/runs/{run.pk}/").status_code == 404
    with django_capture_on_commit_callbacks() as queued:
        assert http.post("/billing/", {"month": "2026-02"}).status_code == 404
    assert queued == [] and InvoiceRun.objects.count() == 1


# --------------------------------------------------------------------------- the API


def test_the_api_runs_a_month_in_the_background_and_answers_its_progress(clock, as_person,
                                                                          django_capture_on_commit_callbacks):
    clock.at(APRIL_2)
    clients(2)
    http = as_person(manager())
    # When an integration starts March in the background
    with django_capture_on_commit_callbacks() as queued:
        started = http.post("/api/v1/billing/invoices/run", {"month": "2026-03", "background": True},
                            content_type="application/json")
    # Then it is answered at once with the queued run and where to poll it
    assert started.status_code == 202, started.content
    body = started.json()
    assert {k: body[k] for k in ("state", "done", "total", "month", "issued_count")} == {
        "state": "queued", "done": 0, "total": 0, "month": "2026-03-01", "issued_count": 0}
    assert body["url"] == f"/api/v1/billing/invoice-runs/{body['id']}"
    assert body["page"] == f"/billing/runs/{body['id']}/"
    # And once the job has run, polling answers what it did
    for callback in queued:
        callback()
    polled = http.get(body["url"]).json()
    assert (polled["state"], polled["done"], polled["total"], polled["percent"]) == ("done", 2, 2, 100)
    assert polled["issued_count"] == 2 and polled["already_issued"] == 0 and polled["problems"] == []
    assert sorted(i["number"] for i in polled["issued"]) == sorted(Invoice.objects.values_list("number", flat=True))
    listed = http.get("/api/v1/billing/invoice-runs").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"] and "issued" not in listed["items"][0]


def test_the_api_still_issues_within_the_request_by_default(clock, as_person):
    clock.at(APRIL_2)
    clients(2)
    answered = as_person(manager()).post("/api/v1/billing/invoices/run", {"month": "2026-03"},
                                         content_type="application/json")
    assert answered.status_code == 200 and len(answered.json()["issued"]) == 2
    assert not InvoiceRun.objects.exists()


def test_the_api_refuses_a_bad_month_before_queuing_anything(clock, as_person):
    clock.at(APRIL_2)
    refused = as_person(manager()).post("/api/v1/billing/invoices/run", {"month": "2026-05", "background": True},
                                        content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "billing.bad_month" and "month" in refused.json()["error"]["fields"]
    assert not InvoiceRun.objects.exists()


@pytest.mark.parametrize("role", ["agent", "client_admin"])
def test_agents_and_clients_cannot_start_list_or_read_runs_through_the_api(
        clock, as_person, django_capture_on_commit_callbacks, role):
    clock.at(APRIL_2)
    own = clients(1)[0]
    with django_capture_on_commit_callbacks():
        run = runs.start_invoice_run(manager(), "2026-03")
    http = as_person(person_in(role, own))
    started = http.post("/api/v1/billing/invoices/run", {"month": "2026-02", "background": True},
                        content_type="application/json")
    assert started.status_code == 403
    assert http.get("/api/v1/billing/invoice-runs").status_code == 403
    assert http.get(f"/api/v1/billing/invoice-runs/{run.pk}").status_code == 404  # as if there were no such run
    assert InvoiceRun.objects.count() == 1


def test_the_openapi_document_gives_the_run_operations_their_error_responses(as_person):
    paths = as_person(StaffFactory(staff_roles=["manager"])).get("/api/v1/openapi.json").json()["paths"]
    started = paths["/api/v1/billing/invoices/run"]["post"]["responses"]
    assert {"200", "202", "401", "403", "422"} <= set(map(str, started))
    assert {"200", "401", "403", "404"} <= set(map(str, paths["/api/v1/billing/invoice-runs/{run_id}"]["get"]["responses"]))
    assert {"200", "401", "403"} <= set(map(str, paths["/api/v1/billing/invoice-runs"]["get"]["responses"]))


def test_the_api_list_of_runs_counts_their_invoices_in_the_same_query(clock, as_person, django_assert_max_num_queries):
    # Given three finished runs, each having issued an invoice
    clock.at(APRIL_2)
    boss = manager()
    clients(3)
    issued = issue_month(boss, "2026-03").issued
    for month, invoice in zip((1, 2, 3), issued, strict=True):
        InvoiceRun.objects.create(month=date(2026, month, 1), requested_by=boss, state="done").issued_invoices.set(
            [invoice])
    http = as_person(boss)
    http.get("/api/v1/billing/invoice-runs")  # sign-in and caches warmed
    # When the list is read, then its page costs the same few queries however many runs it holds
    with django_assert_max_num_queries(6):
        listed = http.get("/api/v1/billing/invoice-runs").json()
    assert [item["issued_count"] for item in listed["items"]] == [1, 1, 1]
