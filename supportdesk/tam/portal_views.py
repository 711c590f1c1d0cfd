"""The client's side (/portal/tam/, /portal/library/): its TAM, calls, visits with expenses before
invoicing, upgrades to confirm, and the self-service library of guides and recordings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from supportdesk import policy
from supportdesk.accounts.actions import current_tam
from supportdesk.errors import DomainError
from supportdesk.posted_ids import posted_id
from supportdesk.web.access import client_people_only

from . import library, queries, upgrades
from .models import LibraryKind, OccurrenceStatus, UpgradeStatus


@client_people_only
def account(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    client = user.client
    assert client is not None
    admin = policy.is_client_admin(user)
    now = timezone.now()
    context: dict = {"client": client, "tam": current_tam(client), "is_admin": admin}
    if admin:
        occurrences = queries.occurrences_qs(user).filter(series__client=client).prefetch_related("follow_ups")
        context.update({
            "upcoming": occurrences.filter(status=OccurrenceStatus.SCHEDULED, starts_at__gte=now)[:8],
            "held": occurrences.filter(status=OccurrenceStatus.HELD).order_by("-starts_at")[:5],
            "visits": queries.visits_qs(user).prefetch_related("expenses", "expenses__charge"),
            "upgrades": queries.upgrades_qs(user).exclude(status=UpgradeStatus.CANCELLED),
            "installed": upgrades.installed_version(client),
        })
    return render(request, "tam/portal_account.html", context)


@client_people_only
@require_POST
def confirm_upgrade(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        plan = queries.one(queries.upgrades_qs(user), plan_id, "upgrade")
        upgrades.confirm_window(user, plan, window_id=posted_id(request.POST.get("window")))
        messages.success(request, "Thank you: the upgrade window is confirmed. You will get a reminder before it.")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect("/portal/tam/")


@client_people_only
def library_list(request: HttpRequest) -> HttpResponse:
    items = library.visible_items(policy.signed_in(request))
    kind = request.GET.get("kind")
    if kind in LibraryKind.values:
        items = items.filter(kind=kind)
    return render(request, "tam/portal_library.html", {"items": items, "kind": kind or ""})


@client_people_only
def library_item(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        item = library.item_for(policy.signed_in(request), item_id)
    except DomainError as exc:
        raise Http404 from exc
    return render(request, "tam/portal_library_item.html", {"item": item})
