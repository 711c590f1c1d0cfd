"""/phone/log/<ticket_id>/: staff log a call by hand on a ticket. /phone/unmatched/: staff turn calls no
ticket took into tickets."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.catalogue.default_catalogue import SEVERITIES
from supportdesk.errors import DomainError
from supportdesk.policy.telephony import can_claim_calls, can_log_call
from supportdesk.posted_ids import posted_id
from supportdesk.tickets import queries as ticket_queries
from supportdesk.web.forms import SubmittedOnce
from supportdesk.web.views.common import attach_error

from . import actions, queries
from .models import Call, Direction


class CallLogForm(SubmittedOnce, forms.Form):
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUTBOUND)
    outcome = forms.ChoiceField(choices=list(actions.OUTCOMES.items()), initial="connected")
    number = forms.CharField(required=False, max_length=32, help_text="E.164, e.g. +14165550100")
    duration_minutes = forms.IntegerField(required=False, min_value=0, max_value=actions.MAX_LOGGED_CALL_MINUTES)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one call and one message on the ticket; edited and sent again: a second."""
        data = self.cleaned_data
        return self.submission_key([data["direction"], data["outcome"], data["number"], data["duration_minutes"],
                                    data["summary"]])


@login_required
def log_call(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        ticket = ticket_queries.ticket_for(user, ticket_id)
    except DomainError as exc:
        raise Http404 from exc
    if not can_log_call(user, ticket):
        raise Http404
    initial = {"number": ticket.requester.phone}
    form = CallLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {name: value for name, value in form.cleaned_data.items() if name != "submission"}
            actions.record_call(user, ticket, **data, idempotency_key=form.idempotency_key())  # sent twice: one call
            return redirect(f"/console/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "telephony/log_call.html", {"ticket": ticket, "form": form,
                                                        "calls": ticket.calls.order_by("-created_at", "-id")})


class ClaimForm(forms.Form):
    # An email, not a select: there are hundreds of clients and thousands of people to choose from.
    requester = forms.EmailField(label="Client person who called (email)",
                                 help_text="The ticket is theirs and their client's: check it is really this person.")
    severity = forms.TypedChoiceField(coerce=int, initial=3,
                                      choices=[(level, f"S{level} – {name}") for level, name, _ in SEVERITIES])
    remember_number = forms.BooleanField(required=False, label="Remember this number for the client",
                                         help_text="Its next calls then open tickets by themselves.")

    def clean_requester(self) -> User:
        email = self.cleaned_data["requester"].lower()
        user = User.objects.filter(email__iexact=email, client__isnull=False, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active client person has this email address.")
        return user


def _claim_form(call_id: int, data: QueryDict | None = None) -> ClaimForm:
    return ClaimForm(data, prefix=f"call-{call_id}")  # one form per call on the page: their fields are apart


@login_required
def unmatched_calls(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if not can_claim_calls(user):
        raise Http404
    posted: tuple[int, ClaimForm] | None = None  # a refused claim, shown again with its errors
    if request.method == "POST":
        call_id = posted_id(request.POST.get("call"))
        form = _claim_form(call_id, request.POST)
        try:
            call = queries.call_for(user, call_id)
            if form.is_valid():
                ticket = actions.claim_call(user, call, **form.cleaned_data)
                return redirect(f"/console/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
        posted = (call_id, form)
    page = Paginator(queries.with_voicemails(queries.unmatched_calls(user)), 25).get_page(request.GET.get("page"))
    rows = [_row(call, posted) for call in page.object_list]
    # A call another agent claimed meanwhile is no longer listed: its refusal is shown above the list.
    elsewhere = posted[1] if posted and all(call.pk != posted[0] for call, *_ in rows) else None
    return render(request, "telephony/unmatched_calls.html", {"page": page, "rows": rows, "refused": elsewhere})


def _row(call: Call, posted: tuple[int, ClaimForm] | None) -> tuple[Call, str, ClaimForm]:
    form = posted[1] if posted and posted[0] == call.pk else _claim_form(call.pk)
    return call, queries.transcript_of(call), form
