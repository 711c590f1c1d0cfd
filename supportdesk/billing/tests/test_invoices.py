"""R21: one invoice per client and currency a month, prorated MRC lines, charges at cost, credits,
gap-free numbers, immutability, credit notes, and a re-run that issues nothing twice."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.billing import actions
from supportdesk.billing.charges import cancel_charge, record_charge
from supportdesk.billing.models import BillableCharge, CreditNote, ImmutableRecord, Invoice, InvoiceLine
from supportdesk.errors import DomainError
from supportdesk.factories import ClientFactory

from .factories import large_24x7, maintenance_only, manager, premium_and_24x7, premium_only

MARCH = date(2026, 3, 1)


def amounts(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in invoice.lines.all()]


@pytest.fixture
def demo_like(db):  # noqa: ANN001, ANN201
    return {
        "premium": premium_only(),
        "premium_24x7": premium_and_24x7(addendum_on=date(2026, 3, 11)),
        "maintenance": maintenance_only(),
        "large": large_24x7(manager()),
    }


def test_a_full_month_for_clients_like_the_demo_ones(demo_like):
    # Given the premium client attended a paid event and had a TAM visit with a receipt in February
    premium = demo_like["premium"]
    record_charge(None, client=premium, kind="event_fee", description="Webinar: matter templates (50% off)",
                  amount="75.00", currency="USD", incurred_on=date(2026, 3, 5), source_ref="registration:1")
    travel = record_charge(None, client=premium, kind="travel_expense", description="Onsite visit: train and hotel",
                           amount="420.50", currency="USD", incurred_on=date(2026, 2, 20), source_ref="expense:1")
    travel.receipt.save("hotel.pdf", io.BytesIO(b"%PDF-1.4 receipt"), save=True)
    actions.grant_credit(None, client=premium, description="SLA credit for February", amount="100.00", currency="USD",
                         granted_on=date(2026, 3, 2))
    # When March is invoiced
    result = actions.issue_month(None, "2026-03")
    # Then every client gets one invoice with the right lines
    assert result.problems == [] and len(result.issued) == 4
    by_client = {inv.client_id: inv for inv in result.issued}
    assert amounts(by_client[premium.pk]) == [("recurring", Decimal("1500.00")), ("travel_expense", Decimal("420.50")),
                                              ("event_fee", Decimal("75.00")), ("credit", Decimal("-100.00"))]
    assert by_client[premium.pk].total == Decimal("1895.50")
    # 24/7: 25 users (tier 3, 700) for 10 of 31 days, then 35 users (tier 4, 800) for 21 of 31 days
    mixed = by_client[demo_like["premium_24x7"].pk]
    assert amounts(mixed) == [("recurring", Decimal("1500.00")), ("recurring", Decimal("225.81")),
                              ("recurring", Decimal("541.94"))]
    assert mixed.total == Decimal("2267.75")
    lines = list(mixed.lines.all())
    assert (lines[1].service_from, lines[1].service_to) == (date(2026, 3, 1), date(2026, 3, 11))
    assert "prorated 10/31 days" in lines[1].explanation and "tier 3" in lines[1].explanation
    assert by_client[demo_like["maintenance"].pk].total == Decimal("400.00")
    large = by_client[demo_like["large"].pk]
    assert amounts(large) == [("recurring", Decimal("900.00")), ("recurring", Decimal("2750.00"))]
    assert "custom MRC 2750.00" in list(large.lines.all())[1].explanation
    # And the charges and credit are now tied to the invoice, so they are never billed again
    assert not BillableCharge.objects.filter(client=premium, invoice_line__isnull=True).exists()


def test_a_contract_starting_mid_month_is_prorated_by_days(db):
    client = maintenance_only(starts=date(2026, 3, 16))
    invoice = actions.issue_month(None, "2026-03").issued[0]
    assert invoice.client == client
    assert amounts(invoice) == [("recurring", Decimal("206.45"))]  # 400 x 16/31


def test_rerunning_a_month_issues_nothing_twice_and_numbers_have_no_gaps(demo_like):
    # When March is run twice and then April
    first = actions.issue_month(None, "2026-03")
    again = actions.issue_month(None, "2026-03")
    april = actions.issue_month(None, "2026-04")
    # Then the second run issues nothing, and numbers run consecutively without gaps
    assert (len(first.issued), len(again.issued), again.already_issued) == (4, 0, 4)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = first.issued[0].issued_at.year
    assert numbers == [f"INV-{year}-{n:05d}" for n in range(1, 9)]
    assert len(april.issued) == 4


def test_a_month_that_fails_for_one_client_still_issues_the_others_and_takes_no_number(db):
    # Given a client billed in a currency without a list price, and one in USD
    broken = ClientFactory(name="No Price Ltd")
    from supportdesk.contracts.actions import LineInput, record_order

    record_order(None, client=broken, number="SOF-JPY", kind="form", signed_on=MARCH, effective_from=MARCH,
                 currency="JPY", lines=[LineInput(offering="maintenance")])
    fine = maintenance_only()
    result = actions.issue_month(None, "2026-03")
    assert [inv.client for inv in result.issued] == [fine]
    assert "No Price Ltd (JPY)" in result.problems[0] and "no list price in JPY" in result.problems[0]
    assert result.issued[0].number.endswith("-00001")


def test_currencies_are_never_mixed_on_one_invoice(db):
    # Given a USD client with an expense recorded in EUR by another context
    client = premium_only()
    record_charge(None, client=client, kind="travel_expense", description="Taxi in Paris", amount="40.00",
                  currency="EUR", incurred_on=date(2026, 3, 3), source_ref="expense:eur")
    issued = actions.issue_month(None, "2026-03").issued
    # Then it goes on its own EUR invoice
    assert sorted((inv.currency, inv.total) for inv in issued) == [("EUR", Decimal("40.00")),
                                                                   ("USD", Decimal("1500.00"))]


def test_an_expense_in_another_currency_needs_a_rate_and_is_converted_at_cost(db):
    client = premium_only()
    with pytest.raises(DomainError) as refused:
        actions.add_charge(None, client=client, kind="travel_expense", description="Hotel", amount="100.00",
                           currency="EUR", incurred_on=MARCH)
    assert refused.value.status == 422 and refused.value.fields == {"rate": "required for another currency"}
    charge = actions.add_charge(None, client=client, kind="travel_expense", description="Hotel", amount="100.00",
                                currency="EUR", incurred_on=MARCH, rate="1.0855",
                                receipt=SimpleUploadedFile("hotel.pdf", b"%PDF receipt"))
    assert (charge.amount, charge.currency) == (Decimal("108.55"), "USD")
    assert "100.00 EUR at 1.0855" in charge.description and charge.receipt


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "-5.00", "abc", "1.234", None])
def test_bad_amounts_are_refused_naming_the_field(db, bad):
    client = premium_only()
    with pytest.raises(DomainError) as refused:
        actions.add_charge(None, client=client, kind="travel_expense", description="x", amount=bad, currency="USD",
                           incurred_on=MARCH)
    assert refused.value.status == 422 and "amount" in refused.value.fields


def test_cancelled_charges_are_not_invoiced(db):
    client = premium_only()
    record_charge(None, client=client, kind="event_fee", description="Webinar", amount="50.00", currency="USD",
                  incurred_on=MARCH, source_ref="registration:9")
    assert cancel_charge("registration:9")
    invoice = actions.issue_month(None, "2026-03").issued[0]
    assert amounts(invoice) == [("recurring", Decimal("1500.00"))]


def test_issued_invoices_are_immutable_and_corrected_by_credit_notes(db):
    premium_only()
    invoice = actions.issue_month(None, "2026-03").issued[0]
    # An issued invoice, its lines and its number cannot change or disappear
    invoice.total = Decimal("1.00")
    with pytest.raises(ImmutableRecord):
        invoice.save()
    invoice.refresh_from_db()
    with pytest.raises(ImmutableRecord):
        invoice.delete()
    line = invoice.lines.first()
    line.amount = Decimal("0.00")
    with pytest.raises(ImmutableRecord):
        line.save()
    with pytest.raises(ImmutableRecord):
        InvoiceLine.objects.create(invoice=invoice, description="sneaky", unit_amount=1, amount=1)
    # A credit note corrects it with its own number; more than the remaining amount is refused
    boss = manager()
    note = actions.issue_credit_note(boss, invoice, amount="200.00", reason="Goodwill for outage")
    assert note.number.startswith("CN-") and note.number.endswith("-00001")
    with pytest.raises(DomainError) as refused:
        actions.issue_credit_note(boss, invoice, amount="1300.01", reason="Too much")
    assert refused.value.code == "billing.credit_too_large" and "amount" in refused.value.fields
    second = actions.issue_credit_note(boss, invoice, amount="1300.00", reason="Contract cancelled")
    assert second.number.endswith("-00002")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED and invoice.total == Decimal("1500.00")
    with pytest.raises(ImmutableRecord):
        note.delete()
    assert CreditNote.objects.count() == 2



def test_no_orm_path_reopens_or_rewrites_an_issued_invoice(db):
    # Given an issued invoice with a credit note
    premium_only()
    invoice = actions.issue_month(None, "2026-03").issued[0]
    actions.issue_credit_note(None, invoice, amount="10.00", reason="Goodwill")
    number, total = invoice.number, invoice.total
    # When its status is moved back to draft (which would make every field editable again), it is refused
    invoice.status = Invoice.Status.DRAFT
    with pytest.raises(ImmutableRecord):
        invoice.save()
    # And bulk updates and deletes of the invoice, its lines and its credit notes are refused too
    issued = Invoice.objects.filter(pk=invoice.pk)
    for attempt in (lambda: issued.update(total=Decimal("1.00")), lambda: issued.update(status="draft"),
                    issued.delete, lambda: InvoiceLine.objects.filter(invoice=invoice).update(amount=0),
                    InvoiceLine.objects.filter(invoice=invoice).delete, invoice.lines.all().delete,
                    lambda: InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, description="sneaky",
                                                                         unit_amount=1, amount=1)]),
                    lambda: CreditNote.objects.filter(invoice=invoice).update(amount=Decimal("1.00")),
                    CreditNote.objects.filter(invoice=invoice).delete):
        with pytest.raises(ImmutableRecord):
            attempt()
    # Then nothing changed, while the status may still move forward (paid) through the action
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.number, stored.total, stored.status, stored.lines.count()) == (number, total, "issued", 1)
    assert CreditNote.objects.get(invoice=invoice).amount == Decimal("10.00")
    assert actions.mark_paid(None, stored).status == Invoice.Status.PAID
    stored.status = Invoice.Status.ISSUED
    with pytest.raises(ImmutableRecord):
        stored.save()
    # And a bulk status update obeys the same order: paid cannot go back to issued, but on to credited
    with pytest.raises(ImmutableRecord):
        Invoice.objects.filter(pk=invoice.pk).update(status="issued")
    assert Invoice.objects.filter(pk=invoice.pk).update(status="credited") == 1
    with pytest.raises(ImmutableRecord):
        Invoice.objects.filter(pk=invoice.pk).update(status="paid")


def test_numbers_take_the_year_of_the_issue_date_in_the_vendor_zone(db, time_machine, as_person):
    # Given New Year's Eve, 21:00 in Toronto (the vendor zone), which is already 2027 in UTC
    premium_only()
    time_machine.move_to("2027-01-01T02:00:00+00:00")
    # When December is invoiced and then corrected by a credit note
    invoice = actions.issue_month(None, "2026-12").issued[0]
    note = actions.issue_credit_note(None, invoice, amount="10.00", reason="Goodwill")
    # Then both numbers carry 2026, the year of the issue date printed on the document
    assert (invoice.number, note.number) == ("INV-2026-00001", "CN-2026-00001")
    page = as_person(manager()).get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "<dt>Issued</dt><dd>2026-12-31</dd>" in page

def test_only_billing_managers_issue_invoices(db):
    from supportdesk.factories import StaffFactory

    premium_only()
    with pytest.raises(DomainError) as refused:
        actions.issue_month(StaffFactory(staff_roles=["agent"]), "2026-03")
    assert refused.value.status == 403
    assert not Invoice.objects.exists()
    assert len(actions.issue_month(StaffFactory(staff_roles=["billing"]), "2026-03").issued) == 1


@pytest.mark.parametrize("bad", ["2026-13", "2026-3", "March", "", "2026-03-01"])
def test_a_bad_month_is_refused(db, bad):
    with pytest.raises(DomainError) as refused:
        actions.issue_month(None, bad)
    assert refused.value.fields == {"month": "YYYY-MM"}


def test_a_month_that_has_not_started_is_refused(db):
    with pytest.raises(DomainError) as refused:
        actions.issue_month(None, "2099-01")
    assert refused.value.fields == {"month": "not started yet"}


def test_the_monthly_job_issues_the_previous_month(db, time_machine):
    premium_only()
    time_machine.move_to("2026-04-01T08:00:00+00:00")
    from supportdesk.billing.tasks import issue_previous_month_invoices

    outcome = issue_previous_month_invoices.call_local()
    assert outcome["month"] == "2026-03-01" and len(outcome["issued"]) == 1
    assert issue_previous_month_invoices.call_local()["issued"] == []


def test_the_monthly_job_is_an_invoice_run_shown_with_the_others(db, time_machine):
    # Given a month just ended, and a run of it already queued from the billing page (its job not yet picked up)
    premium_only()
    time_machine.move_to("2026-04-01T08:00:00+00:00")
    from supportdesk.billing.models import InvoiceRun
    from supportdesk.billing.runs import start_invoice_run
    from supportdesk.billing.tasks import issue_previous_month_invoices

    queued = start_invoice_run(None, "2026-03")
    # When the monthly job runs
    outcome = issue_previous_month_invoices.call_local()
    # Then it performed that run (no second one), which is done with its progress and the invoice it issued
    run = InvoiceRun.objects.get()
    assert (run.pk, outcome["run"], run.state, run.done, run.total) == (queued.pk, queued.pk, "done", 1, 1)
    assert [i.number for i in run.issued_invoices.all()] == outcome["issued"] and len(outcome["issued"]) == 1
    # And the job run again (a retry) is a run of its own that issues nothing twice
    assert issue_previous_month_invoices.call_local()["issued"] == []
    assert InvoiceRun.objects.count() == 2


def _scheduled_runs(start: datetime, days: int) -> list[datetime]:
    """The (naive UTC) minutes at which Huey's scheduler would enqueue the monthly invoice job."""
    from huey.contrib.djhuey import HUEY

    import supportdesk.billing.tasks  # noqa: F401  registers the job, as the worker's autodiscovery does

    minutes = (start + timedelta(minutes=n) for n in range(days * 24 * 60))
    return [ts for ts in minutes
            if any(t.name.endswith("issue_previous_month_invoices") for t in HUEY.read_periodic(ts))]


