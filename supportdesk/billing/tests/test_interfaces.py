"""Quotes, invoices and exports through the API, the web pages and the CLI, with the policy deciding
who sees what (anything not visible answers 404, like a missing id)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from typer.testing import CliRunner

from supportdesk.billing import actions
from supportdesk.factories import ClientUserFactory, StaffFactory

from .factories import maintenance_only, premium_only

ROLES = ["billing", "manager", "sysadmin", "agent", "tam", "client_admin", "client_user", "foreign_admin", None]
MANAGERS = {"billing", "manager", "sysadmin"}


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    own, other = premium_only(name="Own Firm"), maintenance_only(name="Other Firm")
    people = {role: StaffFactory(staff_roles=[role]) for role in ("billing", "manager", "sysadmin", "agent", "tam")}
    people["client_admin"] = ClientUserFactory(client=own, client_role="client_admin")
    people["client_user"] = ClientUserFactory(client=own)
    people["foreign_admin"] = ClientUserFactory(client=other, client_role="client_admin")
    issued = {inv.client_id: inv for inv in actions.issue_month(None, "2026-03").issued}
    return {"people": people, "own": issued[own.pk], "other": issued[other.pk], "own_client": own}


def may_see_own(role: str | None) -> bool:
    return role in MANAGERS or role == "client_admin"


@pytest.mark.parametrize("role", ROLES)
def test_invoice_documents_follow_the_policy(world, as_person, role):
    # Given the own client's issued invoice and a person in a role
    invoice = world["own"]
    http = as_person(world["people"][role] if role else None)
    urls = {"api": f"/api/v1/billing/invoices/{invoice.pk}", "api_pdf": f"/api/v1/billing/invoices/{invoice.pk}/pdf",
            "api_csv": f"/api/v1/billing/invoices/{invoice.pk}/csv", "web": f"/billing/invoices/{invoice.pk}/",
            "web_pdf": f"/billing/invoices/{invoice.pk}.pdf", "web_csv": f"/billing/invoices/{invoice.pk}.csv",
            "portal": f"/portal/invoices/{invoice.pk}/"}
    for fmt, url in urls.items():
        # When they ask for it in each form
        response = http.get(url)
        # Then: anonymous 401 (API) or sign-in (web); invisible 404; visible 200 with the document
        if role is None:
            assert response.status_code == (401 if fmt.startswith("api") else 302), fmt
        elif not may_see_own(role):
            assert response.status_code == 404, fmt
        else:
            assert response.status_code == 200, (fmt, response.content[:300])
            if fmt.endswith("pdf"):
                assert response.content.startswith(b"%PDF")
                assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"', fmt
            if fmt.endswith("csv"):
                assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.csv"', fmt
                rows = list(csv.DictReader(io.StringIO(response.content.decode())))
                assert rows[0]["amount"] == "1500.00" and rows[-1]["kind"] == "total"
            if fmt == "api":
                assert response.json()["total"] == "1500.00" and response.json()["number"] == invoice.number



def test_the_csv_export_cannot_smuggle_spreadsheet_formulas(db, as_person):
    # Given a client, a charge and a credit note whose texts start like spreadsheet formulas
    client = maintenance_only(name="=HYPERLINK(\"http://evil.example\",\"Click\")")
    actions.add_charge(None, client=client, kind="travel_expense", description="@SUM(A1:A9)", amount="10.00",
                       currency="USD", incurred_on=date(2026, 3, 3))
    actions.add_charge(None, client=client, kind="other", description="-2+3+cmd|' /C calc'!A0", amount="5.00",
                       currency="USD", incurred_on=date(2026, 3, 4))
    invoice = actions.issue_month(None, "2026-03").issued[0]
    actions.issue_credit_note(None, invoice, amount="5.00", reason="+1 duplicate charge")
    # When billing downloads the CSV
    response = as_person(StaffFactory(staff_roles=["billing"])).get(f"/billing/invoices/{invoice.pk}.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # Then no text cell starts with = + - @ (it is prefixed with an apostrophe) ...
    for row in rows:
        for name, cell in row.items():
            if name != "amount":
                assert not cell.startswith(("=", "+", "-", "@")), (name, cell)
    assert rows[0]["client"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert [row["description"] for row in rows[1:3]] == ["'@SUM(A1:A9)", "'-2+3+cmd|' /C calc'!A0"]
    # ... while amounts stay numbers (the credit note row is still -5.00)
    assert [row["amount"] for row in rows] == ["400.00", "10.00", "5.00", "415.00", "-5.00"]


def test_renaming_a_client_does_not_rewrite_its_issued_invoices(db, as_person):
    # Given an invoice issued to a client at its address then
    client = maintenance_only(name="Brightwater Family Law")
    client.address = "12 Harbour St\nHalifax"
    client.save()
    invoice = actions.issue_month(None, "2026-03").issued[0]
    # When the client is later renamed and moves
    client.name, client.address = "Brightwater & Vale LLP", "1 New Rd\nToronto"
    client.save()
    # Then the invoice page, its CSV and the API still show whom it was issued to, as issued
    billing = as_person(StaffFactory(staff_roles=["billing"]))
    page = billing.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "Brightwater Family Law" in page and "12 Harbour St" in page
    assert "Brightwater &amp; Vale LLP</p>" not in page and "1 New Rd" not in page
    rows = list(csv.DictReader(io.StringIO(billing.get(f"/billing/invoices/{invoice.pk}.csv").content.decode())))
    assert {row["client"] for row in rows} == {"Brightwater Family Law"}
    body = billing.get(f"/api/v1/billing/invoices/{invoice.pk}").json()
    assert (body["client"], body["billed_to_address"]) == ("Brightwater Family Law", "12 Harbour St\nHalifax")


def test_the_invoice_api_says_which_period_ends_are_exclusive_and_gives_the_last_days(db, as_person):
    # Given a contract starting on March 16
    maintenance_only(starts=date(2026, 3, 16))
    invoice = actions.issue_month(None, "2026-03").issued[0]
    # When billing reads the invoice through the API
    body = as_person(StaffFactory(staff_roles=["billing"])).get(f"/api/v1/billing/invoices/{invoice.pk}").json()
    # Then exclusive ends come with the inclusive last days
    assert (body["period_start"], body["period_end"], body["period_last_day"]) == (
        "2026-03-01", "2026-04-01", "2026-03-31")
    line = body["lines"][0]
    assert (line["service_from"], line["service_to"], line["service_last_day"]) == (
        "2026-03-16", "2026-04-01", "2026-03-31")

@pytest.mark.parametrize("role", ROLES)
def test_invoice_lists_show_only_what_the_policy_allows(world, as_person, role):
    http = as_person(world["people"][role] if role else None)
    response = http.get("/api/v1/billing/invoices")
    if role is None:
        assert response.status_code == 401
        return
    numbers = {item["number"] for item in response.json()["items"]}
    expected = {world["own"].number, world["other"].number} if role in MANAGERS else (
        {world["own"].number} if role == "client_admin" else {world["other"].number} if role == "foreign_admin"
        else set())
    assert numbers == expected


def test_a_client_admin_reads_and_downloads_own_invoices_in_the_portal(world, as_person):
    http = as_person(world["people"]["client_admin"])
    page = http.get("/portal/invoices/")
    assert page.status_code == 200
    assert world["own"].number in page.content.decode() and world["other"].number not in page.content.decode()
    assert http.get(f"/portal/invoices/{world['own'].pk}.pdf").content.startswith(b"%PDF")
    assert http.get(f"/portal/invoices/{world['other'].pk}.pdf").status_code == 404
    assert http.get(f"/portal/invoices/{world['other'].pk}/").status_code == 404


def test_other_client_users_are_told_to_ask_their_client_admin(world, as_person):
    page = as_person(world["people"]["client_user"]).get("/portal/invoices/")
    assert page.status_code == 200
    assert "client admins" in page.content.decode() and world["own"].number not in page.content.decode()


def test_the_billing_pages_are_for_billing_managers(world, as_person):
    billing = as_person(world["people"]["billing"])
    client_id = world["own_client"].pk
    for url in ("/billing/", f"/billing/clients/{client_id}/", "/billing/prices/", "/billing/quote/"):
        assert billing.get(url).status_code == 200, url
    agent = as_person(world["people"]["agent"])
    assert agent.get("/billing/").status_code == 404
    assert agent.get(f"/billing/clients/{client_id}/").status_code == 404
    assert as_person(world["people"]["client_admin"]).get(f"/billing/clients/{client_id}/").status_code == 404


def test_the_run_form_issues_a_month_and_shows_what_it_did(world, as_person, django_capture_on_commit_callbacks):
    # The form starts a background run (immediate in tests, once its transaction commits) and shows its page.
    http = as_person(world["people"]["billing"])
    with django_capture_on_commit_callbacks(execute=True):
        started = http.post("/billing/", {"month": "2026-04"})
    page = http.get(started["Location"])
    assert page.status_code == 200 and "2 invoice(s) issued" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started_again = http.post("/billing/", {"month": "2026-04"})
    assert "0 invoice(s) issued, 2 already issued" in http.get(started_again["Location"]).content.decode()
    bad = http.post("/billing/", {"month": "April"})
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()


def test_an_expense_form_without_a_rate_shows_the_error_in_place(world, as_person):
    http = as_person(world["people"]["billing"])
    page = http.post(f"/billing/clients/{world['own_client'].pk}/", {
        "form": "charge", "charge-kind": "travel_expense", "charge-description": "Hotel", "charge-amount": "90.00",
        "charge-currency": "EUR", "charge-incurred_on": "2026-04-02"})
    assert page.status_code == 200 and "give the exchange rate" in page.content.decode()


def test_a_credit_note_from_the_invoice_page(world, as_person):
    http = as_person(world["people"]["manager"])
    page = http.post(f"/billing/invoices/{world['own'].pk}/", {"action": "credit_note", "amount": "100.00",
                                                               "reason": "Goodwill"}, follow=True)
    assert "Credit note CN-" in page.content.decode()
    assert "1400.00" in page.content.decode()


# --- quotes -------------------------------------------------------------------------------------

def test_the_quote_api_shows_tier_base_step_mrc_and_a_what_if(world, as_person):
    http = as_person(world["people"]["billing"])
    body = http.get("/api/v1/billing/quote", {"offering": "24/7 Support", "users": "35", "currency": "USD",
                                              "what_if": "101"}).json()
    assert (body["tier"], body["tier_label"], body["base"], body["step"], body["mrc"]) == (
        4, "31–40 users", "500.00", "100.00", "800.00")
    assert body["what_if"]["error"]["code"] == "billing.custom_price_required"
    body = http.get("/api/v1/billing/quote", {"offering": "support-24x7", "users": "12", "what_if": "100"}).json()
    assert (body["mrc"], body["what_if"]["mrc"]) == ("600.00", "1400.00")


@pytest.mark.parametrize(("users", "currency", "code", "field"), [
    ("101", "USD", "billing.custom_price_required", "users"), ("0", "USD", "billing.bad_user_count", "users"),
    ("-3", "USD", "billing.bad_user_count", "users"), ("2.5", "USD", "billing.bad_user_count", "users"),
    ("lots", "USD", "billing.bad_user_count", "users"), ("99999999999", "USD", "billing.bad_user_count", "users"),
    ("5", "QQQ", "billing.unknown_currency", "currency"),
])
def test_the_quote_api_refuses_bad_input_naming_the_field(db, as_person, users, currency, code, field):
    response = as_person(StaffFactory(staff_roles=["billing"])).get(
        "/api/v1/billing/quote", {"offering": "24/7 Support", "users": users, "currency": currency})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code and field in response.json()["error"]["fields"]



@pytest.mark.parametrize("what_if", ["abc", "0", "-5", "2.5", "99999999999"])
def test_a_bad_what_if_user_count_is_refused_naming_the_field(db, as_person, what_if):
    # Given a valid quote request with a what-if that is not a user count
    response = as_person(StaffFactory(staff_roles=["billing"])).get(
        "/api/v1/billing/quote", {"offering": "24/7 Support", "users": "35", "what_if": what_if})
    # Then it is bad input like a bad `users`: 422 naming what_if, not a 200 quote
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "billing.bad_user_count"
    assert "what_if" in response.json()["error"]["fields"]

def test_quotes_are_for_staff(world, as_person):
    assert as_person(None).get("/api/v1/billing/quote?offering=premium&users=1").status_code == 401
    assert as_person(world["people"]["client_admin"]).get(
        "/api/v1/billing/quote?offering=premium&users=1").status_code == 403


def test_the_quote_page_explains_the_price(world, as_person):
    page = as_person(world["people"]["agent"]).get(
        "/billing/quote/", {"offering": "support-24x7", "users": "101", "currency": "USD"})
    assert "Custom pricing is required" in page.content.decode()
    page = as_person(world["people"]["agent"]).get(
        "/billing/quote/", {"offering": "support-24x7", "users": "21", "currency": "USD", "what_if": "95"})
    text = page.content.decode()
    assert "700.00 USD a month" in text and "1400.00 USD a month" in text and "21–30 users" in text


@pytest.mark.parametrize("field", ["users", "what_if"])
def test_given_a_user_count_too_long_to_read_when_quoted_then_the_page_says_what_a_count_must_be(world, as_person,
                                                                                                  field):
    # Given an agent on the quote page; when a count of 25 digits is asked for
    sent = {"offering": "support-24x7", "users": "21", "currency": "USD", field: "9" * 25}
    page = as_person(world["people"]["agent"]).get("/billing/quote/", sent)
    # Then the field says what a user count must be, as for any other bad count (not a length rule)
    text = page.content.decode()
    assert "The number of users must be a whole number from 1 to 1,000,000." in text
    assert "at most 20 characters" not in text


def test_api_charges_credits_and_prices_refuse_bad_input(world, as_person):
    http = as_person(world["people"]["billing"])
    client_id = world["own_client"].pk
    bad = http.post(f"/api/v1/billing/clients/{client_id}/charges", {
        "description": "Hotel", "amount": "NaN", "currency": "USD", "incurred_on": "2026-04-01"},
        content_type="application/json")
    assert bad.status_code == 422 and "amount" in bad.json()["error"]["fields"]
    no_rate = http.post(f"/api/v1/billing/clients/{client_id}/charges", {
        "description": "Hotel", "amount": "80.00", "currency": "GBP", "incurred_on": "2026-04-01"},
        content_type="application/json")
    assert no_rate.status_code == 422 and "rate" in no_rate.json()["error"]["fields"]
    ok = http.post(f"/api/v1/billing/clients/{client_id}/credits", {
        "description": "Goodwill", "amount": "25.00", "currency": "USD"}, content_type="application/json")
    assert ok.status_code == 201
    neg = http.post("/api/v1/billing/prices", {"offering": "premium", "currency": "USD",
                                               "effective_from": "2026-06-01", "monthly_price": "-1"},
                    content_type="application/json")
    assert neg.status_code == 422 and "monthly_price" in neg.json()["error"]["fields"]
    agent = as_person(world["people"]["agent"])
    assert agent.post("/api/v1/billing/invoices/run", {"month": "2026-04"},
                      content_type="application/json").status_code == 403



@pytest.mark.parametrize("sent,field", [
    ({"amount": "0"}, "amount"),                                        # a charge of nothing bills nothing
    ({"amount": "12.50", "currency": "EUR", "rate": "0.0001"}, "rate"),  # converted, it rounds to 0.00 USD
    ({"rate": "1.35"}, "rate"),                  # in the billing currency: the rate used to be dropped unread
    ({"rate": "abc"}, "rate"),
    ({"incurred_on": "9999-12-31"}, "incurred_on"),  # outside the years 2 to 9998, as the page says
    ({"incurred_on": "0001-01-01"}, "incurred_on"),
])
def test_a_charge_that_bills_nothing_or_the_client_page_refuses_is_refused_naming_the_field(world, as_person, sent,
                                                                                          field):
    # Given a billing admin and a client billed in USD; when a charge is posted that bills nothing, or with a
    # value the client's billing page refuses
    body = {"description": "Taxi", "amount": "12.50", "currency": "USD", "incurred_on": "2026-04-01", **sent}
    refused = as_person(world["people"]["billing"]).post(
        f"/api/v1/billing/clients/{world['own_client'].pk}/charges", body, content_type="application/json")
    # Then it is a 422 naming the field, and nothing (no 0.00 line) waits for the next invoice
    assert refused.status_code == 422, refused.content
    assert field in refused.json()["error"]["fields"]
    assert not world["own_client"].charges.exists()


def test_over_long_descriptions_and_reasons_are_refused_not_cut(world, as_person):
    # Given a billing admin and texts longer than the 200 characters a description may have
    http = as_person(world["people"]["billing"])
    client_id, long_text = world["own_client"].pk, "Hotel " * 100
    # When a charge, a credit and a credit note are sent with them
    responses = {
        "description": http.post(f"/api/v1/billing/clients/{client_id}/charges", {
            "description": long_text, "amount": "80.00", "currency": "USD", "incurred_on": "2026-04-01"},
            content_type="application/json"),
        "credit": http.post(f"/api/v1/billing/clients/{client_id}/credits", {
            "description": long_text, "amount": "5.00", "currency": "USD"}, content_type="application/json"),
        "reason": http.post(f"/api/v1/billing/invoices/{world['own'].pk}/credit-notes", {
            "amount": "5.00", "reason": long_text}, content_type="application/json"),
    }
    # Then each is 422 naming the field, and nothing was stored cut short
    for name, response in responses.items():
        assert response.status_code == 422, (name, response.content)
        assert response.json()["error"]["code"] == "billing.text_too_long"
        assert ("reason" if name == "reason" else "description") in response.json()["error"]["fields"]
    assert not world["own_client"].charges.exists() and not world["own_client"].credits.exists()
    assert not world["own"].credit_notes.exists()
    # And 200 characters are still fine
    ok = http.post(f"/api/v1/billing/clients/{client_id}/charges", {
        "description": "x" * 200, "amount": "80.00", "currency": "USD", "incurred_on": "2026-04-01"},
        content_type="application/json")
    assert ok.status_code == 201 and ok.json()["description"] == "x" * 200

# --- CLI ----------------------------------------------------------------------------------------

def run_cli(*args: str):  # noqa: ANN201
    from supportdesk.cli import app

    return CliRunner().invoke(app, list(args))


def test_the_quote_command_prints_tier_base_step_mrc_and_why(db):
    result = run_cli("quote", "--offering", "24/7 Support", "--users", "45")
    assert result.exit_code == 0, result.output
    for text in ("Tier:     5 (41–50 users)", "Base:     500.00 USD", "Step:     100.00 USD", "MRC:      900.00 USD",
                 "Why:"):
        assert text in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--users", "101"], "Custom pricing is required"),
    (["--users", "ten"], "whole number"),
    (["--users", "0"], "whole number"),
    (["--users", "5", "--currency", "XYZ"], "Unknown currency"),
    ([], "give the number of users"),
])
def test_the_quote_command_exits_2_with_one_clear_line(db, args, message):
    result = run_cli("quote", "--offering", "24/7 Support", *args)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_given_a_flat_priced_offering_when_quoted_without_users_then_the_list_price_everywhere(db, as_person):
    # Given Premium Support, which has a flat list price (no user tiers)
    # When it is quoted without a user count on the CLI, the API and the page
    printed = run_cli("quote", "--offering", "Premium Support")
    answered = as_person(StaffFactory(staff_roles=["agent"])).get("/api/v1/billing/quote",
                                                                   {"offering": "Premium Support"})
    page = as_person(StaffFactory(staff_roles=["agent"])).get("/billing/quote/",
                                                              {"offering": "premium", "users": "", "currency": "USD"})
    # Then each shows the flat list price; 24/7 Support still needs the number of users
    assert printed.exit_code == 0, printed.output
    assert "MRC:      1500.00 USD" in printed.output
    assert answered.status_code == 200, answered.content
    assert (answered.json()["mrc"], answered.json()["users"]) == ("1500.00", None)
    assert page.status_code == 200 and "1500.00" in page.content.decode()
    per_user = as_person(StaffFactory(staff_roles=["agent"])).get("/api/v1/billing/quote", {"offering": "24/7 Support"})
    assert per_user.status_code == 422 and "users" in per_user.json()["error"]["fields"]


def test_the_invoices_run_command_is_idempotent(db):
    premium_only()
    first = run_cli("invoices", "run", "--month", "2026-03")
    assert first.exit_code == 0 and "1 issued" in first.output and "INV-" in first.output
    second = run_cli("invoices", "run", "--month", "2026-03")
    assert second.exit_code == 0 and "0 issued, 1 already issued" in second.output
    assert run_cli("invoices", "run", "--month", "03/2026").exit_code == 2


def test_given_a_terminal_when_the_invoice_run_works_through_the_clients_then_it_shows_their_progress(db, monkeypatch):
    # Given two clients to invoice and a terminal (a stream the bar may draw on), bars shown from one client on
    from functools import partial

    from supportdesk import progress
    from supportdesk.billing import cli

    premium_only()
    premium_only(name="Okafor Legal")
    terminal = io.StringIO()
    monkeypatch.setattr(progress, "progress_bar", partial(progress.progress_bar, stream=terminal))
    monkeypatch.setattr(cli, "BAR_FROM_CLIENTS", 1)
    # When the month is run
    result = run_cli("invoices", "run", "--month", "2026-03")
    # Then the bar went through both clients, and stdout still ends with the plain summary scripts read
    assert result.exit_code == 0, result.output
    assert "Invoicing 2026-03" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert result.stdout.splitlines()[-1] == "2026-03: 2 issued, 0 already issued."


def test_receipts_are_downloadable_by_who_sees_the_invoice(world, as_person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    charge = actions.add_charge(None, client=world["own_client"], kind="travel_expense", description="Train",
                                amount="60.00", currency="USD", incurred_on=date(2026, 4, 3),
                                receipt=SimpleUploadedFile("train.pdf", b"%PDF train"))
    actions.issue_month(None, "2026-04")
    url = f"/billing/charges/{charge.pk}/receipt"
    assert b"".join(as_person(world["people"]["client_admin"]).get(url).streaming_content) == b"%PDF train"
    assert as_person(world["people"]["foreign_admin"]).get(url).status_code == 404
