"""Rota changes: check first, then do, in one transaction, writing a RotaEvent."""

from __future__ import annotations

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import Forbidden, Invalid, NotFound
from supportdesk.policy.oncall import can_edit_rota

from .errors import OncallError
from .models import RotaEvent, RotaOverride, RotaShift


def _check_editor(actor: User | None) -> None:
    if actor is not None and not can_edit_rota(actor):
        raise Forbidden("Only support managers can change the on-call rota.", code=OncallError.FORBIDDEN)


def _staff(staff: User | int | None) -> User:
    user = staff if isinstance(staff, User) else User.objects.filter(pk=staff).first() if staff else None
    if user is None or not policy.has_role(user, *policy.STAFF_WORKERS) or not user.is_active:
        raise Invalid(OncallError.NOT_STAFF, "The person on call must be an active support staff member.",
                      fields={"staff": "not a support staff member"})
    return user


def _time(value: time | str, field: str) -> time:
    if not isinstance(value, time):
        try:
            value = time.fromisoformat(str(value))
        except ValueError:
            raise Invalid(OncallError.BAD_TIME, f"{field} must be a wall-clock time like 09:00.",
                          fields={field: "HH:MM"}) from None
    if value.tzinfo is not None:  # "09:00+02:00": the database keeps no offset (SQLite refused it with a 500)
        raise Invalid(OncallError.BAD_TIME, f"{field} is a wall-clock time in the staff member's own zone: "
                      "send it without an offset, like 09:00.", fields={field: "HH:MM without an offset"})
    return value


def add_shift(actor: User | None, *, staff: User | int, weekday: int, start: time | str, end: time | str) -> RotaShift:
    _check_editor(actor)
    person = _staff(staff)
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise Invalid(OncallError.BAD_WEEKDAY, "weekday must be 0 (Monday) to 6 (Sunday).", fields={"weekday": "0 to 6"})
    start_t, end_t = _time(start, "start"), _time(end, "end")
    with transaction.atomic():
        shift = RotaShift.objects.create(staff=person, weekday=weekday, start=start_t, end=end_t, created_at=timezone.now())
        RotaEvent.objects.create(actor=actor, kind="rota.shift_added", created_at=timezone.now(),
                                 data={"shift": shift.pk, "staff": person.pk, "weekday": weekday,
                                       "start": start_t.isoformat(), "end": end_t.isoformat(), "zone": person.timezone})
    return shift


def remove_shift(actor: User | None, shift_id: int) -> None:
    _check_editor(actor)
    with transaction.atomic():
        shift = RotaShift.objects.select_for_update().filter(pk=shift_id).first()
        if shift is None:
            raise NotFound("shift")
        RotaEvent.objects.create(actor=actor, kind="rota.shift_removed", created_at=timezone.now(),
                                 data={"shift": shift.pk, "staff": shift.staff_id})
        shift.delete()


def add_override(actor: User | None, *, staff: User | int, start: datetime, end: datetime, note: str = "") -> RotaOverride:
    _check_editor(actor)
    person = _staff(staff)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise Invalid(OncallError.BAD_INSTANT, f"{name} needs a date, time and UTC offset (e.g. 2026-03-08T02:00-05:00).",
                          fields={name: "needs an offset"})
    if end <= start:
        raise Invalid(OncallError.EMPTY_PERIOD, "The override must end after it starts.", fields={"end": "not after start"})
    with transaction.atomic():
        override = RotaOverride.objects.create(staff=person, start=start, end=end, note=note.strip()[:200],
                                               created_by=actor, created_at=timezone.now())
        RotaEvent.objects.create(actor=actor, kind="rota.override_added", created_at=timezone.now(),
                                 data={"override": override.pk, "staff": person.pk, "start": start.isoformat(),
                                       "end": end.isoformat()})
    return override


def remove_override(actor: User | None, override_id: int) -> None:
    _check_editor(actor)
    with transaction.atomic():
        override = RotaOverride.objects.select_for_update().filter(pk=override_id).first()
        if override is None:
            raise NotFound("override")
        RotaEvent.objects.create(actor=actor, kind="rota.override_removed", created_at=timezone.now(),
                                 data={"override": override.pk, "staff": override.staff_id})
        override.delete()
