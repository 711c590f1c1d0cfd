"""/chat/: the agent console for staff; for a client person, the portal page with the chat widget."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk import policy
from supportdesk.policy.livechat import can_work_chats

from . import actions, queries


@login_required
def chat_home(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if can_work_chats(user):
        return render(request, "livechat/console.html", {"waiting": queries.waiting(user)})
    if policy.is_client_person(user):
        entitled = actions.chat_entitled(user)
        return render(request, "livechat/portal.html", {
            "entitled": entitled, "not_entitled_message": "" if entitled else actions.not_entitled_message(),
            "ticket_id": request.GET.get("ticket", "") if request.GET.get("ticket", "").isdigit() else "",
        })
    raise Http404
