"""`supportdesk serve` starts the product from an empty data folder: a new user's first command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_creates_the_data_folder_an_admin_and_answers_http(tmp_path):
    port = free_port()
    data_dir = tmp_path / "fresh"
    env = {**os.environ, "SUPPORTDESK_TESTING": "0"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "serve", "--port", str(port), "--data-dir",
                             str(data_dir), "--smtp-port", "0", "--demo"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output, status = "", None
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as response:
            assert b'"openapi"' in response.read()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "admin@supportdesk.local with password" in output
    assert "demo-password-2026" in output
    assert (data_dir / "supportdesk.sqlite3").exists()
