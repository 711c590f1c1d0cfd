"""Saved-reply pages: the management page (/console/macros/) and the console composer's fill-in fragment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from supportdesk import policy
from supportdesk.errors import DomainError
from supportdesk.policy import macros as macro_policy
from supportdesk.posted_ids import posted_id
from supportdesk.tickets import queries as ticket_queries
from supportdesk.web.access import staff_workers_only
from supportdesk.web.views.common import attach_error

from . import actions, composer, queries
from .forms import SavedReplyForm
from .models import SavedReply

PAGE_SIZE = 25


@staff_workers_only
def manage(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    form = SavedReplyForm(request.POST or None, may_share=macro_policy.can_write_shared(user))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_reply(user, **form.cleaned_data)
            return redirect("/console/macros/")
        except DomainError as exc:
            attach_error(form, exc)
    page = Paginator(queries.replies(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(reply, macro_policy.can_edit_reply(user, reply)) for reply in page.object_list]
    return render(request, "macros/manage.html", {"page": page, "rows": rows, "form": form})


@staff_workers_only
def edit(request: HttpRequest, reply_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    reply = _reply(user, reply_id)
    editable = macro_policy.can_edit_reply(user, reply) and not reply.archived
    if request.method == "POST" and not editable:
        raise PermissionDenied("Shared replies are changed by managers and system admins; archived ones by no one.")
    initial = {"title": reply.title, "body": reply.body, "kind": reply.kind, "status": reply.status}
    form = SavedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_reply(user, reply=reply, **form.cleaned_data)
            return redirect("/console/macros/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "macros/edit.html", {"reply": reply, "form": form, "editable": editable})


@require_POST
@staff_workers_only
def archive(request: HttpRequest, reply_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        actions.archive_reply(user, _reply(user, reply_id))
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return redirect("/console/macros/")


@staff_workers_only
def composer_fields(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx: the composer's kind, text and status checkbox filled from the chosen reply (204: none chosen)."""
    user = policy.signed_in(request)
    reply_id = posted_id(request.GET.get("saved_reply"))
    if not reply_id:
        return HttpResponse(status=204)  # htmx swaps nothing: what the agent typed stays
    try:
        ticket = ticket_queries.ticket_for(user, ticket_id)
        form = composer.filled_form(user, ticket, queries.reply_for(user, reply_id, usable=True))
    except DomainError as exc:
        raise Http404 from exc
    return render(request, "web/console/_composer_fields.html", {"message_form": form, "ticket": ticket})


def _reply(user: object, reply_id: int) -> SavedReply:
    try:
        return queries.reply_for(user, reply_id)
    except DomainError as exc:
        raise Http404 from exc
