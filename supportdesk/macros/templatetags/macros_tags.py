"""Template tags the console ticket page uses for saved replies: the picker above the composer."""

from __future__ import annotations

from django import template

from supportdesk.policy import macros as macro_policy
from supportdesk.posted_ids import posted_id
from supportdesk.tickets.models import Status

from .. import queries

register = template.Library()


@register.inclusion_tag("macros/_picker.html", takes_context=True)
def saved_reply_picker(context: dict, ticket: object) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    replies = list(queries.replies(user)) if macro_policy.can_use_replies(user) else []
    # After the no-JS "Insert", the picker still shows what was inserted.
    selected = posted_id(request.POST.get("saved_reply")) if request is not None and request.method == "POST" else 0
    return {"ticket": ticket, "selected": selected, "any": bool(replies),
            "shared": [r for r in replies if r.owner_id is None], "mine": [r for r in replies if r.owner_id]}


@register.filter
def reply_status_label(value: str) -> str:
    return Status(value).label if value in Status.values else str(value)
