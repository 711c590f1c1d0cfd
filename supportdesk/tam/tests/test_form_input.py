"""Bad input on the TAM workspace's forms comes back on the form with a message on the field, and nothing is
recorded: out-of-range years, text longer than what is stored (it was cut without a word), an exchange rate that
would be ignored, an escalation reason too long (the ticket was escalated without it)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from supportdesk.billing.models import BillableCharge
from supportdesk.tam import calls, visits
from supportdesk.tam.models import CallOccurrence, FollowUp, OnsiteVisit, UpgradePlan, VisitExpense
from supportdesk.tickets.models import TicketEvent


def field_error(page, field: str) -> str:  # noqa: ANN001
    """The error text shown under one field of a form rendered by web/_form.html."""
    html = page.content.decode().replace("&#x27;", "'")
    block = re.search(rf'data-field="{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field} on the page"
    return " ".join(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)))


VISIT = {"form": "visit", "starts_on": "2027-03-15", "ends_on": "2027-03-16", "location": "HQ", "purpose": "",
         "attendees": ""}
UPGRADE = {"form": "upgrade", "product": "Case Manager", "installed_version": "7.2", "target_version": "8.0",
           "zone": "America/Toronto", "windows": "2027-03-20 10:00 - 2027-03-20 12:00", "notes": ""}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({**VISIT, "starts_on": "0001-01-01"}, "starts_on", "0001-01-01 is outside the years 2 to 9998"),
    ({**VISIT, "ends_on": "9999-12-31"}, "ends_on", "9999-12-31 is outside the years 2 to 9998"),
    ({**VISIT, "starts_on": "2027-13-45"}, "starts_on", "Enter a valid date"),
    ({**UPGRADE, "windows": "9999-12-31 20:00 - 9999-12-31 23:59"}, "windows", "9999-12-31 20:00 is outside"),
    ({**UPGRADE, "windows": "0001-01-01 00:00 - 0001-01-01 02:00"}, "windows", "0001-01-01 00:00 is outside"),
])
def test_given_a_client_page_form_with_a_year_out_of_range_then_a_field_error_and_nothing_planned(
        world, as_person, data, field, message):
    # Given the client's TAM on the client's page
    http = as_person(world["people"]["tam"])
    # When a visit or an upgrade is posted with a date at the ends of the calendar
    page = http.post(f"/tam/clients/{world['own'].pk}/", data)
    # Then the form says so on the field (not a bare 422 or a 500), and nothing is planned
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert not OnsiteVisit.objects.exists() and not UpgradePlan.objects.exists()


@pytest.fixture
def occurrence(world) -> CallOccurrence:  # noqa: ANN001
    series = calls.create_series(world["people"]["tam"], client=world["own"], cadence="weekly", weekday=1,
                                 local_time="10:00", zone="America/Toronto")
    return series.occurrences.order_by("starts_at").first()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"minutes": "x" * 50_001}, "minutes", "at most 50000 characters"),
    ({"follow_ups": "y" * 501}, "follow_ups", "at most 500 characters and its owner 200"),
    ({"follow_ups": "Send logs | " + "o" * 201}, "follow_ups", "at most 500 characters and its owner 200"),
    ({"follow_ups": "Send logs | Dana | 0001-01-01"}, "follow_ups", "0001-01-01 is outside the years 2 to 9998"),
    ({"follow_ups": "Send logs | Dana | 2027-13-45"}, "follow_ups", "is not YYYY-MM-DD"),
])
def test_given_minutes_longer_than_kept_then_refused_on_the_field_not_cut(world, as_person, occurrence, data, field,
                                                                          message):
    http = as_person(world["people"]["tam"])
    page = http.post(f"/tam/calls/{occurrence.pk}/", {"form": "minutes", "minutes": "Went well.", "follow_ups": "",
                                                      **data})
    assert page.status_code == 200
    assert message in field_error(page, field)
    occurrence.refresh_from_db()
    assert occurrence.minutes == "" and not FollowUp.objects.exists()


@pytest.fixture
def visit(world) -> OnsiteVisit:  # noqa: ANN001
    return visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 7),
                             ends_on=date(2026, 12, 8))


EXPENSE = {"category": "lodging", "description": "Hotel", "amount": "120.00", "currency": "USD",
           "exchange_rate": "", "incurred_on": "2026-12-07"}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"exchange_rate": "1.35"}, "exchange_rate", "the contract's currency: no exchange rate applies"),
    ({"exchange_rate": "abc"}, "exchange_rate", "the contract's currency: no exchange rate applies"),
    ({"incurred_on": "0001-01-01"}, "incurred_on", "0001-01-01 is outside the years 2 to 9998"),
    ({"incurred_on": "9999-12-31"}, "incurred_on", "9999-12-31 is outside the years 2 to 9998"),
])
def test_given_an_expense_with_a_value_that_would_be_ignored_or_out_of_range_then_refused(world, as_person, visit,
                                                                                        data, field, message):
    http = as_person(world["people"]["tam"])
    page = http.post(f"/tam/visits/{visit.pk}/", {**EXPENSE, **data})
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert not VisitExpense.objects.exists() and not BillableCharge.objects.exists()


@pytest.mark.parametrize("reason", ["x" * 1001, "a\x00b"])
def test_given_an_escalation_reason_refused_then_the_ticket_is_not_escalated_without_it(world, as_person, reason):
    # Given an agent on a ticket of a client with a TAM
    http = as_person(world["people"]["agent"])
    # When the escalation's reason is too long (or holds a NUL)
    answer = http.post(f"/tam/tickets/{world['ticket'].pk}/escalate/", {"reason": reason}, follow=True)
    # Then the console says why, and nothing was escalated (before: escalated with the reason dropped)
    assert "Not escalated: the reason was refused." in answer.content.decode()
    assert not TicketEvent.objects.filter(ticket=world["ticket"], kind="ticket.escalated_to_tam").exists()
