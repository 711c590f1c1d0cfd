from __future__ import annotations

import pytest

from .live_server import start


@pytest.fixture(scope="session")
def live_asgi(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """uvicorn serving supportdesk.asgi on a free port for the whole session."""
    server = start()
    yield server
    server.stop()
