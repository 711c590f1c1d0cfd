"""CLI `supportdesk entitlements CLIENT DATE`: what the client had on a date, readable by people too."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from supportdesk.cli import app
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)  # the test database
    client = ClientFactory(name="Acme Law")
    record_order(None, client=client, number="SOF-1", kind="form", signed_on=date(2026, 1, 1),
                 effective_from=date(2026, 1, 1), lines=[LineInput(offering="premium")])
    return client


def test_given_a_premium_client_when_asked_for_a_date_then_the_answer_names_the_offerings(firm):
    result = CliRunner().invoke(app, ["entitlements", "Acme Law", "2026-03-14"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["client"] == "Acme Law" and answer["on"] == "2026-03-14"
    assert answer["offerings"] == ["maintenance", "premium", "tam"]
    assert answer["offering_names"] == ["Maintenance Support", "Premium Support", "Technical Account Manager"]


def test_the_date_may_also_be_given_as_an_option_but_only_once(firm):
    runner = CliRunner()
    by_option = runner.invoke(app, ["entitlements", "Acme Law", "--on", "2025-12-31"])
    assert by_option.exit_code == 0, by_option.output
    assert json.loads(by_option.output)["offerings"] == []
    twice = runner.invoke(app, ["entitlements", "Acme Law", "2026-03-14", "--on", "2025-12-31"])
    assert twice.exit_code == 2 and "once" in twice.output
