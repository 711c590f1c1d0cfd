"""Who is on call at an instant: an override covering it wins, else the weekly pattern.

Each shift is read in its staff member's own zone, so a 09:00-17:00 shift stays 09:00-17:00 on the
wall clock across daylight-saving changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from supportdesk.accounts.models import User

from .models import RotaOverride, RotaShift


def shift_covers(shift: RotaShift, at: datetime, zone: str) -> bool:
    local = at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    clock = local.time()
    overnight = shift.end <= shift.start
    if local.weekday() == shift.weekday:
        if overnight:
            return clock >= shift.start
        return shift.start <= clock < shift.end
    if overnight and (local - timedelta(days=1)).weekday() == shift.weekday:
        return clock < shift.end
    return False


def who_is_on_call(at: datetime) -> User | None:
    """The staff member on call at `at` (aware), or None when the rota has a gap."""
    override = (RotaOverride.objects.select_related("staff").filter(start__lte=at, end__gt=at, staff__is_active=True)
                .order_by("-created_at", "-id").first())
    if override is not None:
        return override.staff
    for shift in RotaShift.objects.select_related("staff").filter(staff__is_active=True).order_by("id"):
        if shift_covers(shift, at, shift.staff.timezone):
            return shift.staff
    return None
