"""`{% satisfaction_card months %}`: the CSAT card other pages (the SLA dashboard) show; nothing for people
who may not see the report."""

from __future__ import annotations

from django import template

from supportdesk.policy.satisfaction import can_view_satisfaction
from supportdesk.satisfaction import queries

register = template.Library()


@register.inclusion_tag("satisfaction/_card.html", takes_context=True)
def satisfaction_card(context: dict, months: int = 6) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not can_view_satisfaction(user):
        return {"summary": None}
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = 6
    return {"summary": queries.csat_summary(user, months=months)}
