"""`supportdesk report attainment|at-risk|invoices`: the dashboard's and billing's numbers, as table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from supportdesk.billing.actions import issue_month
from supportdesk.billing.tests.factories import premium_only
from supportdesk.factories import StaffFactory, TicketFactory
from supportdesk.sla.sweep import sweep
from supportdesk.sla.tests.conftest import client_with, requester_of, utc
from supportdesk.tickets import actions

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)  # 10:00 in Toronto


@pytest.fixture
def april(clock):  # noqa: ANN001, ANN201
    """Hale & Partners: one severity 3 ticket answered in time and one breached, in April 2026; Ives & Co: one
    met in May. Time then stands at 2026-05-04 15:00 UTC."""
    agent = StaffFactory(staff_roles=["agent"])
    clock.at(MONDAY_10)
    hale = client_with("premium", name="Hale & Partners")
    met = TicketFactory(requester=requester_of(hale), severity=3)
    TicketFactory(requester=requester_of(hale), severity=3)
    clock.at(MONDAY_10 + timedelta(minutes=30))
    actions.add_message(agent, met, body="On it", kind="public")
    clock.at(utc(2026, 4, 6, 18, 10))
    sweep()
    clock.at(utc(2026, 5, 4, 14, 0))
    ives = client_with("premium", name="Ives & Co")
    answered = TicketFactory(requester=requester_of(ives), severity=2)
    actions.add_message(agent, answered, body="Looking", kind="public")
    clock.at(utc(2026, 5, 4, 15, 0))
    return {"hale": hale, "agent": agent}


def test_given_clocks_in_two_months_when_one_month_is_asked_then_only_its_rows_come_out(sd, april):
    result = sd("report", "attainment", "--month", "2026-04", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"client": "Hale & Partners", "severity": 3, "month": "2026-04", "met": 1,
                                          "breached": 1, "total": 2, "percent_met": "50.0"}]
    both = list(csv.DictReader(io.StringIO(sd("report", "attainment", "--format", "csv").stdout)))
    assert [(r["client"], r["month"], r["percent_met"]) for r in both] == [
        ("Hale & Partners", "2026-04", "50.0"), ("Ives & Co", "2026-05", "100.0")]
    only_ives = json.loads(sd("report", "attainment", "--client", "Ives & Co", "--format", "json").stdout)
    assert [r["client"] for r in only_ives] == ["Ives & Co"]


def test_the_attainment_table_is_for_people(sd, april):
    result = sd("report", "attainment", "--months", "2")
    assert result.exit_code == 0, result.output
    assert "SLA attainment" in result.stdout and "Hale & Partners" in result.stdout and "50.0" in result.stdout


def test_given_running_clocks_when_at_risk_is_asked_then_those_due_within_the_window_come_nearest_first(sd, clock):
    clock.at(MONDAY_10)
    client = client_with("premium", name="Hale & Partners")
    urgent = TicketFactory(requester=requester_of(client), severity=1, subject="Down")
    TicketFactory(requester=requester_of(client), severity=3, subject="Slow")
    clock.at(MONDAY_10 + timedelta(minutes=10))
    soon = json.loads(sd("report", "at-risk", "--within-minutes", "30", "--format", "json").stdout)
    assert [(r["ticket"], r["subject"], r["remaining_minutes"]) for r in soon] == [(urgent.pk, "Down", 20)]
    everything = json.loads(sd("report", "at-risk", "--format", "json").stdout)
    assert [r["subject"] for r in everything] == ["Down", "Slow"]


def test_given_issued_invoices_when_a_month_is_reported_then_rows_and_a_total_per_currency_come_out(sd):
    premium_only("Hartley & Moss LLP")
    premium_only("Euro Avocats", currency="EUR")
    premium_only("Okafor Legal")
    issue_month(None, "2026-03")
    result = sd("report", "invoices", "--month", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["count"] == 3 and {i["client"] for i in answer["items"]} == {
        "Hartley & Moss LLP", "Euro Avocats", "Okafor Legal"}
    assert [(t["currency"], Decimal(t["total"])) for t in answer["totals"]] == [
        ("EUR", Decimal("1500.00")), ("USD", Decimal("3000.00"))]
    table = sd("report", "invoices", "--month", "2026-03").stdout
    assert "TOTAL" in table and "3000.00" in table
    last = list(csv.reader(io.StringIO(sd("report", "invoices", "--month", "2026-03", "--format", "csv").stdout)))[-1]
    assert last[0] == "TOTAL" and last[4] == "USD" and last[-1] == "3000.00"
    assert json.loads(sd("report", "invoices", "--month", "2026-02", "--format", "json").stdout)["count"] == 0


@pytest.mark.parametrize(("args", "says"), [
    (["report", "attainment", "--month", "2026-13"], "--month: '2026-13' is not a month"),
    (["report", "attainment", "--month", "2999-01"], "--month: 2999-01 has not started yet"),
    (["report", "attainment", "--months", "61"], "--months must be between 1 and 60"),
    (["report", "attainment", "--metric", "speed"], "--metric: 'speed' is not one of"),
    (["report", "attainment", "--client", "Nobody LLP"], "no client 'Nobody LLP'"),
    (["report", "at-risk", "--within-minutes", "0"], "--within-minutes must be between 1 and 10080"),
    (["report", "invoices", "--month", "March"], "--month: 'March' is not a month"),
    (["report", "invoices", "--month", "2026-03", "--format", "pdf"], "--format: 'pdf' is not one of table, csv"),
])
def test_given_bad_input_when_reporting_then_one_line_on_stderr_and_exit_2(sd, args, says):
    result = sd(*args)
    assert result.exit_code == 2
    assert says in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_missing_required_month_is_a_usage_error(sd):
    assert sd("report", "invoices").exit_code == 2


def test_given_a_value_that_looks_like_rich_markup_when_written_as_a_table_then_it_is_shown_as_it_is():
    from supportdesk.interchange.output import write_table

    stream = io.StringIO()
    count = write_table(stream, "At risk", ["subject"], [{"subject": "Crash [/] in [bold]export[/bold]"}])
    assert count == 1
    assert "Crash [/] in [bold]export[/bold]" in stream.getvalue()
