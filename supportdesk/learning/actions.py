"""Every change in the learning context: check first, then do, in one transaction, writing a LearningEvent.

Releases (R13), training content and its access log (R15), events and registrations (R16).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any, TypeVar

from babel.numbers import list_currencies
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk import policy, stored_files
from supportdesk.accounts.actions import check_zone
from supportdesk.accounts.models import User
from supportdesk.billing.charges import cancel_charge, record_charge, withdraw_charge
from supportdesk.contracts.entitlements import client_local_date, entitlements_for
from supportdesk.errors import Conflict, Forbidden, Invalid
from supportdesk.notifications.actions import enqueue_email
from supportdesk.policy.learning import (
    can_cancel_registration,
    can_manage_learning,
    download_refusal,
    training_refusal,
)

from . import invitations
from .errors import LearningError
from .models import (
    Download,
    Event,
    LearningEvent,
    Registration,
    Release,
    TrainingAccess,
    TrainingCategory,
    TrainingItem,
    TrainingKind,
)

T = TypeVar("T")

MAX_RELEASE_BYTES = 2 * 1024 * 1024 * 1024
CENT = Decimal("0.01")
# An event's seats and fee (Event.fee: 10 digits, 2 decimals): the API declares them, the action refuses past them.
MAX_CAPACITY, MAX_FEE = 100_000, Decimal("99999999.99")


def _staff_only(actor: User | None) -> None:
    if actor is not None and not can_manage_learning(actor):
        raise Forbidden("Only support managers and system admins manage releases, training and events.",
                        code=LearningError.STAFF_ONLY)


def _required(value: str, field: str, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise Invalid(LearningError.TITLE_REQUIRED, f"{label} is required.", fields={field: "required"})
    return value


# Releases (R13) ----------------------------------------------------------------------------------------

def add_release(actor: User | None, *, product: str, version: str, released_on: Any, notes: str = "",
                upload: IO[bytes] | None, filename: str) -> Release:
    _staff_only(actor)
    product, version = _required(product, "product", "The product"), _required(version, "version", "The version")
    for field, value, limit in (("product", product, 100), ("version", version, 50)):
        if len(value) > limit:  # the column's width: refused clearly, not a database error (500) on PostgreSQL
            raise Invalid(LearningError.RELEASE_BAD_FIELD, f"The {field} may be at most {limit} characters.",
                          fields={field: f"at most {limit} characters"})
    if upload is None:
        raise Invalid(LearningError.RELEASE_FILE_REQUIRED, "A release needs its download file.",
                      fields={"file": "required"})
    if Release.objects.filter(product__iexact=product, version__iexact=version).exists():
        raise Conflict(LearningError.RELEASE_DUPLICATE, f"{product} {version} is already in the catalogue.",
                       fields={"version": "already released"})
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
        if size > MAX_RELEASE_BYTES:
            raise Invalid(LearningError.RELEASE_FILE_TOO_LARGE, "A release file may be at most 2 GiB.",
                          fields={"file": "too large"})
    if size == 0:  # an empty file is never a release: every entitled client would download nothing
        raise Invalid(LearningError.RELEASE_FILE_EMPTY, "The release file is empty; upload the release's download file.",
                      fields={"file": "empty"})
    upload.seek(0)
    safe_name = (filename or "release.bin").replace("/", "_").replace("\\", "_")[:200] or "release.bin"
    release = Release(product=product, version=version, released_on=released_on, notes=notes,
                      filename=safe_name, size=size, sha256=digest.hexdigest(), created_by=actor)
    try:
        with stored_files.removed_on_failure():  # any failure of the write below removes the stored file
            stored_files.save(release.file, safe_name, File(upload, name=safe_name))  # before: up to 2 GiB
            with transaction.atomic():
                release.save()
                LearningEvent.objects.create(actor=actor, kind="release.added",
                                             data={"release": release.pk, "product": product, "version": version})
    except IntegrityError as exc:  # the same version uploaded at the same moment: the unique index refused it
        raise Conflict(LearningError.RELEASE_DUPLICATE, f"{product} {version} is already in the catalogue.",
                       fields={"version": "already released"}) from exc
    return release


def record_download(actor: User, release: Release, *, serve: Callable[[Release], T]) -> T:
    """Refuse (changing nothing) unless the person may download now; otherwise serve the file and log the
    download. `serve` opens the file first (queries.download_response), so a file missing from storage
    answers 404 and logs nothing, without a separate existence check that could race the open."""
    refusal = download_refusal(actor)
    if refusal is not None:
        raise refusal
    served = serve(release)
    Download.objects.create(release=release, user=actor, client=actor.client, at=timezone.now())
    return served


# Training database (R15) -------------------------------------------------------------------------------

def save_training_item(actor: User | None, *, item: TrainingItem | None = None, kind: str, title: str,
                       summary: str = "", body: str = "", url: str = "", category: str = "",
                       published: bool = True) -> TrainingItem:
    _staff_only(actor)
    if kind not in TrainingKind.values:
        raise Invalid(LearningError.TRAINING_BAD_KIND, "Kind must be course, video or document.",
                      fields={"kind": "course, video or document"})
    title = _required(title, "title", "A title")
    if url and not url.startswith(("https://", "http://")):
        raise Invalid("training.bad_url", "The link must start with https:// or http://.", fields={"url": "a web link"})
    with transaction.atomic():
        cat = TrainingCategory.objects.get_or_create(name=" ".join(category.split()))[0] if category.strip() else None
        item = item or TrainingItem(created_by=actor)
        item.kind, item.title, item.summary, item.body = kind, title, summary[:500], body
        item.url, item.category, item.published = url, cat, published
        created = item.pk is None
        item.save()
        LearningEvent.objects.create(actor=actor, kind="training.added" if created else "training.changed",
                                     data={"item": item.pk, "title": title})
    return item


def open_training_item(actor: User, item: TrainingItem) -> TrainingAccess:
    """Unlimited for designated users of entitled clients and for staff; every opening is logged."""
    refusal = training_refusal(actor)
    if refusal is not None:
        raise refusal
    return TrainingAccess.objects.create(item=item, user=actor, client=actor.client, at=timezone.now())


# Events and registrations (R16) ------------------------------------------------------------------------

def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount > MAX_FEE or amount != amount.quantize(CENT):
        raise Invalid(LearningError.EVENT_BAD_FEE, f"The fee must be an amount from 0 to {MAX_FEE} with at most 2 "
                                                   "decimals.",
                      fields={"fee": "amount >= 0"})
    return amount


def create_event(actor: User | None, *, title: str, starts_at: datetime, ends_at: datetime, timezone_name: str,
                 capacity: int, fee: Any = "0", currency: str = "USD", kind: str = "webinar",
                 description: str = "", location: str = "") -> Event:
    _staff_only(actor)
    values = _checked_event_values(title=title, starts_at=starts_at, ends_at=ends_at, timezone=timezone_name,
                                   capacity=capacity, fee=fee, currency=currency, kind=kind,
                                   description=description, location=location)
    if values["starts_at"] <= timezone.now():
        # Registration closes at the start: an event created in the past could never take a seat or change.
        raise Invalid(LearningError.EVENT_BAD_TIMES, "The start is in the past; choose a time to come.",
                      fields={"starts_at": "in the past"})
    with transaction.atomic():
        event = Event.objects.create(created_by=actor, **values)
        LearningEvent.objects.create(actor=actor, kind="event.created", data={"event": event.pk, "title": event.title})
    return event


# What registrants' calendars show: a change to any of these sends them an updated invitation.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "timezone", "location", "description")
EVENT_FIELDS = (*CALENDAR_FIELDS, "capacity", "fee", "currency", "kind")


def change_event(actor: User | None, event: Event, **changes: Any) -> Event:
    """Change an event that has not started. Seats already taken keep their fee; a capacity below the seats
    taken is refused; when what a calendar shows changes, every registrant gets an updated invitation
    (same UID, higher SEQUENCE)."""
    _staff_only(actor)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise Invalid("event.unknown_field", f"Cannot change {', '.join(sorted(unknown))}.",
                      fields={name: "not changeable" for name in unknown})
    changes = {name: value for name, value in changes.items() if value is not None}
    if not changes:
        raise Invalid("event.nothing_to_change", "Nothing to change.")
    now = timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        _refuse_if_over(locked, now, "changed")
        values = _checked_event_values(**{name: getattr(locked, name) for name in EVENT_FIELDS} | changes)
        changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        if "starts_at" in changed and changed["starts_at"] <= now:
            # A start in the past would lock the event at once: neither it nor its seats could change again.
            raise Invalid(LearningError.EVENT_BAD_TIMES, "The new start is in the past; choose a time to come.",
                          fields={"starts_at": "in the past"})
        taken = Registration.objects.filter(event=locked, cancelled_at__isnull=True).count()
        if changed.get("capacity", taken) < taken:
            raise Conflict(LearningError.EVENT_CAPACITY_SHRINK,
                           f"{taken} seats are taken; the capacity cannot go below that.",
                           details={"seats_taken": taken})
        if "currency" in changed and Registration.objects.filter(event=locked, cancelled_at__isnull=True,
                                                                 fee__gt=0).exists():
            raise Conflict(LearningError.EVENT_CURRENCY_LOCKED,
                           "Registrants were charged in this currency; it cannot change now.")
        before = {name: str(getattr(locked, name)) for name in changed}
        for name, value in changed.items():
            setattr(locked, name, value)
        reinvite = bool(set(changed) & set(CALENDAR_FIELDS))
        if reinvite:
            locked.sequence += 1
        locked.save()
        if reinvite:
            _send_invitations(locked, changed=set(changed))
        LearningEvent.objects.create(actor=actor, kind="event.changed", data={
            "event": locked.pk, "before": before, "after": {name: str(value) for name, value in changed.items()},
            "registrants_told": taken if reinvite else 0})
    return locked


def cancel_event(actor: User | None, event: Event, *, reason: str) -> Event:
    """Cancel an event that has not started: every registration is cancelled and told why, with a calendar
    CANCEL; fees not yet invoiced are dropped and fees already invoiced become a credit on the next invoice."""
    _staff_only(actor)
    reason = _required(reason, "reason", "A reason for the registrants")[:500]
    now = timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        _refuse_if_over(locked, now, "cancelled")
        locked.cancelled_at, locked.cancelled_by, locked.cancellation_reason = now, actor, reason
        locked.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason"])
        outcomes: dict[str, str] = {}
        for registration in (Registration.objects.filter(event=locked, cancelled_at__isnull=True)
                             .select_related("user", "client")):
            registration.event = locked
            registration.cancelled_at, registration.cancelled_by = now, actor
            registration.save(update_fields=["cancelled_at", "cancelled_by"])
            fee = withdraw_charge(actor, f"registration:{registration.pk}", reason=f"{locked.title} cancelled",
                                  on=client_local_date(registration.client, now))
            outcomes[str(registration.pk)] = fee
            enqueue_email(topic="learning.event_cancelled", to=registration.user.email,
                          subject=f"Cancelled: {locked.title}",
                          body=invitations.event_cancelled_text(registration, fee),
                          attachments=[invitations.ics_attachment(registration, cancelled=True)],
                          dedupe_key=f"registration:{registration.pk}:cancelled")
        LearningEvent.objects.create(actor=actor, kind="event.cancelled",
                                     data={"event": locked.pk, "reason": reason, "registrations": outcomes})
    return locked


def _refuse_if_over(event: Event, now: datetime, doing: str) -> None:
    if event.cancelled_at is not None:
        raise Conflict(LearningError.EVENT_CANCELLED, f"{event.title} was cancelled; it can no longer be {doing}.")
    if event.starts_at <= now:
        raise Invalid(LearningError.EVENT_STARTED, f"{event.title} has started; it can no longer be {doing}.",
                      fields={"event": "already started"})


def _send_invitations(event: Event, *, changed: set[str]) -> None:
    for registration in Registration.objects.filter(event=event, cancelled_at__isnull=True).select_related("user"):
        registration.event = event
        enqueue_email(topic="learning.event_changed", to=registration.user.email,
                      subject=f"Changed: {event.title}",
                      body=invitations.event_changed_text(registration, changed),
                      attachments=[invitations.ics_attachment(registration)],
                      dedupe_key=f"registration:{registration.pk}:sequence:{event.sequence}")


def _checked_event_values(*, title: str, starts_at: datetime, ends_at: datetime, timezone: str, capacity: int,
                          fee: Any, currency: str, kind: str, description: str, location: str) -> dict[str, Any]:
    """An event's fields, checked and normalised (instants in UTC, currency upper case) or refused with 422."""
    title = _required(title, "title", "A title")
    check_zone(timezone)
    if _is_naive(starts_at) or _is_naive(ends_at):
        raise Invalid(LearningError.EVENT_BAD_TIMES, "Start and end need a UTC offset (e.g. 2026-05-01T15:00:00-04:00).",
                      fields={"starts_at": "needs an offset"})
    if ends_at <= starts_at:
        raise Invalid(LearningError.EVENT_BAD_TIMES, "The event must end after it starts.",
                      fields={"ends_at": "after starts_at"})
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid(LearningError.EVENT_BAD_CAPACITY, f"Capacity must be a whole number from 1 to {MAX_CAPACITY:,}.",
                      fields={"capacity": "whole number >= 1"})
    if not isinstance(currency, str) or currency.upper() not in list_currencies():
        raise Invalid("event.unknown_currency", f"Unknown currency {currency!r}.", fields={"currency": "unknown"})
    if kind not in ("event", "webinar"):
        raise Invalid("event.bad_kind", "Kind must be event or webinar.", fields={"kind": "event or webinar"})
    return {"title": title, "starts_at": starts_at.astimezone(UTC), "ends_at": ends_at.astimezone(UTC),
            "timezone": timezone, "capacity": capacity, "fee": _money(fee), "currency": currency.upper(),
            "kind": kind, "description": description.replace("\r\n", "\n").strip(), "location": location[:200]}


