from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD


@pytest.fixture
def as_person():  # noqa: ANN201
    def login(user) -> HttpClient:  # noqa: ANN001
        http = HttpClient()
        if user is not None:
            assert http.login(email=user.email, password=PASSWORD)
        return http

    return login
