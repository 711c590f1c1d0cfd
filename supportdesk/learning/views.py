"""Pages: /releases/, /training/, /events/ for client people and staff, and the staff's access log
/learning/access-log/ (thin: actions and queries only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from supportdesk import policy
from supportdesk.errors import DomainError, Forbidden, NotFound
from supportdesk.policy.accounts import visible_clients
from supportdesk.policy.learning import (
    can_manage_learning,
    can_view_access_log,
    download_refusal,
    training_refusal,
)
from supportdesk.web.views.common import attach_error

from . import actions, exports, queries
from .access_log import KINDS, parse_filter
from .errors import LearningError
from .forms import EventCancelForm, EventForm, ReleaseForm, TrainingForm
from .models import TrainingKind


def _person(request: HttpRequest):  # noqa: ANN202
    user = policy.signed_in(request)
    if not (policy.is_staff_member(user) or policy.is_client_person(user)):
        raise Http404
    return user


def _visible(getter, *args):  # noqa: ANN001, ANN002, ANN202
    try:
        return getter(*args)
    except NotFound as exc:
        raise Http404 from exc


def _refused(request: HttpRequest, message: str, back: str, status: int = 403) -> HttpResponse:
    return render(request, "learning/refused.html", {"message": message, "back": back}, status=status)


@login_required
def release_list(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    form = ReleaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_manage_learning(user) and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            release = actions.add_release(user, product=form.cleaned_data["product"], version=form.cleaned_data["version"],
                                          released_on=form.cleaned_data["released_on"], notes=form.cleaned_data["notes"],
                                          upload=upload, filename=upload.name)
            messages.success(request, f"{release} is in the catalogue.")
            return redirect("/releases/")
        except DomainError as exc:
            attach_error(form, exc)
    page = Paginator(queries.releases(user), 25).get_page(request.GET.get("page"))
    refusal = download_refusal(user)
    return render(request, "learning/releases.html", {
        "page": page, "refusal": refusal.message if refusal else "", "form": form, "can_manage": can_manage_learning(user),
        "can_view_log": can_view_access_log(user)})


@login_required
def release_download(request: HttpRequest, release_id: int) -> HttpResponseBase:
    user = _person(request)
    release = _visible(queries.release_for, user, release_id)
    try:
        return actions.record_download(user, release, serve=queries.download_response)
    except DomainError as exc:
        return _refused(request, exc.message, "/releases/", status=exc.status)


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and can_manage_learning(user) and form.is_valid():
        try:
            item = actions.save_training_item(user, **form.cleaned_data)
            return redirect(f"/training/{item.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    q, category, kind = request.GET.get("q", ""), request.GET.get("category", ""), request.GET.get("kind", "")
    items = queries.training_items(user, q=q or None, category=category or None, kind=kind or None)
    refusal = training_refusal(user)
    return render(request, "learning/training.html", {
        "page": Paginator(items, 25).get_page(request.GET.get("page")), "q": q, "category": category, "kind": kind,
        "kinds": TrainingKind.choices, "categories": queries.training_categories(),
        "refusal": refusal.message if refusal else "", "form": form, "can_manage": can_manage_learning(user),
        "can_view_log": can_view_access_log(user)})


@login_required
def training_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _person(request)
    item = _visible(queries.training_item_for, user, item_id)
    form = None
    if can_manage_learning(user):
        form = TrainingForm(request.POST or None, initial={
            "kind": item.kind, "title": item.title, "category": item.category.name if item.category else "",
            "summary": item.summary, "body": item.body, "url": item.url, "published": item.published})
        if request.method == "POST" and form.is_valid():
            try:
                actions.save_training_item(user, item=item, **form.cleaned_data)
                return redirect(f"/training/{item.pk}/")
            except DomainError as exc:
                attach_error(form, exc)
    try:
        actions.open_training_item(user, item)
    except DomainError as exc:
        return render(request, "learning/training_item.html", {"item": item, "refusal": exc.message}, status=403)
    return render(request, "learning/training_item.html", {"item": item, "form": form})


_LOG_FILTERS = ("client", "person", "kind", "since", "until")


def _log_query(request: HttpRequest) -> QueryDict:
    """The request's filters alone (no page): what the CSV link carries."""
    query = QueryDict(mutable=True)
    for name in _LOG_FILTERS:
        if request.GET.get(name):
            query[name] = request.GET[name]
    return query


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who downloaded which release and who opened which training item, when: staff only (404 for others)."""
    user = policy.signed_in(request)
    if not can_view_access_log(user):
        raise Http404
    values = {name: request.GET.get(name, "") for name in _LOG_FILTERS}
    try:
        log = queries.access_log(user, parse_filter(**values))
    except DomainError as exc:  # a bad filter: said in place, like the API's 422
        return render(request, "learning/access_log.html", {
            "error": exc.message, "filters": values, "kinds": KINDS, "clients": visible_clients(user).order_by("name")},
            status=exc.status)
    page = Paginator(log, 50).get_page(request.GET.get("page"))
    return render(request, "learning/access_log.html", {
        "page": page, "entries": [queries.log_entry(row) for row in page.object_list], "filters": values,
        "kinds": KINDS, "clients": visible_clients(user).order_by("name"), "csv_query": _log_query(request).urlencode()})


@login_required
def access_log_csv(request: HttpRequest) -> HttpResponseBase:
    user = policy.signed_in(request)
    if not can_view_access_log(user):
        raise Http404
    try:
        log = queries.access_log(user, parse_filter(**{name: request.GET.get(name, "") for name in _LOG_FILTERS}))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return exports.access_log_csv_response(log)


def _event_times(data: dict) -> tuple[datetime, datetime]:
    zone_name = data["timezone"]
    if zone_name not in available_timezones():
        raise DomainError("client.unknown_zone", f"Unknown time zone {zone_name!r}; use an IANA name.",
                          fields={"timezone": "unknown time zone"}, status=422)
    zone = ZoneInfo(zone_name)
    return _local(data["starts_at"], zone, "starts_at"), _local(data["ends_at"], zone, "ends_at")


def _local(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    """The form's wall-clock time in `zone`; a time the clocks skip (spring forward) is refused, not shifted."""
    naive = value.replace(tzinfo=None)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise DomainError(LearningError.EVENT_BAD_TIMES,
                          f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip that hour when "
                          "daylight saving time starts. Choose another time.", fields={field: "skipped by DST"},
                          status=422)
    return aware


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    form = EventForm(request.POST or None)
    if request.method == "POST" and can_manage_learning(user) and form.is_valid():
        data = form.cleaned_data
        try:
            starts_at, ends_at = _event_times(data)
            event = actions.create_event(user, title=data["title"], kind=data["kind"], starts_at=starts_at,
                                         ends_at=ends_at, timezone_name=data["timezone"], capacity=data["capacity"],
                                         fee=data["fee"], currency=data["currency"], location=data["location"],
                                         description=data["description"])
            return redirect(f"/events/{event.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    events = queries.events(user, upcoming_only=request.GET.get("past") != "1")
    discount = actions.discount_for(user, timezone.now()) if policy.is_client_person(user) else 0
    return render(request, "learning/events.html", {
        "page": Paginator(events, 25).get_page(request.GET.get("page")), "form": form, "discount": discount,
        "can_manage": can_manage_learning(user), "is_client": policy.is_client_person(user),
        "mine": {r.event_id: r for r in queries.registrations(user).filter(user=user, cancelled_at__isnull=True)}})


@login_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    user = _person(request)
    event = _visible(queries.event_for, user, event_id)
    manage = can_manage_learning(user)
    edit_form = EventForm(request.POST if request.POST.get("action") == "change" else None,
                          initial=_event_initial(event)) if manage else None
    cancel_form = EventCancelForm(request.POST if request.POST.get("action") == "cancel_event" else None)
    error, status = "", 200
    if request.method == "POST":
        try:
            done = _event_post(request, user, event, edit_form, cancel_form)
            if done:
                messages.success(request, done)
                return redirect(f"/events/{event.pk}/")
            status = 422
        except (DomainError, ValueError) as exc:
            error = getattr(exc, "message", "Invalid request.")
            status = getattr(exc, "status", 422)  # the API's status: 403 not allowed, 409 full, 422 started
    mine = queries.registrations(user).filter(event=event, user=user, cancelled_at__isnull=True).first()
    discount = actions.discount_for(user, timezone.now()) if policy.is_client_person(user) else 0
    return render(request, "learning/event.html", {
        "event": event, "error": error, "mine": mine, "discount": discount,
        "price": actions.price_for(event, discount), "edit_form": edit_form, "cancel_form": cancel_form,
        "can_manage": manage and not event.is_cancelled and event.starts_at > timezone.now(),
        "is_client": policy.is_client_person(user), "now": timezone.now(),
        "registrations": queries.registrations(user, event=event).filter(cancelled_at__isnull=True)
        if not policy.is_client_person(user) or policy.is_client_admin(user) else None},
        status=status)


def _event_post(request: HttpRequest, user: Any, event: Any, edit_form: EventForm | None,
                cancel_form: EventCancelForm) -> str:
    """Do what the posted form asks; the message to show, or "" when a form has errors to show."""
    action = request.POST.get("action")
    if action == "change":
        if edit_form is None:
            raise Forbidden("Only staff who manage events change them.", code=LearningError.STAFF_ONLY)
        if not edit_form.is_valid():
            return ""
        try:
            changes = _form_changes(edit_form.cleaned_data, _event_initial(event))
            if changes:
                actions.change_event(user, event, **changes)
        except DomainError as exc:
            attach_error(edit_form, exc)
            return ""
        return ("Event saved; registrants were sent the change if their calendars needed it." if changes
                else "Nothing was changed.")
    if action == "cancel_event":
        if not cancel_form.is_valid():
            return ""
        actions.cancel_event(user, event, reason=cancel_form.cleaned_data["reason"])
        return "Event cancelled; every registrant was told why."
    if request.POST.get("cancel"):
        registration = _visible(queries.registration_for, user, int(request.POST["cancel"]))
        actions.cancel_registration(user, registration)
        return "The registration is cancelled."
    registration = actions.register(user, event)
    return f"You are registered (seat {registration.seat}); the confirmation email carries a calendar file."


def _form_changes(data: dict[str, Any], initial: dict[str, Any]) -> dict[str, Any]:
    """Only what the manager changed on the form. The form shows times to the minute and text with browser line
    ends, so re-posting an unchanged field must not count: it would move the event by its seconds (or by an
    hour in a repeated DST hour) and re-invite every registrant for nothing."""
    changes = {name: data[name] for name in ("title", "kind", "capacity", "fee", "currency", "location")
               if data[name] != initial[name]}
    if _plain_text(data["description"]) != _plain_text(initial["description"]):
        changes["description"] = _plain_text(data["description"])
    moved = data["timezone"] != initial["timezone"] or any(
        _to_minute(data[name]) != _to_minute(initial[name]) for name in ("starts_at", "ends_at"))
    if moved:
        changes["starts_at"], changes["ends_at"] = _event_times(data)
        changes["timezone"] = data["timezone"]
    return changes


def _plain_text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def _to_minute(value: datetime) -> datetime:
    return value.replace(tzinfo=None, second=0, microsecond=0)


def _event_initial(event: Any) -> dict[str, Any]:
    zone = ZoneInfo(event.timezone)
    return {"title": event.title, "kind": event.kind, "timezone": event.timezone, "capacity": event.capacity,
            "fee": event.fee, "currency": event.currency, "location": event.location,
            "description": event.description,
            "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None)}
