"""/chat/: the agent console for staff; for a client person, the portal page with the chat widget."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from supportdesk import policy
from supportdesk.policy.livechat import can_work_chats

from . import actions, queries

WAITING_PER_PAGE = 25


@login_required
def chat_home(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if can_work_chats(user):
        # Paged in SQL for the first paint and without JavaScript; console.js then shows the live list.
        page = Paginator(queries.waiting_conversations(user), WAITING_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, "livechat/console.html", {
            "page": page, "waiting": [queries.conversation_summary(c) for c in page.object_list]})
    if policy.is_client_person(user):
        entitled = actions.chat_entitled(user)
        return render(request, "livechat/portal.html", {
            "entitled": entitled, "not_entitled_message": "" if entitled else actions.not_entitled_message(),
            "ticket_id": request.GET.get("ticket", "") if request.GET.get("ticket", "").isdigit() else "",
        })
    raise Http404
