"""Running `supportdesk export|import|report` in-process against the test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import time_machine
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


@pytest.fixture
def frozen():  # noqa: ANN201
    """Freeze time at an instant and move it on: `frozen.at(datetime)`."""

    class Mover:
        traveller: time_machine.travel | None = None

        def at(self, instant: datetime) -> None:
            if self.traveller is None:
                self.traveller = time_machine.travel(instant, tick=False)
                self.shift = self.traveller.start()
            else:
                self.shift.move_to(instant)

    mover = Mover()
    yield mover
    if mover.traveller is not None:
        mover.traveller.stop()
