"""The system admin's outbound webhook screens (/webhooks/, SPEC §11): list, subscribe (the API's validation,
errors under the field, the secret shown once), deactivate after confirming, and each subscription's deliveries
from the outbox. Everyone else gets 404, as from the API; anonymous people go to sign-in."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient
from django.utils.html import escape

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.notifications.actions import create_subscription
from supportdesk.notifications.models import OutboxItem, OutboxKind, WebhookSubscription

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/supportdesk"


@pytest.fixture
def admin():  # noqa: ANN201
    return StaffFactory(staff_roles=["sysadmin"])


def _field_errors(html: str, field: str) -> str:
    """The markup of one field's block in web/_form.html, where its errors are shown."""
    start = html.index(f'data-field="{field}"')
    return html[start:html.index("</div>", start)]


def test_given_subscriptions_when_the_admin_opens_the_screen_then_they_are_listed_without_secrets(as_person, admin):
    create_subscription(admin, url=URL, topics=["ticket.opened", "ticket.*"], secret="s" * 40)
    gone = create_subscription(admin, url="https://old.example.com/hook", secret="o" * 40)
    create_subscription(admin, url="https://other.example.com/hook", secret="p" * 40)
    gone.active = False
    gone.save()

    response = as_person(admin).get("/webhooks/")

    assert response.status_code == 200
    html = response.content.decode()
    assert URL in html and "ticket.opened, ticket.*" in html and "every topic" in html
    assert "https://old.example.com/hook" in html and "deactivated" in html
    assert "s" * 40 not in html and "o" * 40 not in html and "p" * 40 not in html


def test_given_many_subscriptions_when_listed_then_they_are_paged(as_person, admin):
    for n in range(27):
        create_subscription(admin, url=f"https://h{n}.example.com/hook")

    first, second = as_person(admin).get("/webhooks/"), as_person(admin).get("/webhooks/?page=2")

    assert "Page 1 of 2" in first.content.decode() and "?page=2" in first.content.decode()
    assert "https://h0.example.com/hook" in second.content.decode()
    assert "https://h26.example.com/hook" not in second.content.decode()


def test_given_the_form_when_the_admin_subscribes_then_the_secret_is_shown_once(as_person, admin, caplog):
    http = as_person(admin)

    with caplog.at_level(logging.DEBUG):
        created = http.post("/webhooks/", {"url": URL, "topics": "ticket.opened, ticket.status_changed message.public"})

    assert created.status_code == 201
    subscription = WebhookSubscription.objects.get()
    assert subscription.topics == ["ticket.opened", "ticket.status_changed", "message.public"]
    assert subscription.active and len(subscription.secret) >= 16
    html = created.content.decode()
    assert subscription.secret in html and "will not be shown again" in html
    assert "no-store" in created["Cache-Control"]
    assert subscription.secret not in caplog.text
    assert subscription.secret not in http.get("/webhooks/").content.decode()
    assert subscription.secret not in http.get(f"/webhooks/{subscription.pk}/").content.decode()


def test_given_a_chosen_secret_when_subscribing_then_it_is_kept(as_person, admin):
    as_person(admin).post("/webhooks/", {"url": URL, "topics": "", "secret": "k" * 20})

    assert WebhookSubscription.objects.get().secret == "k" * 20
    assert WebhookSubscription.objects.get().topics == []


@pytest.mark.parametrize("body,field", [
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": URL, "topics": "Ticket Opened!"}, "topics"),
    ({"url": URL, "secret": "short"}, "secret"),
])
def test_given_bad_input_when_subscribing_then_the_error_is_under_the_field_and_nothing_is_created(
        as_person, admin, body, field):
    response = as_person(admin).post("/webhooks/", body)

    assert response.status_code == 422
    assert 'class="field-error"' in _field_errors(response.content.decode(), field)
    assert not WebhookSubscription.objects.exists()


