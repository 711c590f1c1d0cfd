"""Mail-provider inbound webhooks through django-anymail (its parsing and signature/basic-auth checks).

POST /intake/webhook/<provider>/ with provider mailgun, postmark or sendgrid. Anymail validates the
request (Mailgun: HMAC signature with the webhook signing key; all: the shared basic-auth secret), then
sends its `inbound` signal; our receiver stores the raw MIME (durably, in the request) and the view
answers 200. Anything failing before the commit answers 500, so the provider retries.

Settings: the ANYMAIL dict when the deployment sets one, else SUPPORTDESK_ANYMAIL_WEBHOOK_SECRET
("user:password", required for postmark and sendgrid) and SUPPORTDESK_ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY.
"""

from __future__ import annotations

import os
from typing import Any

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import InboundChannel


def _option(name: str) -> str:
    return str(getattr(settings, "ANYMAIL", {}).get(name) or os.environ.get(f"SUPPORTDESK_ANYMAIL_{name}", ""))


class _Configured:
    """Feeds anymail its secrets from our settings/env; refuses to run unsecured."""

    needs_basic_auth = True
    signing_key_option = ""

    def __init__(self, **kwargs: Any) -> None:
        secret = _option("WEBHOOK_SECRET")
        if secret:
            kwargs.setdefault("webhook_secret", secret)
        if self.signing_key_option:
            key = _option(self.signing_key_option)
            if not key:
                raise Http404("inbound webhook not configured")
            kwargs.setdefault("webhook_signing_key", key)
        elif self.needs_basic_auth and not secret:
            raise Http404("inbound webhook not configured")
        super().__init__(**kwargs)  # type: ignore[call-arg]


class MailgunInbound(_Configured, MailgunInboundWebhookView):
    signing_key_option = "MAILGUN_WEBHOOK_SIGNING_KEY"


class PostmarkInbound(_Configured, PostmarkInboundWebhookView):
    pass


class SendGridInbound(_Configured, SendGridInboundWebhookView):
    pass


PROVIDERS = {"mailgun": MailgunInbound, "postmark": PostmarkInbound, "sendgrid": SendGridInbound}


@csrf_exempt  # a provider's server-to-server POST has no CSRF token: anymail's signature/basic auth guard it
def inbound_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    view_class = PROVIDERS.get(provider)
    if view_class is None:
        raise Http404("unknown provider")
    return view_class.as_view()(request)  # type: ignore[attr-defined]


def raw_mime(event: Any) -> bytes:
    """The provider's raw MIME when it sent one (byte-faithful), else anymail's parsed message."""
    esp_event = event.esp_event
    raw: Any = None
    if isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")
    elif hasattr(esp_event, "POST"):
        raw = esp_event.POST.get("body-mime") or esp_event.POST.get("email")
    if raw:
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    return event.message.as_bytes()


def store_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    if sender not in PROVIDERS.values():
        return
    from .actions import receive

    envelope_from = getattr(event.message, "envelope_sender", None) or ""
    envelope_to = getattr(event.message, "envelope_recipient", None) or ""
    receive(raw_mime(event), channel=InboundChannel.WEBHOOK, envelope_from=envelope_from,
            envelope_to=f"{esp_name}:{envelope_to}")


inbound.connect(store_inbound, dispatch_uid="supportdesk.intake.store_inbound")
