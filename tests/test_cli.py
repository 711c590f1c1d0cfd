"""The `supportdesk` command as a user runs it: separate processes against a data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUPPORTDESK_DATA_DIR": str(data_dir), "SUPPORTDESK_TESTING": "0"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "supportdesk.cli", *args], capture_output=True, text=True,
                            env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:  # noqa: ANN001
    data_dir = tmp_path_factory.mktemp("demo")
    run(data_dir, "demo")
    return data_dir


def test_demo_then_entitlements_on_a_date_prints_json(demo_dir):
    result = run(demo_dir, "entitlements", "Okafor Legal", "2026-01-15")
    data = json.loads(result.stdout)
    assert {"premium", "support-24x7"} <= set(data["offerings"])
    assert data["features"]["designated_user_limit"] == 10


def test_entitlements_for_an_unknown_client_exits_2_with_one_line(demo_dir):
    result = run(demo_dir, "entitlements", "Nobody LLP", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Nobody LLP" in result.stderr


def test_token_create_prints_a_token_that_opens_the_api(demo_dir):
    token = run(demo_dir, "token", "create", "--user", "agent@demo.supportdesk.local").stdout.strip()
    assert token.startswith("sd_")
    env = {**os.environ, "SUPPORTDESK_DATA_DIR": str(demo_dir), "SUPPORTDESK_TESTING": "0"}
    env.pop("DATABASE_URL", None)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='supportdesk.settings'; django.setup();"
        "from django.test import Client; c=Client();"
        f"print(c.get('/api/v1/tickets/', HTTP_AUTHORIZATION='Bearer {token}').status_code,"
        " c.get('/api/v1/tickets/', HTTP_AUTHORIZATION='Bearer sd_wrong').status_code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.split() == ["200", "401"], out.stderr
    from supportdesk.accounts.actions import hash_token

    assert hash_token(token) != token  # only the hash is stored (checked in the DB by the API test)


def test_create_admin_refuses_a_duplicate_email(demo_dir):
    result = run(demo_dir, "create-admin", "--email", "admin@demo.supportdesk.local", check=False)
    assert result.returncode == 2
    assert "already" in result.stderr


def test_unknown_command_exits_2_with_one_clear_line(tmp_path):
    result = run(tmp_path, "frobnicate", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:") and "\n" not in result.stderr.strip()


def test_help_explains_each_command(tmp_path):
    out = run(tmp_path, "--help").stdout
    for command in ("serve", "worker", "migrate", "create-admin", "demo", "entitlements", "token"):
        assert command in out
