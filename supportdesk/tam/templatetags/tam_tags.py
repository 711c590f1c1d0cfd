"""Template tags the ticket and portal pages use to show the TAM, escalate, and reach the library."""

from __future__ import annotations

from django import template

from supportdesk import policy
from supportdesk.accounts.actions import current_tam
from supportdesk.policy import tam as tam_policy

from ..forms import EscalateForm
from ..library import visible_items

register = template.Library()


@register.inclusion_tag("tam/_ticket_panel.html", takes_context=True)
def ticket_tam_panel(context: dict, ticket: object) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    tam = current_tam(ticket.client)  # type: ignore[attr-defined]
    staff = policy.has_role(user, *policy.STAFF_WORKERS) if user is not None else False
    works = staff and tam_policy.can_work_client(user, ticket.client)  # type: ignore[attr-defined]
    category = getattr(ticket, "category", None)
    return {
        "ticket": ticket, "tam": tam, "request": request, "staff": staff,
        "csrf_token": context.get("csrf_token"),
        "can_escalate": staff and tam is not None,
        "escalate_form": EscalateForm(auto_id="tam_%s"),
        "can_attach": works and category is not None and category.guides_enabled,
        "items": list(visible_items(user).filter(ticket=ticket)) if user is not None else [],
    }


@register.inclusion_tag("tam/_contact.html", takes_context=True)
def client_tam_contact(context: dict, client: object) -> dict:
    """The client's TAM as primary contact (for the portal plan page and the client page)."""
    return {"tam": current_tam(client) if client is not None else None, "client": client,  # type: ignore[arg-type]
            "request": context.get("request")}


@register.filter
def in_zone(value: object, zone: str) -> str:
    """An instant as local wall-clock time of `zone`, with its abbreviation and offset and the zone named:
    "Sun 1 Nov 2026, 01:30 EDT (UTC-04:00) America/Toronto" (the abbreviation tells the two 01:30s of a
    fall-back night apart)."""
    from datetime import datetime

    from supportdesk.local_times import shown

    if not isinstance(value, datetime) or not zone:
        return ""
    return f"{shown(value, zone)} {zone}"
