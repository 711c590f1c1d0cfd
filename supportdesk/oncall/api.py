"""REST endpoints of the on-call rota (mounted at /api/v1/oncall): staff read, managers edit."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.errors import Invalid
from supportdesk.pagination import PageNumberPagination
from supportdesk.schema_bounds import declared_range

from . import actions, queries
from .errors import OncallError
from .hours import in_business_hours

router = Router()


class StaffOut(Schema):
    id: int
    email: str
    name: str
    timezone: str


class ShiftIn(Schema):
    staff_id: StrictInt  # strict: JSON true is refused (422), not read as person 1 or Tuesday
    weekday: StrictInt = Field(..., description="0 (Monday) to 6 (Sunday); else 422 `oncall.bad_weekday`",
                         json_schema_extra=declared_range(0, 6))
    start: time
    end: time


class ShiftOut(Schema):
    id: int
    staff: StaffOut
    weekday: int
    start: time
    end: time


class OverrideIn(Schema):
    staff_id: int
    start: datetime
    end: datetime
    note: str = ""


class OverrideOut(Schema):
    id: int
    staff: StaffOut
    start: datetime
    end: datetime
    note: str


class NowOut(Schema):
    at: datetime
    in_business_hours: bool
    on_call: StaffOut | None


def _staff(user) -> dict | None:  # noqa: ANN001
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.display_name, "timezone": user.timezone}


def _shift(s) -> dict:  # noqa: ANN001
    return {"id": s.pk, "staff": _staff(s.staff), "weekday": s.weekday, "start": s.start, "end": s.end}


def _override(o) -> dict:  # noqa: ANN001
    return {"id": o.pk, "staff": _staff(o.staff), "start": o.start, "end": o.end, "note": o.note}


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@router.get("/now", response=NowOut, summary="Who is on call (now, or at ?at=ISO instant with offset)")
def now(request: HttpRequest, at: str | None = None):
    when = timezone.now()
    if at:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise Invalid(OncallError.BAD_INSTANT, "at must be an ISO 8601 instant.", fields={"at": "malformed"}) from None
        if when.tzinfo is None:
            raise Invalid(OncallError.BAD_INSTANT, "at needs a UTC offset (e.g. 2026-03-08T02:00-05:00).",
                          fields={"at": "needs an offset"})
        if not EARLIEST <= when < LATEST:  # the business-hours calendar is built per year, within datetime's range
            raise Invalid(OncallError.BAD_INSTANT, f"at must be between {EARLIEST.year} and {LATEST.year}.",
                          fields={"at": "out of range"})
    person = queries.on_call(policy.signed_in(request), when)
    return {"at": when, "in_business_hours": in_business_hours(when), "on_call": _staff(person)}


@router.get("/shifts", response=list[ShiftOut], summary="The weekly on-call pattern")
@paginate(PageNumberPagination, page_size=50)
def list_shifts(request: HttpRequest):
    return [_shift(s) for s in queries.shifts(policy.signed_in(request))]


@router.post("/shifts", response={201: ShiftOut}, summary="Add a weekly shift (managers)")
def create_shift(request: HttpRequest, payload: ShiftIn):
    shift = actions.add_shift(policy.signed_in(request), staff=payload.staff_id, weekday=payload.weekday,
                              start=payload.start, end=payload.end)
    return Status(201, _shift(shift))


@router.delete("/shifts/{shift_id}", response={204: None}, summary="Remove a weekly shift (managers)")
def delete_shift(request: HttpRequest, shift_id: int):
    user = policy.signed_in(request)
    queries.shifts(user)
    actions.remove_shift(user, shift_id)
    return Status(204, None)


@router.get("/overrides", response=list[OverrideOut], summary="Current and upcoming overrides")
@paginate(PageNumberPagination, page_size=50)
def list_overrides(request: HttpRequest):
    return [_override(o) for o in queries.overrides(policy.signed_in(request))]


@router.post("/overrides", response={201: OverrideOut}, summary="Put someone on call for a dated period (managers)")
def create_override(request: HttpRequest, payload: OverrideIn):
    override = actions.add_override(policy.signed_in(request), staff=payload.staff_id, start=payload.start,
                                    end=payload.end, note=payload.note)
    return Status(201, _override(override))


@router.delete("/overrides/{override_id}", response={204: None}, summary="Remove an override (managers)")
def delete_override(request: HttpRequest, override_id: int):
    user = policy.signed_in(request)
    queries.overrides(user)
    actions.remove_override(user, override_id)
    return Status(204, None)
