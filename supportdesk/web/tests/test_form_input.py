"""Bad input on the portal's and console's forms comes back on the form with a message on the field, and nothing
is saved: out-of-range years, values the chosen kind does not use, numbers past what an order line allows; a form
sent twice opens one ticket; a post without its CSRF token is refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from supportdesk.contracts.models import OrderLine, ServiceOrder
from supportdesk.factories import ClientUserFactory, StaffFactory, premium_client
from supportdesk.tickets.models import Ticket

ORDER = {"number": "SOF-NEW", "kind": "form", "amends": "", "signed_on": "2026-03-01", "effective_from": "2026-03-01",
         "effective_to": "", "currency": "USD", "offering": "maintenance", "action": "add", "target_line": "",
         "user_count": "", "agreed_price": "400.00"}


def field_error(page, field: str) -> str:  # noqa: ANN001
    """The error text shown under one field of a form rendered by web/_form.html."""
    html = page.content.decode().replace("&#x27;", "'")
    block = re.search(rf'data-field="{field}">(.*?)</div>', html, re.S)
    assert block, f"no field {field} on the page"
    return " ".join(re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)))


@pytest.fixture
def firm(db):  # noqa: ANN001, ANN201
    return premium_client(name="Form Firm")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("signed_on", "0001-01-01", "0001-01-01 is outside the years 2 to 9998"),
    ("effective_from", "0001-01-01", "0001-01-01 is outside the years 2 to 9998"),
    ("effective_to", "9999-12-31", "9999-12-31 is outside the years 2 to 9998"),
    ("signed_on", "2026-13-45", "Enter a valid date"),
    ("amends", "SOF-OTHER", "Only an addendum amends a form"),
    ("target_line", "7", "A line is named only to change or end it"),
    ("user_count", "1000001", "less than or equal to 1000000"),  # contracts.actions.MAX_USER_COUNT
    ("user_count", "2147483648", "less than or equal to 1000000"),
    ("agreed_price", "10000000000.00", "less than or equal to 9999999999.99"),  # billing.pricing.MAX_AMOUNT
    ("agreed_price", "1e30", "less than or equal to 9999999999.99"),
    ("user_count", "abc", "Enter a whole number"),
    ("number", "x" * 41, "at most 40 characters"),
])
def test_given_an_order_form_when_a_field_is_bad_then_it_says_so_on_the_field_and_records_nothing(
        firm, as_person, field, value, message):
    # Given a contracts manager on the client's page
    http = as_person(StaffFactory(staff_roles=["manager"]))
    orders, lines = ServiceOrder.objects.count(), OrderLine.objects.count()
    # When the order is posted with one bad field
    page = http.post(f"/console/clients/{firm.pk}/", {**ORDER, field: value})
    # Then the form comes back with the message on that field, and no order or line is recorded
    assert page.status_code == 200
    assert message in field_error(page, field)
    assert (ServiceOrder.objects.count(), OrderLine.objects.count()) == (orders, lines)


def test_given_an_addendum_without_the_form_it_amends_then_the_amends_field_asks_for_it(firm, as_person):
    http = as_person(StaffFactory(staff_roles=["manager"]))
    page = http.post(f"/console/clients/{firm.pk}/", {**ORDER, "kind": "addendum", "number": "SOA-1"})
    assert page.status_code == 200
    assert "An addendum amends a form: give that form" in field_error(page, "amends")
    assert not ServiceOrder.objects.filter(number="SOA-1").exists()


def _new_ticket_form(http: HttpClient) -> dict:
    page = http.get("/portal/tickets/new/").content.decode()
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', page)
    assert submission, "the form carries its submission value"
    return {"subject": "Calendar sync fails", "severity": "2", "body": "Since this morning.",
            "submission": submission.group(1)}


def test_given_a_new_ticket_form_when_it_is_sent_twice_then_one_ticket(firm, as_person):
    # Given a client user with the new-ticket form open
    http = as_person(ClientUserFactory(client=firm))
    form = _new_ticket_form(http)
    # When it is submitted twice (a double click, a retried POST)
    first, second = http.post("/portal/tickets/new/", form), http.post("/portal/tickets/new/", form)
    # Then both land on the same ticket, and only one exists
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ticket.objects.filter(client=firm).count() == 1


def test_given_a_sent_form_when_it_is_edited_and_sent_again_then_a_second_ticket_not_a_refusal(firm, as_person):
    http = as_person(ClientUserFactory(client=firm))
    form = _new_ticket_form(http)
    first = http.post("/portal/tickets/new/", form)
    second = http.post("/portal/tickets/new/", {**form, "subject": "Another problem"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] != second["Location"]
    assert Ticket.objects.filter(client=firm).count() == 2


@pytest.mark.parametrize(("data", "message"), [
    ({"subject": ""}, "Give the ticket a subject"),
    ({"subject": "x" * 201}, "at most 200 characters"),
    ({"body": "   "}, "Describe the problem"),
    ({"body": "x" * 100_001}, "at most 100000 characters"),
    ({"body": "a\x00b"}, "Null characters are not allowed"),
    ({"severity": "9"}, "Select a valid choice"),
    ({"severity": "abc"}, "Select a valid choice"),
])
def test_given_a_new_ticket_with_a_bad_field_then_the_form_says_why_and_no_ticket(firm, as_person, data, message):
    http = as_person(ClientUserFactory(client=firm))
    page = http.post("/portal/tickets/new/", {**_new_ticket_form(http), **data})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Ticket.objects.filter(client=firm).exists()


@pytest.mark.parametrize("path", ["/portal/tickets/new/", "/console/clients/", "/billing/prices/", "/oncall/",
                                  "/help/manage/", "/console/macros/", "/webhooks/", "/events/", "/training/"])
def test_given_a_post_without_its_csrf_token_then_403_and_nothing_happens(firm, path):
    # Given a person signed in with every role (so each page would accept a valid post)
    user = StaffFactory(staff_roles=["agent", "tam", "manager", "billing", "sysadmin"])
    if path.startswith("/portal/"):
        user = ClientUserFactory(client=firm)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    tickets = Ticket.objects.count()
    # When a form is posted without the token
    answer = http.post(path, {"subject": "x", "body": "y", "severity": "3", "name": "n"})
    # Then it is refused before the view runs
    assert answer.status_code == 403
    assert Ticket.objects.count() == tickets


@pytest.mark.parametrize("submission", ["not-hex\x00", "x" * 5000, ""])
def test_given_a_tampered_submission_value_then_the_ticket_is_still_opened(firm, as_person, submission):
    # The hidden value is not the person's input: a bad one opens the ticket without the double-submit guard
    # (an error on a hidden field would refuse the form with no message to see).
    http = as_person(ClientUserFactory(client=firm))
    answer = http.post("/portal/tickets/new/", {**_new_ticket_form(http), "submission": submission})
    assert answer.status_code == 302
    assert Ticket.objects.filter(client=firm, idempotency_key__isnull=True).count() == 1
