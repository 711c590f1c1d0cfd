"""Reads of releases, training content and events, through the learning policy."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.http import FileResponse
from django.utils import timezone

from supportdesk import policy
from supportdesk.errors import DomainError, NotFound
from supportdesk.policy.learning import (
    can_manage_learning,
    can_view_access_log,
    visible_downloads,
    visible_registrations,
    visible_training_accesses,
)

from .access_log import LogFilter
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
    """Always a download (never rendered inline), with sniffing off, a sandboxing CSP and no shared caching."""
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
    # Only for this person, never kept by a shared cache: a proxy would otherwise hand the file to a client
    # without maintenance, past the refusal (as tam.uploads does for receipts and recordings).
    response["Cache-Control"] = "private, no-store"
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


# Access log (R13, R15) ----------------------------------------------------------------------------------

# One row shape for downloads and training openings, so both go in one UNION ordered newest first. Every
# column is an annotation (named apart from the models' fields) so both sides select them in the same order.
LOG_COLUMNS = ("entry_kind", "entry_id", "entry_at", "person_ref", "person_name", "person_email", "client_ref",
               "client_name", "subject_ref", "subject_title", "subject_product", "subject_version")
LOG_ORDER = ("-entry_at", "-entry_kind", "-entry_id")
_NONE = Value("", output_field=CharField())  # the other kind's columns


def access_log_reader(user: Any) -> Any:
    """`user` when they may read the access log (policy.learning.can_view_access_log); anyone else: 404, as if
    missing. Asked before the filters are read, so an outsider learns nothing from a 422 either."""
    if not can_view_access_log(user):
        raise NotFound("access log")
    return user


def access_log(user: Any, log_filter: LogFilter) -> QuerySet:
    """The downloads and training openings the filter selects, newest first, as dicts of LOG_COLUMNS.
    Only staff who may read the log; anyone else: 404, as if missing."""
    access_log_reader(user)
    parts = []
    if log_filter.kind in (None, "training"):
        accesses = _filtered(visible_training_accesses(user), log_filter, "item_id", log_filter.item_id)
        parts.append(_log_rows(accesses, "training", subject="item", title=F("item__title"),
                               product=_NONE, version=_NONE))
    if log_filter.kind in (None, "download"):
        downloads = _filtered(visible_downloads(user), log_filter, "release_id", log_filter.release_id)
        parts.append(_log_rows(downloads, "download", subject="release", title=_NONE,
                               product=F("release__product"), version=F("release__version")))
    first, *others = parts
    return (first.union(*others, all=True) if others else first).order_by(*LOG_ORDER)


def _filtered(qs: QuerySet, log_filter: LogFilter, subject_field: str, subject_id: int | None) -> QuerySet:
    if log_filter.client_id is not None:
        qs = qs.filter(client_id=log_filter.client_id)
    if log_filter.person_id is not None:
        qs = qs.filter(user_id=log_filter.person_id)
    if log_filter.since is not None:
        qs = qs.filter(at__gte=log_filter.since)
    if log_filter.before is not None:
        qs = qs.filter(at__lt=log_filter.before)
    if subject_id is not None:
        qs = qs.filter(**{subject_field: subject_id})
    return qs


def _log_rows(qs: QuerySet, kind: str, *, subject: str, title: Any, product: Any, version: Any) -> QuerySet:
    return qs.order_by().annotate(
        entry_kind=Value(kind, output_field=CharField()), entry_id=F("id"), entry_at=F("at"), person_ref=F("user_id"),
        person_name=F("user__full_name"), person_email=F("user__email"), client_ref=F("client_id"),
        client_name=F("client__name"), subject_ref=F(f"{subject}_id"), subject_title=title,
        subject_product=product, subject_version=version,
    ).values(*LOG_COLUMNS)


def log_entry(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `access_log` as the API, the page and the CSV name it: who, which client, what, when."""
    training = row["entry_kind"] == "training"
    return {
        "kind": row["entry_kind"], "id": row["entry_id"], "at": row["entry_at"],
        "person": {"id": row["person_ref"], "name": row["person_name"] or row["person_email"],
                   "email": row["person_email"]},
        "client": {"id": row["client_ref"], "name": row["client_name"]} if row["client_ref"] is not None else None,
        "training_item": {"id": row["subject_ref"], "title": row["subject_title"]} if training else None,
        "release": None if training else {"id": row["subject_ref"], "product": row["subject_product"],
                                          "version": row["subject_version"]},
    }


def log_entries(qs: QuerySet, offset: int, limit: int) -> list[dict[str, Any]]:
    return [log_entry(row) for row in qs[offset:offset + limit]]


def training_accesses(user: Any, item_id: int) -> QuerySet:
    """Openings of one training item (drafts included: staff may have opened it before it was unpublished)."""
    log = access_log(user, LogFilter(kind="training", item_id=item_id))  # the policy first: 404 for others
    if not TrainingItem.objects.filter(pk=item_id).exists():
        raise NotFound("training item")
    return log


def release_downloads(user: Any, release_id: int) -> QuerySet:
    log = access_log(user, LogFilter(kind="download", release_id=release_id))
    if not Release.objects.filter(pk=release_id).exists():
        raise NotFound("release")
    return log
