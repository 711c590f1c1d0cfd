"""Running `supportdesk export|import|report` in-process against the test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from typer.testing import CliRunner

from supportdesk.cli import app
from supportdesk.sla import calendars_store


@pytest.fixture
def sd(monkeypatch, db) -> Callable[..., Result]:  # noqa: ANN001
    """`sd("export", "tickets", ...)`: the command's result (exit_code, stdout, stderr)."""
    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)  # the test database

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return invoke


@pytest.fixture(autouse=True)
def _fresh_calendars():  # noqa: ANN202
    calendars_store.forget_cache()
    yield
    calendars_store.forget_cache()


