"""Scale-out on loopback: two web replicas and two workers against one PostgreSQL database and Redis.
A chat message sent through one replica reaches an agent connected to the other; 1,000 notifications are
each sent exactly once across both workers (counted at the SMTP sink by Message-ID)."""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections import Counter

import pytest

from .harness import (
    SmtpSink,
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
NOTIFICATIONS = 1000


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("needs Redis (REDIS_URL or 127.0.0.1:6379)")
    return url.rsplit("/", 1)[0] + "/9"  # a database of its own, flushed first


def up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_two_replicas_and_two_workers_share_chat_and_send_each_notification_once(tmp_path):
    from websockets.sync.client import connect

    base = require_postgres()
    redis = redis_url()
    import redis as redis_lib

    redis_lib.Redis.from_url(redis).flushdb()
    name = f"sd_scale_{uuid.uuid4().hex[:8]}"
    database = create_database(base, name)
    procs = []
    try:
        with SmtpSink() as sink:
            env = product_env(tmp_path / "data", database_url=database, smtp_port=sink.port, REDIS_URL=redis)
            ops(env, "migrate")
            cookies = ops(env, "chat-people")
            ports = [free_port(), free_port()]
            for i, port in enumerate(ports):
                procs.append(spawn(["-m", "uvicorn", "supportdesk.asgi:application", "--host", "127.0.0.1",
                                    "--port", str(port), "--no-access-log"], env, tmp_path / f"web{i}.log"))
            procs.append(worker(env, tmp_path / "worker0.log"))
            procs.append(spawn(["-m", "supportdesk.cli", "worker", "--workers", "1"], env, tmp_path / "worker1.log"))
            for port in ports:
                wait_for(lambda p=port: up(p), 40, f"web replica on {port}", step=0.3)

            # Chat: the client on replica 0, the agent on replica 1; frames cross through Redis.
            def ws(port: int, path: str, cookie: str):  # noqa: ANN202
                return connect(f"ws://127.0.0.1:{port}{path}", origin=f"http://127.0.0.1:{port}",
                               additional_headers={"Cookie": cookie}, open_timeout=10, close_timeout=2)

            def recv(conn, kind: str) -> dict:  # noqa: ANN001
                while True:
                    frame = json.loads(conn.recv(timeout=15))
                    if frame["type"] == kind:
                        return frame

            with ws(ports[0], "/ws/chat/", cookies["client"]) as client, \
                    ws(ports[1], "/ws/chat/agents/", cookies["agent"]) as agent:
                recv(client, "hello")
                recv(agent, "waiting")
                client.send(json.dumps({"type": "start", "id": "s-1", "subject": "Server down"}))
                conversation = recv(client, "started")["conversation"]
                client.send(json.dumps({"type": "message", "conversation": conversation, "id": "m-1",
                                        "body": "Our server is down"}))
                recv(client, "ack")
                waiting = recv(agent, "waiting")
                while not waiting["conversations"]:
                    waiting = recv(agent, "waiting")
                agent.send(json.dumps({"type": "pickup", "conversation": conversation}))
                recv(agent, "picked")
                assert recv(client, "status")["status"] == "active"
                client.send(json.dumps({"type": "message", "conversation": conversation, "id": "m-2",
                                        "body": "Sent through replica 0"}))
                assert recv(agent, "message")["body"] == "Sent through replica 0"

            # Notifications: 1,000 rows, two workers claiming with SKIP LOCKED.
            queued = ops(env, "enqueue", str(NOTIFICATIONS), "Scale")
            wait_for(lambda: set(sink.ids()) >= set(queued), 50, "1,000 mails at the sink", step=0.5)
            counts = Counter(mid for mid in sink.ids() if mid in set(queued))
            assert len(counts) == NOTIFICATIONS
            assert max(counts.values()) == 1  # each sent exactly once across both workers
            assert len(ops(env, "claimers")) == 2  # and both workers did send
    finally:
        for proc in procs:
            stop(proc)
        drop_database(base, name)
