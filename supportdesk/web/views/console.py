"""The agent console: the queue (priority first, nearest due), ticket work, search."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.actions import current_tam
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import Conflict, DomainError, Invalid
from supportdesk.macros import composer as saved_replies
from supportdesk.macros.actions import set_status_after_reply
from supportdesk.sla.models import Clock, ClockState
from supportdesk.tickets import actions, merges, queries
from supportdesk.tickets.errors import TicketError
from supportdesk.tickets.models import Queue, Status, Ticket
from supportdesk.web.access import staff_workers_only

from ..forms import MergeForm, MessageForm, TicketFieldsForm
from .common import attach_error

WHO = {"mine": "assigned to you", "unassigned": "unassigned"}


@staff_workers_only
def queue(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    which = request.GET.get("queue") or None
    if which is not None and which not in Queue.values:  # a stale or mistyped link: say so, show every queue
        messages.warning(request, f"There is no {which[:40]!r} queue; showing every queue.")
        which = None
    who = request.GET.get("who", "")
    who = who if who in WHO else ""
    tickets = queries.agent_queue(user, queue=which)
    if who:
        tickets = queries.assigned(tickets, user, "me" if who == "mine" else "none")
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    _attach_warn_at(page.object_list)
    template = "web/console/_queue_rows.html" if request.headers.get("HX-Request") else "web/console/queue.html"
    return render(request, template, {"page": page, "queue": which or "", "who": who, "who_label": WHO.get(who, ""),
                                      "now": timezone.now()})


def _attach_warn_at(tickets: Iterable[Ticket]) -> None:
    """Give each ticket of the page `sla_warn_at`: the warning instant of the running clock whose due instant the
    queue shows (Ticket.sla_due_at), so its countdown turns amber when that clock's warning goes out. One query."""
    tickets = list(tickets)
    warn = {(ticket_id, due): warn_at for ticket_id, due, warn_at in Clock.objects.filter(
        ticket_id__in=[t.pk for t in tickets if t.sla_due_at], state=ClockState.RUNNING, stopped_at__isnull=True,
    ).values_list("ticket_id", "due_at", "warn_at")}
    for t in tickets:
        t.sla_warn_at = warn.get((t.pk, t.sla_due_at))  # type: ignore[attr-defined]


@staff_workers_only
def next_ticket(request: HttpRequest) -> HttpResponse:
    ticket = queries.next_ticket(policy.signed_in(request))
    return redirect(f"/console/tickets/{ticket.pk}/" if ticket else "/console/")


@staff_workers_only
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = queries.ticket_list(policy.signed_in(request), q=q).order_by("-created_at") if q else None
    page = Paginator(results, 25).get_page(request.GET.get("page")) if results is not None else None
    return render(request, "web/console/search.html", {"q": q, "page": page})


