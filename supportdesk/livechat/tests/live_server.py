"""The real ASGI application (HTTP + WebSockets) served by uvicorn on a free loopback port, in a thread.

Shared by the livechat and telephony tests. The server uses the test database of the running test
(tests that use it are `django_db(transaction=True)` so their rows are committed and visible).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn


@dataclass
class LiveServer:
    host: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start() -> LiveServer:
    from django.db import connections

    from supportdesk.asgi import application

    # Server threads close their connections after each request/consumer call, so the test
    # database can be dropped at the end of the session (PostgreSQL refuses while sessions remain).
    for alias in connections.settings:
        connections.settings[alias]["CONN_MAX_AGE"] = 0

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, lifespan="off", log_level="warning", ws_max_size=64 * 1024)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn-test")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return LiveServer("127.0.0.1", port, server, thread)
