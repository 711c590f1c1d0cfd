"""Reads of releases, training content and events, through the learning policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse
from django.utils import timezone

from supportdesk import policy
from supportdesk.errors import DomainError, NotFound
from supportdesk.policy.learning import can_manage_learning, visible_registrations

from .errors import LearningError
from .models import Event, Registration, Release, TrainingCategory, TrainingItem


def releases(user: Any, *, product: str | None = None) -> QuerySet[Release]:
    """The release catalogue: everybody signed in sees it (downloading is what needs maintenance)."""
    qs = Release.objects.all() if policy.is_staff_member(user) or policy.is_client_person(user) else Release.objects.none()
    return qs.filter(product__iexact=product) if product else qs


def release_for(user: Any, release_id: int) -> Release:
    release = releases(user).filter(pk=release_id).first()
    if release is None:
        raise NotFound("release")
    return release


def download_response(release: Release) -> FileResponse:
    """Always a download (never rendered inline), with sniffing off and a sandboxing CSP."""
    try:
        handle = release.file.open("rb")
    except FileNotFoundError as exc:  # gone since it was published: a clear answer, not a 500
        raise DomainError(LearningError.RELEASE_FILE_MISSING, f"The download file of {release.product} "
                          f"{release.version} is not available at the moment; please contact support.",
                          status=404) from exc
    response = FileResponse(handle, as_attachment=True, filename=release.filename,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def training_items(user: Any, *, q: str | None = None, category: str | None = None,
                   kind: str | None = None) -> QuerySet[TrainingItem]:
    """The training catalogue (titles and summaries for everybody signed in; drafts for content managers)."""
    if not (policy.is_staff_member(user) or policy.is_client_person(user)):
        return TrainingItem.objects.none()
    qs = TrainingItem.objects.select_related("category")
    if not can_manage_learning(user):
        qs = qs.filter(published=True)
    if q:
        for word in q.split()[:8]:
            qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
                           | Q(category__name__icontains=word))
    if category:
        qs = qs.filter(category__name__iexact=category)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def training_item_for(user: Any, item_id: int) -> TrainingItem:
    item = training_items(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("training item")
    return item


def training_categories() -> QuerySet[TrainingCategory]:
    return (TrainingCategory.objects.annotate(n=Count("items", filter=Q(items__published=True)))
            .filter(n__gt=0).order_by("name"))


def events(user: Any, *, upcoming_only: bool = False) -> QuerySet[Event]:
    if not (policy.is_staff_member(user) or policy.is_client_person(user)):
        return Event.objects.none()
    qs = Event.objects.annotate(taken=Count("registrations", filter=Q(registrations__cancelled_at__isnull=True)))
    qs = qs.order_by("starts_at", "id")
    return qs.filter(ends_at__gt=timezone.now()) if upcoming_only else qs


def event_for(user: Any, event_id: int) -> Event:
    event = events(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound("event")
    return event


def registrations(user: Any, *, event: Event | None = None) -> QuerySet[Registration]:
    qs = visible_registrations(user)
    return qs.filter(event=event) if event is not None else qs


def registration_for(user: Any, registration_id: int) -> Registration:
    registration = registrations(user).filter(pk=registration_id).first()
    if registration is None:
        raise NotFound("registration")
    return registration
