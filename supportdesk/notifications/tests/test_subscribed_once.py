"""A webhook subscription retried after a timeout (Idempotency-Key) or sent twice from the screen (a double click)
is made once, so no event is delivered twice; the retry is answered with the first subscription and its secret."""

from __future__ import annotations

import re

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.factories import StaffFactory
from supportdesk.notifications import actions
from supportdesk.notifications.models import WebhookSubscription

URL = "https://hooks.example.com/supportdesk"
BODY = {"url": URL, "topics": ["ticket.opened", "ticket.*"]}


@pytest.fixture
def admin(db):  # noqa: ANN001, ANN201
    return StaffFactory(staff_roles=["sysadmin"])


def _post(http, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post("/api/v1/webhooks", body, content_type="application/json", **headers)


def test_given_a_subscription_retried_with_its_key_then_one_subscription_and_the_first_secret(admin, as_person):
    # Given a subscription with a generated secret, whose answer (the only place the secret is shown) was lost
    http = as_person(admin)
    first = _post(http, BODY, "hook-1")
    # When the client retries the same POST with the same key
    again = _post(http, BODY, "hook-1")
    # Then the retry answers the first subscription and its secret with 200: one subscription, one delivery per event
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() and again.json()["secret"] == WebhookSubscription.objects.get().secret


def test_given_a_retry_after_it_was_deactivated_then_the_first_subscription_not_a_new_one(admin, as_person):
    http = as_person(admin)
    first = _post(http, BODY, "hook-2")
    actions.remove_subscription(admin, first.json()["id"])
    again = _post(http, BODY, "hook-2")
    assert (again.status_code, again.json()["id"], again.json()["active"]) == (200, first.json()["id"], False)
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.parametrize("other", [{"url": "https://other.example.com/hook"}, {"topics": ["ticket.opened"]},
                                   {"secret": "s" * 20}])
def test_given_a_key_reused_for_another_subscription_then_422_and_nothing_subscribed(admin, as_person, other):
    http = as_person(admin)
    assert _post(http, BODY, "hook-3").status_code == 201
    answer = _post(http, {**BODY, **other}, "hook-3")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "webhook.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_subscribed(admin, as_person, key):
    answer = _post(as_person(admin), BODY, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "webhook.bad_idempotency_key")
    assert not WebhookSubscription.objects.exists()


def test_given_the_same_key_from_two_admins_or_no_key_then_each_post_subscribes(admin, as_person):
    a = _post(as_person(admin), BODY, "same")
    b = _post(as_person(StaffFactory(staff_roles=["sysadmin"])), BODY, "same")
    c, d = (_post(as_person(admin), BODY, None) for _ in range(2))
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4
    assert WebhookSubscription.objects.count() == 4


def test_the_openapi_document_names_the_header_and_both_successes(admin, as_person):
    operation = as_person(admin).get("/api/v1/openapi.json").json()["paths"]["/api/v1/webhooks"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_unique_key_decides(admin, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    first = actions.subscribe(admin, url=URL, idempotency_key="race")
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry writes its subscription and the unique key refuses it
    again = actions.subscribe(admin, url=URL, idempotency_key="race")
    # Then it answers the first subscription, its secret included
    assert (again.created, again.record.pk, again.record.secret, len(looks)) == (
        False, first.record.pk, first.record.secret, 2)
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_subscription(tmp_path):
    admin = StaffFactory(staff_roles=["sysadmin"])
    with shared_file_database(tmp_path):
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.subscribe(admin, url=URL, idempotency_key="same"))
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(WebhookSubscription.objects.values_list("pk", flat=True))


def test_given_the_screens_form_sent_twice_then_one_subscription_and_the_same_secret_shown(admin, as_person):
    # Given the admin on the webhooks screen, with the form as it was rendered
    http = as_person(admin)
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get("/webhooks/").content.decode())
    assert found, "the subscription form carries its submission value"
    sent = {"url": URL, "topics": "ticket.opened", "submission": found.group(1)}
    # When it is sent twice (a double click)
    answers = [http.post("/webhooks/", sent) for _ in range(2)]
    # Then one subscription is made, and both answers show its one secret
    subscription = WebhookSubscription.objects.get()
    assert [a.status_code for a in answers] == [201, 201]
    assert all(subscription.secret in a.content.decode() for a in answers)
    # and the form edited and sent again is a second subscription
    assert http.post("/webhooks/", {**sent, "topics": "ticket.*"}).status_code == 201
    assert WebhookSubscription.objects.count() == 2
