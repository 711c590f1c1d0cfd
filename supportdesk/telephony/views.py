"""/phone/log/<ticket_id>/: staff log a call by hand on a ticket."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.errors import DomainError
from supportdesk.policy.telephony import can_log_call
from supportdesk.tickets import queries as ticket_queries
from supportdesk.web.views.common import attach_error

from . import actions
from .models import Direction


class CallLogForm(forms.Form):
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUTBOUND)
    outcome = forms.ChoiceField(choices=list(actions.OUTCOMES.items()), initial="connected")
    number = forms.CharField(required=False, max_length=32, help_text="E.164, e.g. +14165550100")
    duration_minutes = forms.IntegerField(required=False, min_value=0, max_value=1440)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)


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
            actions.log_call(user, ticket, **form.cleaned_data)
            return redirect(f"/console/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "telephony/log_call.html", {"ticket": ticket, "form": form,
                                                        "calls": ticket.calls.order_by("-created_at")[:20]})
