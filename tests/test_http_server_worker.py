"""A web worker listens only once its app is imported: with SO_REUSEPORT the kernel hands a listening socket its share
of new connections at once, so a restarted worker that listened first held them while Django imported."""

from __future__ import annotations

import uvicorn

from supportdesk import http_server


def test_given_a_worker_starting_then_it_imports_the_app_before_its_socket_listens(monkeypatch):
    steps: list[str] = []
    monkeypatch.setattr(uvicorn.Config, "load", lambda self: steps.append("app imported"))
    monkeypatch.setattr(http_server, "reuse_port_socket", lambda host, port: steps.append("listening") or object())
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: steps.append("serving"))

    http_server.run_worker("127.0.0.1", 8999, http_server.APP, {})

    assert steps == ["app imported", "listening", "serving"]
