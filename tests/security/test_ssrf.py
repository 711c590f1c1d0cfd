"""SSRF: the only URLs we fetch are webhook subscriptions; private, loopback and link-local targets are refused
unless settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE is on (tests that post to a local sink turn it on).

The guard is `notifications.webhooks.is_public_url` (change request CR-1 in docs/security.md, applied).
"""

from __future__ import annotations

import pytest

from supportdesk.notifications import webhooks

pytestmark = pytest.mark.skipif(not hasattr(webhooks, "is_public_url"),
                                reason="pending change request CR-1: SSRF guard in notifications/webhooks.py")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/admin/", "http://localhost/", "http://[::1]/", "http://10.0.0.5/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://[fd00::1]/",
    "file:///etc/passwd", "gopher://example.com/", "http://2130706433/",
])
def test_given_an_internal_target_when_checked_then_refused(url, settings):
    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False
    assert webhooks.is_public_url(url) is False


def test_given_a_public_address_when_checked_then_allowed(settings):
    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False
    assert webhooks.is_public_url("https://93.184.215.14/hook") is True


@pytest.mark.django_db
def test_given_a_loopback_subscription_when_delivering_then_nothing_is_fetched(settings):
    from supportdesk.notifications.actions import enqueue_webhook
    from supportdesk.notifications.models import WebhookSubscription

    settings.SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = False
    WebhookSubscription.objects.create(url="http://127.0.0.1:9/hook", secret="s" * 32, active=True)
    item = enqueue_webhook(topic="ticket.opened", url="http://127.0.0.1:9/hook", payload={})
    with pytest.raises(webhooks.UnsafeWebhookTarget):
        webhooks.deliver_webhook(item)