def test_given_a_private_address_when_subscribing_then_the_url_field_says_so(as_person, admin, settings):
    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False

    response = as_person(admin).post("/webhooks/", {"url": "http://127.0.0.1:9/hook", "secret": "x" * 20})

    assert response.status_code == 422
    block = _field_errors(response.content.decode(), "url")
    assert "public address" in block and 'class="field-error"' in block
    assert "x" * 20 not in response.content.decode()  # a refused form never echoes the secret
    assert not WebhookSubscription.objects.exists()


def test_given_a_subscription_when_the_admin_confirms_deactivation_then_it_is_deactivated(as_person, admin):
    subscription = create_subscription(admin, url=URL)
    http = as_person(admin)

    asked = http.get(f"/webhooks/{subscription.pk}/deactivate/")
    assert asked.status_code == 200 and "Deactivate" in asked.content.decode()
    subscription.refresh_from_db()
    assert subscription.active  # asking changes nothing

    done = http.post(f"/webhooks/{subscription.pk}/deactivate/", follow=True)

    subscription.refresh_from_db()
    assert not subscription.active
    assert done.redirect_chain[-1][0] == "/webhooks/" and "is deactivated" in done.content.decode()


def test_given_no_csrf_token_when_deactivating_then_it_is_refused(admin):
    subscription = create_subscription(admin, url=URL)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(admin)

    assert http.post(f"/webhooks/{subscription.pk}/deactivate/").status_code == 403
    subscription.refresh_from_db()
    assert subscription.active


def test_given_a_ticket_event_when_the_admin_opens_deliveries_then_the_queued_delivery_is_listed(as_person, admin):
    subscription = create_subscription(admin, url=URL, topics=["ticket.opened"])
    other = create_subscription(admin, url=URL, topics=["ticket.opened"])  # same URL, its own deliveries

    TicketFactory()

    item = OutboxItem.objects.get(kind=OutboxKind.WEBHOOK, headers__subscription=subscription.pk)
    response = as_person(admin).get(f"/webhooks/{subscription.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ticket.opened" in html and escape(item.message_id) in html and "Pending" in html and "not yet" in html
    theirs = OutboxItem.objects.get(kind=OutboxKind.WEBHOOK, headers__subscription=other.pk)
    assert escape(theirs.message_id) not in html


def test_given_an_unknown_subscription_then_404(as_person, admin):
    assert as_person(admin).get("/webhooks/999/").status_code == 404


@pytest.mark.parametrize("role", ["agent", "tam", "manager", "billing"])
def test_given_a_staff_member_who_is_not_a_system_admin_then_every_screen_answers_404(as_person, admin, role):
    subscription = create_subscription(admin, url=URL)
    http = as_person(StaffFactory(staff_roles=[role]))

    assert http.get("/webhooks/").status_code == 404
    assert http.post("/webhooks/", {"url": "https://x.example.com/hook"}).status_code == 404
    assert http.get(f"/webhooks/{subscription.pk}/").status_code == 404
    assert http.post(f"/webhooks/{subscription.pk}/deactivate/").status_code == 404
    assert WebhookSubscription.objects.filter(active=True).count() == 1


@pytest.mark.parametrize("client_role", ["client_user", "client_admin"])
def test_given_a_client_person_then_every_screen_answers_404(as_person, admin, client_role):
    subscription = create_subscription(admin, url=URL)
    http = as_person(ClientUserFactory(client_role=client_role))

    assert http.get("/webhooks/").status_code == 404
    assert http.get(f"/webhooks/{subscription.pk}/").status_code == 404
    assert http.post(f"/webhooks/{subscription.pk}/deactivate/").status_code == 404


def test_given_anonymous_then_sign_in_is_asked(as_person):
    response = as_person(None).get("/webhooks/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_given_a_system_admin_then_the_navigation_links_to_webhooks(as_person, admin):
    assert 'href="/webhooks/"' in as_person(admin).get("/webhooks/").content.decode()
    assert 'href="/webhooks/"' not in as_person(StaffFactory(staff_roles=["manager"])).get("/dashboard/").content.decode()
