"""Test-wide set-up: the database vendor in use, and PostgreSQL being required in CI."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import time_machine


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"supportdesk database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_person():  # noqa: ANN201
    """A test HTTP client signed in as the given person (None: anonymous)."""
    from django.test import Client as HttpClient

    from supportdesk.factories import PASSWORD

    def login(user) -> HttpClient:  # noqa: ANN001
        http = HttpClient()
        if user is not None:
            assert http.login(email=user.email, password=PASSWORD)
        return http

    return login


@pytest.fixture
def postgres_only(db):  # noqa: ANN001, ANN201
    """Skip unless the suite runs on PostgreSQL (the CI runs it there too)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")


# A test that needs none of these never reaches a database (pytest-django refuses it one otherwise). The blocker
# counts only when the test asks for it itself: pytest-django's own autouse fixtures take it for every test.
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "live_server", "django_db_setup"}


def uses_a_database(item: pytest.Item) -> bool:
    own = getattr(getattr(item, "_fixtureinfo", None), "argnames", ())
    return item.get_closest_marker("django_db") is not None or "django_db_blocker" in own or \
        bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every transactional test restores the seeded rows (catalogue, prices, help center) afterwards.

    A transactional test flushes the database; without serialized rollback the next one that restores
    serialized data would collide with rows recreated by post_migrate, and later tests would miss the seed.

    With SUPPORTDESK_DATABASE_TESTS_ONLY=1 (scripts/test's PostgreSQL pass) the tests that never reach a database
    (the SLA engine, parsers, lint-like scans) are left out: the first pass ran them, and they cannot differ.
    """
    if os.environ.get("SUPPORTDESK_DATABASE_TESTS_ONLY") == "1":
        without = [item for item in items if not uses_a_database(item)]
        if without:
            config.hook.pytest_deselected(items=without)
            items[:] = [item for item in items if uses_a_database(item)]
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                            append=False)


@pytest.fixture
def clock():  # noqa: ANN201
    """Freeze time at a given instant and move it on: `clock.at(utc(...))` (time_machine, not ticking)."""

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


class SmtpSink:
    """What a real SMTP server (aiosmtpd, on a free loopback port) received: raw messages, and parsed."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(envelope.original_content)
        return "250 OK"

    def parsed(self) -> list:
        from email import message_from_bytes, policy

        return [message_from_bytes(raw, policy=policy.default) for raw in self.messages]


@pytest.fixture
def smtp_sink(settings):  # noqa: ANN001, ANN201
    """Django's SMTP backend pointed at a real SMTP server for the test; yields what it received."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = SmtpSink()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    smtp.stop()
