"""Real processes for the production tests: an SMTP sink, a TCP proxy that can cut the database off,
`supportdesk` subprocesses on a data dir of their own, and a helper script run inside that environment."""

from __future__ import annotations

import asyncio
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[2]
OPS = Path(__file__).resolve().parent / "ops.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class SmtpSink:
    """Accepts every message and keeps (Message-ID, Subject) in arrival order; `delay` slows each DATA."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[tuple[str, str]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content)
        self.received.append((str(parsed["Message-ID"]), str(parsed["Subject"])))
        return "250 OK"

    def ids(self) -> list[str]:
        return [mid for mid, _ in self.received]

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class TcpProxy:
    """127.0.0.1:port -> target; `down()` refuses new connections and cuts open ones, `up()` restores."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            if self.listener is not None:
                try:
                    self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
                except OSError:
                    pass
                self.listener.close()
                self.listener = None
            for conn in self.connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass


def product_env(data_dir: Path, *, database_url: str | None = None, smtp_port: int | None = None,
                **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_XDIST_WORKER")}
    env.update({"SUPPORTDESK_TESTING": "0", "SUPPORTDESK_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO),
                "SUPPORTDESK_SECRET_KEY": "production-tests-secret-key-0123456789abcdef",
                "SUPPORTDESK_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "supportdesk.settings", **extra})
    if database_url:
        env["DATABASE_URL"] = database_url
    if smtp_port:
        env.update({"SUPPORTDESK_SMTP_HOST": "127.0.0.1", "SUPPORTDESK_SMTP_OUT_PORT": str(smtp_port)})
    return env


def ops(env: dict[str, str], *args: str) -> object:
    """Run tests/production/ops.py inside the product environment; returns its JSON answer."""
    out = subprocess.run([sys.executable, str(OPS), *args], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], env=env, cwd=REPO, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def kill9(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            kill9(proc)


def worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return spawn(["-m", "supportdesk.cli", "worker", "--no-periodic", "--workers", "1"], env, log)


def postgres_admin_url() -> str | None:
    """The PostgreSQL server the tests may create databases on, or None when there is none."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg

        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return base
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return None


def create_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def drop_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_postgres() -> str:
    import pytest

    base = postgres_admin_url()
    if base is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("PostgreSQL must be available in CI")
        pytest.skip("needs a PostgreSQL server (DATABASE_URL or 127.0.0.1:5432)")
    return base
