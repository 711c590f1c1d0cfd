"""R21, where the spec is silent: a contract change recorded after a month was invoiced is settled on later
invoices (issued invoices never change): what is due more is an adjustment line, what is due less a credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supportdesk.billing import actions
from supportdesk.billing.models import ClientCredit, Invoice
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.models import OrderLine, ServiceOrder
from supportdesk.factories import ClientFactory

from .factories import YEAR_START, premium_only

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _lines(invoice: Invoice) -> list[tuple[str, str, Decimal]]:
    return [(line.kind, line.description, line.amount) for line in invoice.lines.all()]


def _invoice(client, month: date) -> Invoice:  # noqa: ANN001
    return Invoice.objects.get(client=client, period_start=month)


def _premium_and_maintenance():  # noqa: ANN202
    client = ClientFactory(name="Quill & Rowe")
    form = record_order(None, client=client, number="SOF-QR", kind="form", signed_on=YEAR_START,
                        effective_from=YEAR_START,
                        lines=[LineInput(offering="premium", agreed_price=Decimal("1500.00")),
                               LineInput(offering="maintenance")])
    return client, form


def _addendum(client, form: ServiceOrder, number: str, effective_from: date, lines: list[LineInput]) -> None:  # noqa: ANN001
    record_order(None, client=client, number=number, kind="addendum", amends=form, signed_on=effective_from,
                 effective_from=effective_from, lines=lines)


def test_a_line_added_from_a_month_already_invoiced_is_billed_on_the_next_invoice_once():
    # Given Premium's March invoice was issued
    client = premium_only()
    actions.issue_month(None, "2026-03")
    assert [a for _, _, a in _lines(_invoice(client, MARCH))] == [Decimal("1500.00")]
    # When an addendum adds 24/7 Support for 25 users (700.00 a month) from 11 March, recorded afterwards
    form = ServiceOrder.objects.get(client=client, kind="form")
    _addendum(client, form, "SOA-1", date(2026, 3, 11), [LineInput(offering="support-24x7", user_count=25)])
    # Then March's invoice is unchanged, and April's bills April in full plus the 21 March days it missed
    actions.issue_month(None, "2026-04")
    assert [a for _, _, a in _lines(_invoice(client, MARCH))] == [Decimal("1500.00")]
    april = _lines(_invoice(client, APRIL))
    assert [(kind, amount) for kind, _, amount in april] == [
        ("recurring", Decimal("1500.00")), ("recurring", Decimal("700.00")), ("adjustment", Decimal("474.19"))]
    assert april[2][1].startswith("Adjustment for March 2026: ") and "25 users (order SOA-1)" in april[2][1]
    adjustment = _invoice(client, APRIL).lines.get(kind="adjustment")
    assert "21/31 days in force now, 0.00 USD invoiced for it before" in adjustment.explanation
    assert (adjustment.service_from, adjustment.service_to) == (MARCH, APRIL)
    assert _invoice(client, APRIL).total == Decimal("2674.19")
    # And May bills May only: the adjustment is never repeated
    actions.issue_month(None, "2026-05")
    assert [kind for kind, _, _ in _lines(_invoice(client, MAY))] == ["recurring", "recurring"]


def test_a_line_ended_back_into_invoiced_months_becomes_a_credit_on_the_next_invoice():
    # Given Premium (1500) and Maintenance (400) invoiced in full for March and April
    client, form = _premium_and_maintenance()
    actions.issue_month(None, "2026-03")
    actions.issue_month(None, "2026-04")
    maintenance = OrderLine.objects.get(order=form, offering_version__offering__code="maintenance")
    # When an addendum recorded in May ends Maintenance from 16 March
    _addendum(client, form, "SOA-END", date(2026, 3, 16), [LineInput(action="end", target_line=maintenance.pk)])
    actions.issue_month(None, "2026-05")
    # Then the 16 March days and all of April become credits, deducted by May's invoice
    credits = ClientCredit.objects.filter(client=client).order_by("amount")
    assert [(c.amount, c.granted_on) for c in credits] == [(Decimal("206.45"), MAY), (Decimal("400.00"), MAY)]
    assert "Adjustment for March 2026" in credits[0].description and "15/31 days in force now" in credits[0].description
    may = _invoice(client, MAY)
    assert [(kind, amount) for kind, _, amount in _lines(may)] == [
        ("recurring", Decimal("1500.00")), ("credit", Decimal("-206.45")), ("credit", Decimal("-400.00"))]
    assert may.total == Decimal("893.55")
    # And a rerun of May, and June, settle nothing twice
    actions.issue_month(None, "2026-05")
    actions.issue_month(None, "2026-06")
    assert ClientCredit.objects.filter(client=client).count() == 2
    assert [kind for kind, _, _ in _lines(_invoice(client, date(2026, 6, 1)))] == ["recurring"]


def test_a_client_left_with_nothing_to_pay_keeps_the_credit_pending():
    # Given Premium alone, invoiced for March
    client = premium_only()
    actions.issue_month(None, "2026-03")
    form = ServiceOrder.objects.get(client=client, kind="form")
    premium = OrderLine.objects.get(order=form)
    # When the contract is ended from 1 March after that invoice
    _addendum(client, form, "SOA-STOP", MARCH, [LineInput(action="end", target_line=premium.pk)])
    actions.issue_month(None, "2026-04")
    # Then no April invoice is issued, and the whole of March is owed back as a pending credit
    assert not Invoice.objects.filter(client=client, period_start=APRIL).exists()
    [credit] = ClientCredit.objects.filter(client=client)
    assert (credit.amount, credit.invoice_line) == (Decimal("1500.00"), None)


def test_a_user_count_changed_back_into_an_invoiced_month_bills_only_the_difference():
    # Given 24/7 Support for 25 users (tier 3, 700.00) invoiced for March
    client = ClientFactory(name="Tier Partners")
    form = record_order(None, client=client, number="SOF-T", kind="form", signed_on=YEAR_START,
                        effective_from=YEAR_START, lines=[LineInput(offering="support-24x7", user_count=25)])
    actions.issue_month(None, "2026-03")
    line = OrderLine.objects.get(order=form)
    # When an addendum raises it to 35 users (tier 4, 800.00) from 1 March
    _addendum(client, form, "SOA-35", MARCH, [LineInput(action="change", target_line=line.pk, user_count=35)])
    actions.issue_month(None, "2026-04")
    april = _invoice(client, APRIL)
    # Then April bills April at 800 and settles March by the difference: +800 for the new line, -700 credited
    assert [(kind, amount) for kind, _, amount in _lines(april)] == [
        ("recurring", Decimal("800.00")), ("adjustment", Decimal("800.00")), ("credit", Decimal("-700.00"))]
    assert april.total == Decimal("900.00")


def test_a_list_price_set_later_with_a_past_date_does_not_reach_back():
    # Given Maintenance at list price (400.00) invoiced for March
    client = ClientFactory(name="List Price LLP")
    record_order(None, client=client, number="SOF-L", kind="form", signed_on=YEAR_START, effective_from=YEAR_START,
                 lines=[LineInput(offering="maintenance")])
    actions.issue_month(None, "2026-03")
    # When the list price becomes 450.00 from 1 January
    from .factories import manager

    actions.set_list_price(manager(), offering=Offering.objects.get(code="maintenance"), currency="USD",
                           effective_from=YEAR_START, monthly_price="450.00")
    actions.issue_month(None, "2026-04")
    # Then April is billed at the new price and March is not re-billed
    assert [(kind, amount) for kind, _, amount in _lines(_invoice(client, APRIL))] == [("recurring", Decimal("450.00"))]
    assert not ClientCredit.objects.filter(client=client).exists()


def test_a_month_settled_only_by_an_adjustment_keeps_its_price_when_the_list_price_changes_later():
    # Given Maintenance (list 400.00) added from 11 March after March was invoiced, settled on April's invoice
    client = premium_only()
    actions.issue_month(None, "2026-03")
    form = ServiceOrder.objects.get(client=client, kind="form")
    _addendum(client, form, "SOA-M", date(2026, 3, 11), [LineInput(offering="maintenance")])
    actions.issue_month(None, "2026-04")
    adjustment = _invoice(client, APRIL).lines.get(kind="adjustment")
    assert (adjustment.amount, adjustment.unit_amount) == (Decimal("270.97"), Decimal("400.00"))  # 21/31 of 400
    # When the list price becomes 450.00 from 1 January
    from .factories import manager

    actions.set_list_price(manager(), offering=Offering.objects.get(code="maintenance"), currency="USD",
                           effective_from=YEAR_START, monthly_price="450.00")
    actions.issue_month(None, "2026-05")
    # Then May settles nothing more for March
    assert "adjustment" not in [kind for kind, _, _ in _lines(_invoice(client, MAY))]
    assert not ClientCredit.objects.filter(client=client).exists()


def test_a_month_corrected_by_a_credit_note_is_left_to_billing_staff():
    # Given Premium's March invoice, which a billing admin corrected with a credit note
    client = premium_only()
    march = actions.issue_month(None, "2026-03").issued[0]
    actions.issue_credit_note(None, march, amount="1500.00", reason="Contract ended on 1 March (agreed by phone)")
    # When the addendum ending the contract from 1 March is recorded afterwards
    form = ServiceOrder.objects.get(client=client, kind="form")
    premium = OrderLine.objects.get(order=form)
    _addendum(client, form, "SOA-STOP", MARCH, [LineInput(action="end", target_line=premium.pk)])
    actions.issue_month(None, "2026-04")
    # Then March is not credited a second time
    assert not ClientCredit.objects.filter(client=client).exists()


def test_a_line_ended_from_before_it_started_is_read_once_however_many_months_it_was_invoiced(django_assert_max_num_queries):
    # Given Maintenance invoiced January to April, then ended from 1 January (no longer in force at all)
    client, form = _premium_and_maintenance()
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        actions.issue_month(None, month)
    maintenance = OrderLine.objects.get(order=form, offering_version__offering__code="maintenance")
    _addendum(client, form, "SOA-VOID", YEAR_START, [LineInput(action="end", target_line=maintenance.pk)])
    # When the adjustments are worked out, the four months cost one read of that line, not four
    from supportdesk.billing import true_up
    from supportdesk.billing.invoicing import monthly_price
    from supportdesk.contracts.entitlements import line_periods

    periods = line_periods(client)
    with django_assert_max_num_queries(4):  # invoiced months, invoiced lines, adjustment credits, the ended line
        found, _ = true_up.adjustments(client, MAY, periods, monthly_price)
    assert sorted(a.amount for a in found if a.line.pk == maintenance.pk) == [Decimal("-400.00")] * 4
