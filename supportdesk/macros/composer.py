"""The console composer filled from a saved reply: by htmx (views.composer_fields) or by the no-JS "Insert"
button, which the console's ticket page hands to `insert`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import DomainError, Invalid
from supportdesk.posted_ids import posted_id
from supportdesk.tickets.models import Ticket
from supportdesk.web.forms import MessageForm

from . import actions, queries
from .errors import MacroError
from .models import SavedReply


def filled_form(user: User, ticket: Ticket, reply: SavedReply) -> MessageForm:
    """An unbound composer showing the reply rendered for this ticket, for the agent to edit before sending."""
    rendered = actions.render_reply(user, reply, ticket)
    return MessageForm(prefix="msg", initial={"kind": rendered.kind, "body": rendered.body,
                                              "then_status": rendered.status or ""})


def insert(request: HttpRequest, ticket: Ticket) -> MessageForm:
    """The composer after "Insert": filled from the chosen reply, or as the agent left it with the reason why not."""
    user = policy.signed_in(request)
    try:
        reply_id = posted_id(request.POST.get("saved_reply"))
        if not reply_id:
            raise Invalid(MacroError.NONE_CHOSEN, "Choose a saved reply to insert.")
        return filled_form(user, ticket, queries.reply_for(user, reply_id, usable=True))
    except DomainError as exc:
        messages.error(request, exc.message)
    return MessageForm(prefix="msg", initial={"kind": request.POST.get("msg-kind") or "public",
                                              "body": request.POST.get("msg-body", "")})
