"""Outbound webhooks (SPEC §11): system admins subscribe URLs through the API; ticket changes queue a delivery
in the change's transaction; the worker posts it signed (HMAC-SHA256 of "timestamp.body") to a real HTTP
server and retries with backoff until it is accepted, with the same delivery id every time."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.notifications.dispatch import dispatch_due
from supportdesk.notifications.models import OutboxItem, OutboxKind, OutboxStatus, WebhookSubscription
from supportdesk.tickets import actions as tickets

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on loopback answering each POST with the next queued status (default 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():  # noqa: ANN201
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def admin():  # noqa: ANN201
    return StaffFactory(staff_roles=["sysadmin"])


def _subscribe(as_person, admin, url: str, **extra: object) -> dict:  # noqa: ANN001
    response = as_person(admin).post("/api/v1/webhooks", data=json.dumps({"url": url, **extra}),
                                     content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _due_now() -> None:
    OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_given_a_subscription_when_a_ticket_is_opened_then_a_signed_post_reaches_the_receiver(as_person, admin,
                                                                                              receiver):
    created = _subscribe(as_person, admin, receiver.url, topics=["ticket.opened"])
    assert len(created["secret"]) >= 16

    ticket = TicketFactory()
    assert dispatch_due() >= 1

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    expected = hmac.new(created["secret"].encode(), f"{headers['x-supportdesk-timestamp']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-supportdesk-signature"], f"sha256={expected}")
    document = json.loads(body)
    assert document["topic"] == "ticket.opened"
    assert document["data"]["ticket_id"] == ticket.pk and document["data"]["client_id"] == ticket.client_id
    assert headers["x-supportdesk-delivery"] == document["id"]


def test_given_the_receiver_fails_when_retried_then_it_is_delivered_once_with_the_same_id(as_person, admin,
                                                                                         receiver):
    _subscribe(as_person, admin, receiver.url, topics=["ticket.*"])
    TicketFactory()
    receiver.statuses = [500]

    dispatch_due()
    item = OutboxItem.objects.get(kind=OutboxKind.WEBHOOK, topic="ticket.opened")
    assert item.status == OutboxStatus.PENDING and item.attempts == 1
    assert item.next_attempt_at > timezone.now()  # backoff
    assert dispatch_due() == 0  # not due yet

    _due_now()
    dispatch_due()
    item.refresh_from_db()
    assert item.status == OutboxStatus.SENT
    ids = [h["x-supportdesk-delivery"] for h, _ in receiver.requests]
    assert ids == [item.message_id, item.message_id]
    _due_now()
    dispatch_due()
    assert len(receiver.requests) == 2  # a sent delivery is never sent again


def test_given_a_rolled_back_change_then_no_delivery_is_queued(admin, receiver):
    from supportdesk.notifications.actions import create_subscription

    create_subscription(admin, url=receiver.url)
    requester = ClientUserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.open_ticket(requester, subject="Will roll back", body="x")
        raise RuntimeError
    assert not OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).exists()


def test_given_topics_then_only_those_events_are_delivered(admin, receiver):
    from supportdesk.notifications.actions import create_subscription

    create_subscription(admin, url=receiver.url, topics=["ticket.status_changed"])
    agent = StaffFactory()
    ticket = TicketFactory()
    assert not OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).exists()
    tickets.update_ticket(agent, ticket, expected_version=ticket.version, status="open")
    assert list(OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).values_list("topic", flat=True)) == \
        ["ticket.status_changed"]


@pytest.mark.parametrize("role", ["agent", "manager", "billing"])
def test_given_a_person_who_is_not_a_system_admin_then_webhooks_answer_404(as_person, role, receiver):
    http = as_person(StaffFactory(staff_roles=[role]))
    assert http.post("/api/v1/webhooks", data=json.dumps({"url": receiver.url}),
                     content_type="application/json").status_code == 404
    assert http.get("/api/v1/webhooks").status_code == 404
    assert not WebhookSubscription.objects.exists()


def test_given_anonymous_then_401(as_person):
    assert as_person(None).get("/api/v1/webhooks").status_code == 401


@pytest.mark.parametrize("body,field", [
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://example.com/" + "x" * 300}, "url"),
    ({"url": "http://[::1/hook"}, "url"),
    ({"url": "http://example.com:99999/hook"}, "url"),
    ({"url": "http://example.com/a b"}, "url"),
    ({"url": "https://example.com/hook", "topics": ["Ticket Opened!"]}, "topics"),
    ({"url": "https://example.com/hook", "secret": "short"}, "secret"),
])
def test_given_bad_input_when_subscribing_then_422_naming_the_field(as_person, admin, body, field):
    response = as_person(admin).post("/api/v1/webhooks", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not WebhookSubscription.objects.exists()


def test_given_a_private_target_when_private_targets_are_not_allowed_then_422(as_person, admin, settings):
    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False
    response = as_person(admin).post("/api/v1/webhooks", data=json.dumps({"url": "http://127.0.0.1:9/hook"}),
                                     content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "webhook.bad_url"


def test_given_a_subscription_when_listed_then_deleted_then_nothing_more_is_delivered(as_person, admin, receiver):
    created = _subscribe(as_person, admin, receiver.url)
    http = as_person(admin)
    listed = http.get("/api/v1/webhooks").json()
    assert [w["id"] for w in listed["items"]] == [created["id"]] and "secret" not in listed["items"][0]
    TicketFactory()  # queued before the removal: dropped, not posted
    assert http.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert http.get(f"/api/v1/webhooks/{created['id']}").status_code == 404
    dispatch_due()
    TicketFactory()
    dispatch_due()
    assert receiver.requests == []
    assert OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).count() == 1


def test_given_two_subscriptions_on_one_url_then_each_delivery_is_signed_with_its_own_secret(admin, receiver):
    from supportdesk.notifications.actions import create_subscription

    first = create_subscription(admin, url=receiver.url, secret="a" * 32)
    second = create_subscription(admin, url=receiver.url, secret="b" * 32)
    TicketFactory()
    dispatch_due()
    signatures = set()
    for headers, body in receiver.requests:
        signatures.add(headers["x-supportdesk-signature"])
        assert any(hmac.compare_digest(headers["x-supportdesk-signature"], "sha256=" + hmac.new(
            s.secret.encode(), f"{headers['x-supportdesk-timestamp']}.".encode() + body, hashlib.sha256).hexdigest())
            for s in (first, second))
    assert len(receiver.requests) == 2 and len(signatures) == 2


def test_given_a_follow_up_of_a_closed_ticket_when_opened_then_its_opened_and_linked_events_are_both_delivered(
        admin, receiver):
    from supportdesk.notifications.actions import create_subscription

    create_subscription(admin, url=receiver.url, topics=["ticket.*"])
    closed = TicketFactory()
    OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).delete()

    follow_up = tickets.open_ticket(closed.requester, subject="Still broken", body="x", linked_from=closed).ticket

    queued = {item.topic: item.payload["data"] for item in OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK)}
    assert set(queued) == {"ticket.opened", "ticket.linked"}
    assert queued["ticket.linked"] == {"linked_from": closed.pk}
    assert queued["ticket.opened"]["message_id"] == follow_up.messages.get().pk


def test_given_a_name_that_resolves_public_then_private_when_delivered_then_the_checked_address_is_posted_to(
        receiver, settings, monkeypatch):
    # Given private targets refused, and a name whose DNS answers a public address when checked, then a private one
    # (DNS rebinding); the public address 93.184.216.34 is this test's receiver, the private one nothing
    import socket

    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # a direct connection, as without an egress proxy
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    real_getaddrinfo, answers = socket.getaddrinfo, iter(["93.184.216.34"])

    def dns(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "127.0.0.2"), port))]
        if host == "93.184.216.34":
            return real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    WebhookSubscription.objects.create(url=f"http://hooks.example:{port}/hook", topics=[], secret="s" * 32,
                                       active=True)
    TicketFactory()
    # When the delivery is posted
    dispatch_due()
    # Then it reached the address that was checked, named as the subscription names it
    assert len(receiver.requests) == 1
    assert receiver.requests[0][0]["host"] == f"hooks.example:{port}"
    assert OutboxItem.objects.get(kind=OutboxKind.WEBHOOK).status == OutboxStatus.SENT
