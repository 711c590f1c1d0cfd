"""Staff pages of mail intake: the review queue, one message, its raw download."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import DomainError
from supportdesk.policy.intake import can_review_mail
from supportdesk.web.views.common import attach_error

from . import actions, queries
from .limits import mail_limits
from .parsing import Unreadable, parse


class AssignForm(forms.Form):
    requester = forms.EmailField(label="Open a ticket for (client user's email)",
                                 help_text="Identity comes from the address only: check it is really this person.")

    def clean_requester(self) -> User:
        email = self.cleaned_data["requester"].lower()
        user = User.objects.filter(email__iexact=email, client__isnull=False, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active client user has this email address.")
        return user


def _staff(request: HttpRequest) -> User:
    user = policy.signed_in(request)
    if not can_review_mail(user):
        raise Http404
    return user


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    which = request.GET.get("show", "review")
    which = which if which in ("review", "all", "pending") else "review"
    page = Paginator(queries.review_queue(user, which), 25).get_page(request.GET.get("page"))
    return render(request, "intake/review_list.html", {"page": page, "show": which})


@login_required
def review_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        inbound = queries.inbound_for(user, inbound_id)
    except DomainError as exc:
        raise Http404 from exc
    form = AssignForm(initial={"requester": inbound.sender})
    if request.method == "POST":
        try:
            if "dismiss" in request.POST:
                actions.dismiss(user, inbound.pk)
                return redirect("/console/review/")
            form = AssignForm(request.POST)
            if form.is_valid():
                ticket = actions.assign_to_requester(user, inbound.pk, requester=form.cleaned_data["requester"])
                return redirect(f"/console/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    try:
        parsed = parse(bytes(inbound.raw), mail_limits())
        preview, headers, problem = parsed.body_text[:20_000], parsed.headers, ""
    except Unreadable as exc:
        preview, headers, problem = "", {}, str(exc)
    shown = ["from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "auto-submitted", "precedence",
             "x-loop", "return-path", "content-type"]
    return render(request, "intake/review_detail.html", {
        "inbound": inbound, "form": form, "preview": preview, "problem": problem,
        "headers": [(name, ", ".join(headers[name])) for name in shown if name in headers],
        "suggested": queries.suggested_requesters(inbound)[:20],
    })


@login_required
def review_raw(request: HttpRequest, inbound_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        inbound = queries.inbound_for(user, inbound_id)
    except DomainError as exc:
        raise Http404 from exc
    response = HttpResponse(bytes(inbound.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
