"""Designated users pages: the client admin's portal page and the staff view of a client (R6); the system admins'
integration token screen (/tokens/, §11)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from supportdesk import policy
from supportdesk.errors import DomainError, NotFound
from supportdesk.policy.designations import designations_client
from supportdesk.posted_ids import posted_id
from supportdesk.web.forms import SubmittedOnce

from . import actions, designations, queries
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


TOKENS_PER_PAGE = 25


class TokenForm(SubmittedOnce, forms.Form):
    """Parsing only: the person is found by `queries.token_holder`, and `actions.issue_token` refuses the rest."""

    email = forms.EmailField(label="Person", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                            "placeholder": "integration@vendor.example"}),
                             help_text="The email of the active person the integration acts as: it may do exactly "
                                       "what they may.")
    name = forms.CharField(label="Name", max_length=100, strip=True,
                           help_text='What uses it, e.g. "CRM sync"; shown in the list beside its prefix.')

    def idempotency_key(self) -> str | None:
        return self.submission_key([self.cleaned_data["email"].lower(), self.cleaned_data["name"]])


@login_required
@never_cache  # the answer to a new token carries its secret: no copy in any cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The system admin's integration tokens (/tokens/): every token, and the form that makes one. Everyone else
    gets 404, as from the API."""
    admin = policy.signed_in(request)
    try:
        listed = queries.visible_tokens(admin)
    except NotFound as exc:
        raise Http404 from exc
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = queries.token_holder(admin, form.cleaned_data["email"])
            issued = actions.issue_token(admin, user=person, name=form.cleaned_data["name"],
                                         idempotency_key=form.idempotency_key())  # sent twice: one token
        except NotFound:
            form.add_error("email", "No one has this email address; check it, or add the person first.")
        except DomainError as exc:
            form.add_error("email" if "user" in exc.fields else None, exc.message)
        else:
            # Rendered, not redirected: the secret lives only in this answer, never in a session or message store.
            return render(request, "accounts/token_created.html", {"issued": issued},
                          status=201 if issued.created else 200)
    page = Paginator(listed, TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/tokens.html", {"page": page, "form": form},
                  status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    """GET asks to confirm; the POST (with its CSRF token) revokes."""
    admin = policy.signed_in(request)
    try:
        token = queries.visible_token(admin, prefix)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:  # two tokens share the prefix
        return render(request, "accounts/refused.html",
                      {"message": exc.message, "heading": "Two tokens share this prefix"}, status=422)
    if request.method == "POST" and token.revoked_at is None:
        try:
            actions.revoke_token(admin, token)
        except DomainError as exc:  # revoked by someone else since the page was read: say so, as the list will
            messages.info(request, exc.message)
        else:
            messages.success(request, f"Token {token.prefix}… ({token.name}, {token.user.email}) is revoked: its next "
                                      "request is refused.")
        return redirect("tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
