"""Designated users pages: the client admin's portal page and the staff view of a client (R6)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.errors import DomainError, NotFound
from supportdesk.policy.designations import designations_client
from supportdesk.posted_ids import posted_id

from . import designations
from .errors import DesignationError
from .models import Client, User

HISTORY_PER_PAGE = 50


class DesignateForm(forms.Form):
    user = forms.ChoiceField(label="Client user to designate")

    def __init__(self, *args: object, client: Client, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        taken = designations.active_designations(client).values_list("user_id", flat=True)
        people = client.people.filter(is_active=True).exclude(pk__in=list(taken)).order_by("email")
        self.fields["user"].choices = [("", "— choose a person —")] + [  # type: ignore[attr-defined]
            (p.pk, f"{p.display_name} <{p.email}>") for p in people]


def _page(request: HttpRequest, client: Client, template: str, base: str) -> HttpResponse:
    actor = policy.signed_in(request)
    form = DesignateForm(None, client=client)
    if request.method == "POST":
        form = DesignateForm(request.POST, client=client)
        try:
            remove = request.POST.get("remove", "").strip()
            if remove:
                # A tampered id (not a number, someone of another client) is "no such person", never a 500.
                person = User.objects.filter(pk=posted_id(remove), client=client).first()
                if person is None:
                    raise NotFound("client user")
                designations.undesignate(actor, client=client, user=person)
                messages.success(request, f"{person.email} is no longer designated; the history keeps the period.")
                return redirect(base)
            if form.is_valid():
                person = User.objects.get(pk=form.cleaned_data["user"], client=client)
                designations.designate(actor, client=client, user=person)
                messages.success(request, f"{person.email} is now a designated user.")
                return redirect(base)
        except DomainError as exc:
            form.add_error(None, exc.message)
            if exc.code == DesignationError.LIMIT_REACHED and "user" in form.fields:
                # Also under the field the person just chose, where screen readers and eyes already are.
                form.add_error("user", exc.message)
    current = list(designations.active_designations(client))
    return render(request, template, {
        "client": client, "form": form, "current": current, "limit": designations.designation_limit(client),
        "history": Paginator(designations.designation_history(client), HISTORY_PER_PAGE).get_page(
            request.GET.get("history_page")),
        "base": base,
    })


@login_required
def portal_designated(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if not policy.is_client_admin(user):
        raise Http404
    client = designations_client(user, user.client_id)  # type: ignore[arg-type]
    return _page(request, client, "accounts/designated.html", "/portal/designated/")


@login_required
def console_designated(request: HttpRequest, client_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    if not policy.is_staff_member(user):
        raise Http404
    try:
        client = designations_client(user, client_id)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        return render(request, "accounts/refused.html", {"message": exc.message}, status=403)
    return _page(request, client, "accounts/designated.html", f"/console/clients/{client.pk}/designated/")