@staff_workers_only
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        ticket = queries.ticket_for(policy.signed_in(request), ticket_id)
    except DomainError as exc:
        raise Http404 from exc
    message_form = MessageForm(prefix="msg", initial={"kind": "public"})
    status = 200
    fields_form = _fields_form(ticket)
    merge_form = MergeForm(prefix="merge")
    # The composer posts through htmx (HX-Request) and gets the reply area and the parts a message changes back;
    # a plain post (no JavaScript) is handled the same way and redirects, or shows the page with errors.
    htmx = bool(request.headers.get("HX-Request")) and request.method == "POST" and (
        "msg-body" in request.POST or "saved-reply-insert" in request.POST)
    if request.method == "POST":
        if "merge-into" in request.POST:
            merge_form = MergeForm(request.POST, prefix="merge")
            if merge_form.is_valid():
                try:
                    target = _merge(request, ticket, merge_form.cleaned_data)
                    return redirect(f"/console/tickets/{target.pk}/")
                except DomainError as exc:
                    attach_error(merge_form, exc)
        elif "saved-reply-insert" in request.POST:  # before "msg-body": the composer's no-JS "Insert" posts it too
            message_form = saved_replies.insert(request, ticket)
        elif "msg-body" in request.POST:
            message_form = MessageForm(request.POST, prefix="msg")
            if message_form.is_valid():
                try:
                    kind = message_form.cleaned_data["kind"]
                    with transaction.atomic():  # the reply and a saved reply's "then set status": both or neither
                        added = actions.write_message(
                            policy.signed_in(request), ticket, body=message_form.cleaned_data["body"], kind=kind,
                            channel="phone" if kind == "call" else "portal", source="web",
                            idempotency_key=message_form.idempotency_key())  # sent twice: one message
                        if added.created:  # a replay's status was set by the first send
                            set_status_after_reply(policy.signed_in(request), ticket,
                                                   message_form.cleaned_data["then_status"])
                    if not htmx:
                        return redirect(f"/console/tickets/{ticket.pk}/")
                    # htmx: answer with the updated parts at once (an empty composer, the fields form at the
                    # ticket's new version so the next save is not refused as stale).
                    ticket.refresh_from_db()
                    message_form = MessageForm(prefix="msg", initial={"kind": "public"})
                    fields_form = _fields_form(ticket)
                except DomainError as exc:
                    ticket.refresh_from_db()  # add_message refreshed it inside the transaction rolled back
                    attach_error(message_form, exc)
        else:
            fields_form = _fields_form(ticket, request.POST)
            if fields_form.is_valid():
                try:
                    _apply_fields(request, ticket, fields_form.cleaned_data)
                    return redirect(f"/console/tickets/{ticket.pk}/")
                except DomainError as exc:
                    attach_error(fields_form, exc)
                    if isinstance(exc, Conflict):  # a stale save (R3): answered as the API does, nothing changed
                        status = exc.status
    entitlements = entitlements_for(ticket.client, ticket.created_at)
    template = "web/console/_ticket_live.html" if htmx else "web/console/ticket_detail.html"
    return render(request, template, {
        "ticket": ticket,
        "messages_list": policy.visible_messages(policy.signed_in(request), ticket),
        "attachments": queries.attachments_of(policy.signed_in(request), ticket.pk),
        "events": policy.visible_events(policy.signed_in(request), ticket),
        "message_form": message_form,
        "fields_form": fields_form,
        "merge_form": merge_form,
        "merge_candidates": queries.merge_candidates(policy.signed_in(request), ticket),
        "entitlements": entitlements,
        "plan_codes": sorted(entitlements.offering_codes),
        "tam": current_tam(ticket.client),
        "requester_designated": policy.is_designated(ticket.requester),
    }, status=status)


def _merge(request: HttpRequest, ticket, data: dict):  # noqa: ANN001, ANN202
    user = policy.signed_in(request)
    try:
        target = queries.ticket_for(user, data["into"])
    except DomainError as exc:
        raise Invalid(TicketError.MERGE_TARGET_UNKNOWN, f"There is no ticket #{data['into']} you can see.",
                      fields={"into": "no such ticket"}) from exc
    return merges.merge_ticket(user, ticket, target, tell_requester=data["tell_requester"], via="web")


def _fields_form(ticket, data=None) -> TicketFieldsForm:  # noqa: ANN001
    form = TicketFieldsForm(data, initial={"version": ticket.version, "status": ticket.status,
                                           "severity": ticket.severity, "assignee": ticket.assignee_id or ""})
    form.fields["status"].choices = [(s.value, s.label) for s in Status]  # type: ignore[attr-defined]
    form.fields["assignee"].choices = [("", "Unassigned")] + [  # type: ignore[attr-defined]
        (str(u.pk), u.display_name) for u in actions.staff_workers()]
    return form


def _apply_fields(request: HttpRequest, ticket, data: dict) -> None:  # noqa: ANN001
    changes = {}
    if data.get("status") and data["status"] != ticket.status:
        changes["status"] = data["status"]
    if data.get("severity") and data["severity"] != ticket.severity:
        changes["severity"] = data["severity"]
    assignee = int(data["assignee"]) if data.get("assignee") else 0
    if assignee != (ticket.assignee_id or 0):
        changes["assignee"] = assignee
    if changes:
        actions.update_ticket(policy.signed_in(request), ticket, expected_version=data["version"], source="web", **changes)
