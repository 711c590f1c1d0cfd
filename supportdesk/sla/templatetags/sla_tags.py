"""Template tags the ticket pages use to show SLA clocks (filled in by the sla context)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("sla/_ticket_clocks.html", takes_context=True)
def ticket_clocks(context: dict, ticket: object) -> dict:
    return {"ticket": ticket, "request": context.get("request")}