def _is_naive(value: datetime) -> bool:
    return value.tzinfo is None or value.utcoffset() is None


def discount_for(user: User, at: datetime) -> int:
    """Percent off for a designated user of a client whose plan (Premium) grants it on that date."""
    if user.client is None or not policy.is_designated(user, at):
        return 0
    return entitlements_for(user.client, at).features.event_discount_percent


def price_for(event: Event, discount_percent: int) -> Decimal:
    return (event.fee * (100 - discount_percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def register(actor: User, event: Event, *, at: datetime | None = None) -> Registration:
    """Take a seat. The event row is locked and seats are numbered 1..capacity under a partial unique index,
    so concurrent registrations never exceed the capacity. The fee goes to billing in the same transaction."""
    if not policy.is_client_person(actor):
        raise Forbidden("Registration is for client users; staff attend without registering.",
                        code=LearningError.REGISTRATION_CLIENTS_ONLY)
    client = actor.client
    assert client is not None
    now = at or timezone.now()
    _refuse_closed_registration(event, now)
    discount = discount_for(actor, now)
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            _refuse_closed_registration(locked, now)  # again under the lock: a cancel or a move may have won
            active = list(Registration.objects.filter(event=locked, cancelled_at__isnull=True)
                          .values_list("user_id", "seat"))
            if any(user_id == actor.pk for user_id, _ in active):
                raise Conflict(LearningError.REGISTRATION_DUPLICATE, f"You are already registered for {locked.title}.")
            if len(active) >= locked.capacity:
                raise Conflict(LearningError.REGISTRATION_FULL,
                               f"{locked.title} is full: all {locked.capacity} seats are taken.",
                               details={"capacity": locked.capacity})
            seat = min(set(range(1, locked.capacity + 1)) - {s for _, s in active})
            fee = price_for(locked, discount)
            registration = Registration.objects.create(
                event=locked, user=actor, client=client, seat=seat, list_fee=locked.fee, discount_percent=discount,
                fee=fee, currency=locked.currency, created_at=now)
            if fee > 0:
                record_charge(actor, client=client, kind="event_fee", amount=fee, currency=locked.currency,
                              description=f"{locked.get_kind_display()}: {locked.title} ({actor.email})"
                                          + (f", {discount}% designated-user discount" if discount else ""),
                              incurred_on=client_local_date(client, now), source_ref=f"registration:{registration.pk}")
            enqueue_email(topic="learning.registration", to=actor.email,
                          subject=f"Registered: {locked.title}",
                          body=invitations.confirmation_text(registration),
                          attachments=[invitations.ics_attachment(registration)],
                          dedupe_key=f"registration:{registration.pk}:confirmed")
            LearningEvent.objects.create(actor=actor, kind="registration.created",
                                         data={"event": locked.pk, "registration": registration.pk, "seat": seat,
                                               "fee": str(fee), "discount_percent": discount})
    except IntegrityError as exc:
        raise Conflict(LearningError.REGISTRATION_FULL,
                       f"Another registration for {event.title} was saved at the same moment; try again.") from exc
    return registration


def _refuse_closed_registration(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise Conflict(LearningError.EVENT_CANCELLED, f"{event.title} was cancelled: {event.cancellation_reason}")
    if event.starts_at <= now:
        raise Invalid(LearningError.REGISTRATION_EVENT_STARTED,
                      f"Registration for {event.title} closed when it started.", fields={"event": "already started"})


def cancel_registration(actor: User, registration: Registration, *, at: datetime | None = None) -> Registration:
    """Allowed until the event starts; frees the seat and cancels the fee if it has not been invoiced yet."""
    if not can_cancel_registration(actor, registration):
        raise Forbidden("Only the registrant, their client admin and support managers cancel a registration.")
    now = at or timezone.now()
    with transaction.atomic():
        locked = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        if locked.cancelled_at is not None:
            raise Conflict(LearningError.REGISTRATION_ALREADY_CANCELLED, "This registration is already cancelled.")
        if locked.event.starts_at <= now:
            raise Invalid(LearningError.REGISTRATION_EVENT_STARTED,
                          f"{locked.event.title} has started; registrations can no longer be cancelled.")
        locked.cancelled_at, locked.cancelled_by = now, actor
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        charge_cancelled = cancel_charge(f"registration:{locked.pk}")
        enqueue_email(topic="learning.registration", to=locked.user.email,
                      subject=f"Registration cancelled: {locked.event.title}",
                      body=invitations.cancellation_text(locked, charge_cancelled),
                      attachments=[invitations.ics_attachment(locked, cancelled=True)],
                      dedupe_key=f"registration:{locked.pk}:cancelled")
        LearningEvent.objects.create(actor=actor, kind="registration.cancelled",
                                     data={"registration": locked.pk, "charge_cancelled": charge_cancelled})
    return locked
