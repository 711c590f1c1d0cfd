"""Template tags the ticket and portal pages use to show the TAM (filled in by the tam context)."""

from __future__ import annotations

from django import template

from supportdesk.accounts.actions import current_tam

register = template.Library()


@register.inclusion_tag("tam/_ticket_panel.html", takes_context=True)
def ticket_tam_panel(context: dict, ticket: object) -> dict:
    return {"ticket": ticket, "tam": current_tam(ticket.client), "request": context.get("request")}  # type: ignore[attr-defined]
