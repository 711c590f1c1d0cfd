"""`supportdesk web`: each worker accepts on its own SO_REUSEPORT socket, a worker that dies is replaced,
and stopping the parent stops every worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .harness import REPO, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def listening_pids(port: int) -> set[int]:
    """Processes with a socket listening on 127.0.0.1:port (from /proc: inode of each socket -> pid)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(fields[9])
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    pids.add(int(proc.name))
        except OSError:
            continue
    return pids


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def test_given_two_workers_then_each_listens_itself_a_killed_one_is_replaced_and_stop_stops_all(tmp_path):
    port = free_port()
    env = {**os.environ, "SUPPORTDESK_TESTING": "0", "SUPPORTDESK_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": str(REPO)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "supportdesk.cli", "migrate"], env=env, check=True, capture_output=True)
    parent = subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "web", "--port", str(port), "--workers", "2",
                               "--log-level", "warning"], env=env, cwd=REPO)
    try:
        # Given two workers, each with its own listening socket on the port
        wait_for(lambda: answers(port) and len(listening_pids(port)) == 2, 60, "two listening workers")
        first = listening_pids(port)
        assert parent.pid not in first
        # When one is killed, then another takes its place and the port keeps answering
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(listening_pids(port) - {victim}) == 2, 60, "a replacement worker")
        assert answers(port)
        workers = listening_pids(port)
        # When the parent is stopped, then every worker stops too
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
        wait_for(lambda: not any(alive(pid) for pid in workers), 30, "the workers to stop")
    finally:
        if parent.poll() is None:
            parent.kill()
