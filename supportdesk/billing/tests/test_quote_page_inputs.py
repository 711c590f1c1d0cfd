"""The quote page takes what the API and the CLI take: the offering by name or code, the currency
optional (USD) and in any case."""

from __future__ import annotations

import pytest

from supportdesk.factories import StaffFactory


@pytest.fixture
def agent_http(db, as_person):  # noqa: ANN001, ANN201
    return as_person(StaffFactory(staff_roles=["agent"]))


def test_given_the_offering_by_name_and_no_currency_when_quoted_on_the_page_then_the_usd_tier_price(agent_http):
    page = agent_http.get("/billing/quote/", {"offering": "24/7 Support", "users": "35"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "field-error" not in text
    assert "800.00 USD a month" in text and "31–40 users" in text


def test_given_a_lower_case_name_and_currency_when_quoted_on_the_page_then_it_is_understood(agent_http):
    page = agent_http.get("/billing/quote/", {"offering": "24/7 support", "users": "11", "currency": "eur"})
    text = page.content.decode()
    assert "field-error" not in text
    assert "560.00 EUR a month" in text


def test_given_over_a_hundred_users_by_name_when_quoted_on_the_page_then_custom_pricing_is_required(agent_http):
    text = agent_http.get("/billing/quote/", {"offering": "24/7 Support", "users": "101"}).content.decode()
    assert "Custom pricing is required" in text
    assert "USD a month" not in text  # no automatic price shown


def test_given_an_unknown_offering_when_quoted_on_the_page_then_the_field_says_so(agent_http):
    page = agent_http.get("/billing/quote/", {"offering": "Gold Support", "users": "5"})
    assert page.status_code == 200
    assert 'data-field="offering"' in page.content.decode()
    assert "field-error" in page.content.decode()


# --- CLI: the quote stands when only the what-if is over the cap -------------------------------------

def run_quote(*args: str):  # noqa: ANN201
    from typer.testing import CliRunner

    from supportdesk.cli import app

    return CliRunner().invoke(app, ["quote", "--offering", "24/7 Support", *args])


def test_given_a_what_if_over_the_cap_when_quoted_by_the_cli_then_the_quote_prints_and_it_exits_2(db):
    result = run_quote("--users", "35", "--what-if", "101")
    assert result.exit_code == 2
    assert "MRC:      800.00 USD" in result.output
    assert "what if 101 users: Custom pricing is required" in result.output


def test_given_a_bad_what_if_when_quoted_by_the_cli_then_nothing_is_quoted_and_it_exits_2(db):
    result = run_quote("--users", "35", "--what-if", "lots")
    assert result.exit_code == 2
    assert "MRC:" not in result.output and "whole number" in result.output


def test_given_a_what_if_within_the_cap_when_quoted_by_the_cli_then_both_quotes_print(db):
    result = run_quote("--users", "35", "--what-if", "60")
    assert result.exit_code == 0, result.output
    assert "MRC:      800.00 USD" in result.output and "What if:" in result.output
    assert "MRC:      1000.00 USD" in result.output


# --- API: the price list is paged like every list ------------------------------------------------

def test_given_many_price_changes_when_reading_the_price_list_then_each_list_is_paged_with_its_count(db, as_person):
    from datetime import date, timedelta
    from decimal import Decimal

    from supportdesk.billing import actions
    from supportdesk.billing.pricing import offering_named

    premium = offering_named("premium")
    for n in range(5):
        actions.set_list_price(None, offering=premium, currency="USD", effective_from=date(2027, 1, 1) + timedelta(n),
                               monthly_price=Decimal("1600.00") + n)
    http = as_person(StaffFactory(staff_roles=["agent"]))
    everything = http.get("/api/v1/billing/prices").json()
    total = everything["list_prices_count"]
    assert total == len(everything["list_prices"]) >= 5
    first, second = (http.get("/api/v1/billing/prices", {"page": n, "page_size": 3}).json() for n in (1, 2))
    assert len(first["list_prices"]) == 3 and first["list_prices_count"] == total
    assert first["list_prices"] + second["list_prices"] == everything["list_prices"][:6]
    assert first["tiers_count"] == len(everything["tiers"])


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "abc"}, {"page_size": "0"}, {"page_size": "1000"}])
def test_bad_price_list_pages_are_refused_naming_the_field(db, as_person, query):
    answer = as_person(StaffFactory(staff_roles=["agent"])).get("/api/v1/billing/prices", query)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == set(query)
