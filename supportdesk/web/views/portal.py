"""The client portal: a client's people open and follow their tickets and see their plan."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from supportdesk import policy
from supportdesk.catalogue.models import SeverityLevel
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import DomainError
from supportdesk.tickets import attachments, queries
from supportdesk.tickets.routing import queue_for
from supportdesk.web.access import client_people_only

from ..forms import PortalReplyForm, TicketForm
from .common import attach_error


@client_people_only
def ticket_list(request: HttpRequest) -> HttpResponse:
    qs = queries.ticket_list(policy.signed_in(request), q=request.GET.get("q") or None).order_by("-created_at", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "web/portal/ticket_list.html", {"page": page, "q": request.GET.get("q", "")})


@client_people_only
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, request.FILES or None)
    user = policy.signed_in(request)
    decision = queue_for(user.client, user, timezone.now())  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            opened = attachments.open_ticket_with_attachments(
                user, form.cleaned_data["attachments"], subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"], severity=form.cleaned_data["severity"], channel="portal", source="web",
                idempotency_key=form.idempotency_key())  # sent twice: the first ticket, not a second one
            return redirect(f"/portal/tickets/{opened.ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "web/portal/ticket_new.html", {
        "form": form, "queue_decision": decision, "severities": SeverityLevel.objects.all(),
        "entitlements": entitlements_for(user.client, timezone.now()),  # type: ignore[arg-type]
        "designated": policy.is_designated(user)})


@client_people_only
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    except DomainError as exc:
        raise Http404 from exc
    form = PortalReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachments.reply_with_attachments(policy.signed_in(request), ticket, form.cleaned_data["attachments"],
                                               body=form.cleaned_data["body"], kind="public", channel="portal",
                                               source="web", idempotency_key=form.idempotency_key())  # sent twice: one
            return redirect(f"/portal/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "web/portal/ticket_detail.html", {
        "ticket": ticket, "messages_list": policy.visible_messages(policy.signed_in(request), ticket), "form": form,
        "attachments": queries.attachments_of(policy.signed_in(request), ticket.pk),
        # The history as the API's /events gives it to this person (no internal note, file or escalation).
        "events": policy.visible_events(policy.signed_in(request), ticket),
        "merged_into_visible": ticket.merged_into is not None and policy.can_view_ticket(policy.signed_in(request),
                                                                                        ticket.merged_into),
    })


@login_required
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    """A file of a ticket the person may see (the policy decides), as a sandboxed download; anything else is 404."""
    try:
        found = attachments.attachment_for(policy.signed_in(request), ticket_id, attachment_id)
        return attachments.download_response(found)  # a file missing from storage is a 404 too
    except DomainError as exc:
        raise Http404 from exc


@client_people_only
def plan(request: HttpRequest) -> HttpResponse:
    client = policy.signed_in(request).client
    assert client is not None
    entitlements = entitlements_for(client, timezone.now())
    return render(request, "web/portal/plan.html", {
        "client": client, "entitlements": entitlements, "plan_codes": sorted(entitlements.offering_codes),
        "severities": SeverityLevel.objects.all(),
        "designated": policy.is_designated(policy.signed_in(request)),
    })
