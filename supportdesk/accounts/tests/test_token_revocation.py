"""Tokens for integrations (§11): an operator lists them and revokes one by the prefix `token list` shows; the
next request made with it is refused. A token for a deactivated person is refused when asked for, not handed
out dead."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from django.test import Client as HttpClient
from typer.testing import CliRunner

from supportdesk.accounts.actions import PREFIX_LENGTH, create_token
from supportdesk.accounts.models import AccountEvent, ApiToken
from supportdesk.cli import app
from supportdesk.factories import StaffFactory


@pytest.fixture
def sd(monkeypatch, db) -> Callable[..., Result]:  # noqa: ANN001
    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)  # the test database
    return lambda *args: CliRunner().invoke(app, list(args))


def api_status(secret: str) -> int:
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/tickets/").status_code


def test_given_a_token_in_use_when_revoked_by_its_listed_prefix_then_the_next_request_is_refused(sd):
    # Given an integration's token that works
    agent = StaffFactory(email="agent@vendor.example")
    token, secret = create_token(None, user=agent, name="crm sync")
    assert api_status(secret) == 200
    listed = sd("token", "list", "--user", "agent@vendor.example")
    assert listed.exit_code == 0
    assert token.prefix in listed.stdout and "crm sync" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.stdout  # only the prefix is ever shown again
    # When the operator revokes it by that prefix
    revoked = sd("token", "revoke", token.prefix)
    # Then the API refuses it, the list says so, and the history records who it belonged to
    assert revoked.exit_code == 0, revoked.stderr
    assert f"Revoked token {token.prefix}" in revoked.stdout
    assert api_status(secret) == 401
    assert "revoked" in sd("token", "list").stdout
    assert AccountEvent.objects.filter(kind="token.revoked", data__prefix=token.prefix).count() == 1


def test_given_a_revoked_or_unknown_token_when_revoked_then_one_clear_line_and_exit_2(sd):
    _, secret = create_token(None, user=StaffFactory(), name="old")
    assert sd("token", "revoke", secret).exit_code == 0  # the whole secret names it too
    again = sd("token", "revoke", secret)
    unknown = sd("token", "revoke", "sd_nothing-like-it")
    assert (again.exit_code, unknown.exit_code) == (2, 2)
    assert "already revoked" in again.stderr
    assert "no token matches 'sd_nothing…'" in unknown.stderr and "token list" in unknown.stderr
    assert AccountEvent.objects.filter(kind="token.revoked").count() == 1


def test_given_two_tokens_sharing_a_prefix_when_revoked_by_that_prefix_then_refused_naming_the_clash_and_both_work(
        sd, tokens_sharing_a_prefix):
    # Given two tokens in use that `token list` shows with one prefix
    (first, first_secret), (second, second_secret) = tokens_sharing_a_prefix
    assert sd("token", "list").stdout.count("sd_clash12") == 2
    # When the operator revokes by that prefix
    refused = sd("token", "revoke", "sd_clash12")
    # Then the command fails saying the prefix names two tokens and how to name one, and revokes neither
    assert refused.exit_code == 2
    assert "More than one token starts with sd_clash12, so none was revoked" in refused.stderr
    assert "whole secret" in refused.stderr
    assert (api_status(first_secret), api_status(second_secret)) == (200, 200)
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert not AccountEvent.objects.filter(kind="token.revoked").exists()
    # And the whole secret of one revokes that one only
    assert sd("token", "revoke", second_secret).exit_code == 0
    assert (api_status(first_secret), api_status(second_secret)) == (200, 401)


def test_given_more_than_a_prefix_that_is_not_a_secret_when_revoking_then_no_token_is_taken_by_its_first_characters(
        sd):
    # Given a token in use
    token, secret = create_token(None, user=StaffFactory(), name="crm")
    # When the operator names something that starts with its prefix but is neither the prefix nor the secret
    # (a mistyped secret, or a prefix with more characters after it)
    mistyped = sd("token", "revoke", secret[:-1] + ("x" if secret[-1] != "x" else "y"))
    longer = sd("token", "revoke", token.prefix + "zz")
    # Then nothing is revoked, and the error says what names a token, without repeating what was typed
    assert (mistyped.exit_code, longer.exit_code) == (2, 2)
    assert f"no token matches '{token.prefix}…'" in mistyped.stderr and "whole secret" in mistyped.stderr
    assert secret[PREFIX_LENGTH:] not in mistyped.stderr
    assert api_status(secret) == 200 and ApiToken.objects.get().revoked_at is None


def test_given_a_deactivated_person_when_a_token_is_asked_for_then_it_is_refused_and_none_is_stored(sd):
    gone = StaffFactory(email="gone@vendor.example")
    gone.is_active = False  # deactivated in the admin: there is no action for it
    gone.save(update_fields=["is_active"])
    result = sd("token", "create", "--user", "gone@vendor.example")
    assert result.exit_code == 2
    assert "deactivated" in result.stderr
    assert not ApiToken.objects.exists()
