"""Small presentation helpers for the page frame, the queue and the ticket history."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.template.context import Context

register = template.Library()

EVENT_LABELS = {
    "ticket.opened": "Opened",
    "ticket.status_changed": "Status",
    "ticket.severity_changed": "Severity",
    "ticket.assignee_changed": "Assignee",
    "ticket.queue_changed": "Queue",
    "ticket.subject_changed": "Subject",
    "ticket.category_changed": "Category",
    "message.public": "Public reply",
    "message.internal": "Internal note",
    "message.call": "Logged call",
    "attachment.added": "Attachment",
    "satisfaction.rated": "Satisfaction rating",
}

STATUS_LABELS = {"new": "New", "open": "Open", "waiting": "Waiting on client", "on_hold": "On hold",
                 "solved": "Solved", "closed": "Closed"}


@register.simple_tag
def nav_current(nav: list, path: str, more: list | None = None) -> str:
    """The nav url this page belongs to: the longest one the path starts with (main or "More" links)."""
    best = ""
    for _label, url in [*(nav or []), *(more or [])]:
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > len(best):
            best = url
    return best


@register.simple_tag(takes_context=True)
def page_url(context: Context, number: int, param: str = "") -> str:
    """The link to page `number` of a list: this request's query with only `param` ("page" unless named) set,
    so every filter a page was asked with is kept without the pager having to know the page's filters."""
    query = _request(context).GET.copy()
    query[param or "page"] = str(number)
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def paginate(context: Context, items: object, per_page: int = 25, param: str = "page") -> Page:
    """One page of a list a view handed over whole (a queryset is sliced in SQL): `{% paginate xs 25 "xs_page"
    as xs_page %}` then the usual pager, so a screen with several lists pages each on its own parameter."""
    return Paginator(items, per_page).get_page(_request(context).GET.get(param))  # type: ignore[arg-type]


def _request(context: Context) -> HttpRequest:
    """The request, also inside an inclusion tag's template (which gets no context-processor variables)."""
    return getattr(context, "request", None) or context["request"]


@register.filter
def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind.replace(".", " ").replace("_", " ").capitalize())


@register.filter
def event_old(event: Any) -> str:
    """The value an event's change started from, by name where the event kept one."""
    return _event_side(event, "old")


@register.filter
def event_new(event: Any) -> str:
    return _event_side(event, "new")


def _event_side(event: Any, side: str) -> str:
    data = event.data if isinstance(event.data, dict) else {}
    label = data.get(f"{side}_label")
    if label:
        return str(label)
    value = data.get(side)
    if value not in (None, "") and event.kind in ("ticket.assignee_changed", "ticket.category_changed"):
        return f"#{value}"  # an event written before names were kept
    return event_value(value, event.kind)


@register.filter
def event_value(value: object, kind: str = "") -> str:
    """Old/new values as people read them (status labels, S1 for severities)."""
    if value is None or value == "":
        return "—"
    if kind.endswith("status_changed"):
        return STATUS_LABELS.get(str(value), str(value))
    if kind.endswith("severity_changed"):
        return f"S{value}"
    return str(value)


@register.filter
def initials(name: str) -> str:
    parts = [p for p in (name or "").replace("@", " ").split() if p[:1].isalnum()]
    return ("".join(p[0] for p in parts[:2]) or "?").upper()


@register.filter
def objective_for(features: object, severity: object) -> object:
    """The initial-response objective of a severity under these features, or None."""
    objectives = getattr(features, "objectives", {}) or {}
    return objectives.get("initial_response", {}).get(str(severity))


@register.filter
def minutes_human(minutes: int) -> str:
    if not minutes:
        return ""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} min"


@register.filter
def calendar_human(kind: str) -> str:
    return {"24x7": "24/7", "weekdays-24h": "Mon–Fri, 24 h", "business-hours": "business hours"}.get(kind, kind)


@register.filter
def metric_label(metric: str) -> str:
    return {"initial_response": "initial response", "next_update": "next update"}.get(metric, metric.replace("_", " "))


@register.filter
def local_instant(value: object, zone: str = "") -> str:
    """An instant (a datetime, or the ISO 8601 text a stored snapshot keeps) as local time with the zone's
    abbreviation and offset: in `zone` if given, else the zone the request activated (the viewer's own,
    `web.middleware.ViewerTimezoneMiddleware`). Text that is not an instant comes back unchanged."""
    from datetime import datetime

    from django.utils import timezone

    from supportdesk.local_times import shown, zone_named

    instant = value
    if isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(instant, datetime) or instant.tzinfo is None:
        # Returned as given (a date-only or offset-less text was shown as "2026-03-30 00:00:00", a time nobody wrote)
        return "" if value is None else str(value)
    return shown(instant, zone_named(zone) if zone else timezone.get_current_timezone())  # type: ignore[arg-type]
