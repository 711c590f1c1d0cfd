from __future__ import annotations

import pytest

from supportdesk.livechat.tests.live_server import start


@pytest.fixture(scope="session")
def live_asgi(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    server = start()
    yield server
    server.stop()
