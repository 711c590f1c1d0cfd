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
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from typing import Any

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from .limits import mail_limits
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
    if request.method == "POST":
        too_large = _read_body(request)
        if too_large is not None:
            return too_large
    return view_class.as_view()(request)  # type: ignore[attr-defined]


def webhook_max_bytes() -> int:
    """Largest provider post: the mail limit three times over (JSON posts carry the raw message and its
    attachments again in base64), and never less than Django's general request limit."""
    return max(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0), 3 * mail_limits().max_bytes)


def _read_body(request: HttpRequest) -> HttpResponse | None:
    """Read the post within webhook_max_bytes rather than Django's general 10 MB request limit (a
    provider posting a 12 MB mail got 400 and the mail was never stored); a multipart form is split
    here, keeping each field's bytes as sent (the raw MIME stays byte for byte)."""
    limit = webhook_max_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = b"" if length > limit else request.read(limit + 1)
    if length > limit or len(body) > limit:
        return HttpResponse(f"The post is larger than {limit} bytes.", status=413, content_type="text/plain")
    request._body = body  # type: ignore[attr-defined]  # read once: request.body no longer checks the size
    if request.content_type == "multipart/form-data":
        request._post, request._files = _form_fields(request, body)  # type: ignore[attr-defined]
    return None


def _form_fields(request: HttpRequest, body: bytes) -> tuple[QueryDict, MultiValueDict]:
    head = f"Content-Type: {request.META.get('CONTENT_TYPE', '')}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    form = BytesParser(policy=compat32).parsebytes(head + body)
    post, files = QueryDict(mutable=True), MultiValueDict[str, SimpleUploadedFile]()
    raw_fields: dict[str, bytes] = {}
    parts: list[Message] = [p for p in form.get_payload() if isinstance(p, Message)] if form.is_multipart() else []
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename:
            files.appendlist(name, SimpleUploadedFile(filename, data, part.get_content_type()))
        else:
            post.appendlist(name, data.decode("utf-8", "replace"))  # as Django decodes a form field
            raw_fields.setdefault(name, data)
    post._mutable = False
    request.raw_form_fields = raw_fields  # type: ignore[attr-defined]  # each field's bytes, for raw_mime
    return post, files


def raw_mime(event: Any) -> bytes:
    """The provider's raw MIME when it sent one (byte-faithful), else anymail's parsed message."""
    esp_event = event.esp_event
    raw: Any = None
    if isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")
    elif hasattr(esp_event, "POST"):
        fields = getattr(esp_event, "raw_form_fields", {})  # the form field's bytes as sent (8-bit mail too)
        raw = fields.get("body-mime") or fields.get("email") or esp_event.POST.get("body-mime") or \
            esp_event.POST.get("email")
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
