"""Database briefly unavailable (PostgreSQL behind a proxy we cut): requests answer 503 with Retry-After,
the worker backs off without dying and sends what was queued once the database is back."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from .harness import (
    SmtpSink,
    TcpProxy,
    create_database,
    drop_database,
    free_port,
    ops,
    product_env,
    require_postgres,
    spawn,
    stop,
    wait_for,
    worker,
)

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def get(url: str, token: str) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()
    except OSError:
        return 0, {}, b""


def test_given_the_database_cut_off_then_503_with_retry_after_and_the_worker_resumes(tmp_path):
    base = require_postgres()
    name = f"sd_fault_{uuid.uuid4().hex[:8]}"
    direct_url = create_database(base, name)
    host_part = direct_url.split("@")[1].split("/")[0]
    host, _, port_text = host_part.partition(":")
    proxy = TcpProxy(int(port_text or 5432), host)
    proxy.up()
    procs = []
    try:
        with SmtpSink() as sink:
            direct = product_env(tmp_path / "data", database_url=direct_url, smtp_port=sink.port)
            ops(direct, "migrate")
            token = ops(direct, "staff-token")["token"]
            via_proxy_url = direct_url.replace(host_part, f"127.0.0.1:{proxy.port}")
            env = product_env(tmp_path / "data", database_url=via_proxy_url, smtp_port=sink.port,
                              SUPPORTDESK_CONN_MAX_AGE="60")
            port = free_port()
            procs.append(spawn(["-m", "uvicorn", "supportdesk.asgi:application", "--host", "127.0.0.1", "--port",
                                str(port), "--no-access-log"], env, tmp_path / "web.log"))
            procs.append(worker(env, tmp_path / "worker.log"))
            url = f"http://127.0.0.1:{port}/api/v1/tickets/"
            wait_for(lambda: get(url, token)[0] == 200, 40, "the web process", step=0.3)
            first = ops(direct, "enqueue", "3", "Before")
            wait_for(lambda: set(sink.ids()) >= set(first), 20, "mail before the cut")

            proxy.down()
            status, headers, body = get(url, token)
            assert status == 503
            assert int(headers.get("Retry-After", "0")) > 0
            assert json.loads(body)["error"]["code"] == "unavailable"
            during = ops(direct, "enqueue", "3", "During")  # written while the worker cannot reach the database
            time.sleep(3)
            assert procs[1].poll() is None  # the worker backs off, it does not die
            assert not set(sink.ids()) & set(during)

            proxy.up()
            wait_for(lambda: set(sink.ids()) >= set(during), 30, "mail after the database came back")
            wait_for(lambda: get(url, token)[0] == 200, 20, "the web process to answer again", step=0.3)
    finally:
        for proc in procs:
            stop(proc)
        proxy.down()
        drop_database(base, name)
