"""Invoice runs for the same month at once (PostgreSQL, and SQLite through a shared WAL file): nothing issued
twice, numbers without gaps; a failed issue gives its number back."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.billing import actions
from supportdesk.billing.models import CreditNote, Invoice

from .factories import maintenance_only, premium_only


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_issue_each_invoice_once_with_gap_free_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    # Given five clients to invoice
    for n in range(3):
        premium_only(name=f"Premium {n}")
    for n in range(2):
        maintenance_only(name=f"Maintenance {n}")
    results: list = []
    errors: list = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(actions.issue_month(None, "2026-03"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # When two runs race
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # Then every client has one invoice and the numbers are 1..5 without gaps or duplicates
    assert errors == []
    assert sum(len(r.issued) for r in results) == 5
    assert sum(r.already_issued for r in results) == 5
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = Invoice.objects.first().issued_at.year
    assert numbers == [f"INV-{year}-{n:05d}" for n in range(1, 6)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_concurrent_runs_on_sqlite_issue_each_invoice_once_with_gap_free_numbers(tmp_path):
    # Given five clients to invoice and the embedded database (a WAL file shared by every thread)
    for n in range(3):
        premium_only(name=f"Premium {n}")
    for n in range(2):
        maintenance_only(name=f"Maintenance {n}")
    with shared_file_database(tmp_path):
        # When four runs of the same month race, then six credit notes of 300.00 race on a 1500.00 invoice
        runs = run_concurrently(4, lambda i: None, lambda i, _: actions.issue_month(None, "2026-03"))
        first = Invoice.objects.order_by("number").first()
        notes = run_concurrently(6, lambda i: None, lambda i, _: actions.issue_credit_note(
            None, first, amount="300.00", reason="Outage"))
        # Then every client has one invoice, numbered 1..5 without gaps or duplicates
        assert runs.errors == [] and runs.peak_in_flight > 1
        assert sum(len(r.issued) for r in runs.results) == 5
        year = first.issued_at.year
        assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"INV-{year}-{n:05d}" for n in range(1, 6)]
        # And exactly five credit notes fit (numbered 1..5); the sixth is refused as too large
        assert [type(e).__name__ for e in notes.errors] == ["Invalid"]
        assert sorted(CreditNote.objects.values_list("number", flat=True)) == [f"CN-{year}-{n:05d}" for n in range(1, 6)]
        assert Invoice.objects.get(pk=first.pk).status == Invoice.Status.CREDITED


def test_an_issue_that_fails_after_taking_its_number_gives_it_back(db, monkeypatch):
    # Given three clients, and the second one's issue failing after its number was taken
    clients = [premium_only(name=f"Firm {n}") for n in range(3)]
    real_event = actions._event

    def failing_event(actor, kind, client=None, **data):  # noqa: ANN001, ANN003, ANN202
        if kind == "invoice.issued" and client == clients[1]:
            raise RuntimeError("disk full")
        return real_event(actor, kind, client, **data)

    monkeypatch.setattr(actions, "_event", failing_event)
    with pytest.raises(RuntimeError):
        actions.issue_month(None, "2026-03")
    # When the run is repeated after the fault is gone
    monkeypatch.setattr(actions, "_event", real_event)
    result = actions.issue_month(None, "2026-03")
    # Then the failed issue left no invoice and no hole: numbers run 1, 2, 3
    assert (len(result.issued), result.already_issued) == (2, 1)
    numbers = dict(Invoice.objects.values_list("client_id", "number"))
    year = timezone.localdate().year
    assert [numbers[c.pk] for c in clients] == [f"INV-{year}-00001", f"INV-{year}-00002", f"INV-{year}-00003"]
