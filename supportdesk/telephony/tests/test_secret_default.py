"""The phone webhook has no built-in secret: a value written in the source would let anyone post calls."""

import os
import subprocess
import sys

READ_SECRET = "import supportdesk.settings as s; print(repr(s.SUPPORTDESK['PHONE_WEBHOOK_SECRET']))"


def _secret_loaded_with(env_secret: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SUPPORTDESK_PHONE_SECRET"}
    if env_secret is not None:
        env["SUPPORTDESK_PHONE_SECRET"] = env_secret
    done = subprocess.run([sys.executable, "-c", READ_SECRET], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_given_no_phone_secret_in_the_environment_when_settings_load_then_the_webhook_secret_is_empty():
    # Given the environment names no phone secret, when the settings load,
    # then there is none: the webhook answers 503 until one is set (test_phone_webhook)
    assert _secret_loaded_with(None) == "''"


def test_given_a_phone_secret_in_the_environment_when_settings_load_then_it_is_used():
    assert _secret_loaded_with("from-the-vault") == "'from-the-vault'"
