"""Two invoice runs for the same month at once (PostgreSQL): nothing issued twice, numbers without gaps."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from supportdesk.billing import actions
from supportdesk.billing.models import Invoice

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