@pytest.mark.parametrize(("zone", "month_start", "expected_utc"), [
    ("America/Toronto", datetime(2026, 3, 30), datetime(2026, 4, 1, 6, 15)),   # 02:15 EDT
    ("America/Toronto", datetime(2026, 10, 30), datetime(2026, 11, 1, 7, 15)),  # DST ends at 02:00 that night
    ("Asia/Tokyo", datetime(2026, 3, 30), datetime(2026, 3, 31, 17, 15)),       # 02:15 JST on April 1
])
def test_the_monthly_job_runs_once_early_on_the_1st_in_the_vendor_zone(db, time_machine, zone, month_start,
                                                                        expected_utc):
    # Given the vendor's zone (Huey itself schedules in UTC)
    premium_only()
    with override_settings(TIME_ZONE=zone):
        # When the scheduler ticks every minute around the turn of the month
        runs = _scheduled_runs(month_start, 4)
        # Then the job is due exactly once, just after 02:00 on the 1st local time (not 02:15 UTC, which is
        # still the last day of the month in Toronto) ...
        assert runs == [expected_utc]
        # ... and at that moment it invoices the month that has just ended
        time_machine.move_to(expected_utc.replace(tzinfo=UTC))
        from supportdesk.billing.tasks import issue_previous_month_invoices

        ended = (month_start + timedelta(days=3)).replace(day=1) - timedelta(days=1)
        assert issue_previous_month_invoices.call_local()["month"] == ended.replace(day=1).date().isoformat()


@given(st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2), max_size=6),
       st.integers(1, 28))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_an_invoice_total_equals_the_sum_of_its_lines(db, charges, start_day):
    client = maintenance_only(name=f"Prop {start_day} {len(charges)} {BillableCharge.objects.count()}",
                              starts=date(2026, 3, start_day))
    for index, amount in enumerate(charges):
        record_charge(None, client=client, kind="event_fee", description=f"Fee {index}", amount=amount,
                      currency="USD", incurred_on=date(2026, 3, 1), source_ref=f"prop:{client.pk}:{index}")
    invoice = next(inv for inv in actions.issue_month(None, "2026-03").issued if inv.client_id == client.pk)
    assert invoice.total == sum(line.amount for line in invoice.lines.all())
    assert invoice.lines.count() == 1 + len(charges)
