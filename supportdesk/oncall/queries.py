"""Reads of the rota, through the policy (invisible to people who may not see it: 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from supportdesk.errors import NotFound
from supportdesk.policy.oncall import can_view_rota

from .models import RotaOverride, RotaShift


def _check(user: Any) -> None:
    if not can_view_rota(user):
        raise NotFound("rota")


def shifts(user: Any) -> QuerySet[RotaShift]:
    _check(user)
    return RotaShift.objects.select_related("staff").order_by("weekday", "start", "id")


def overrides(user: Any, *, upcoming_only: bool = True) -> QuerySet[RotaOverride]:
    _check(user)
    qs = RotaOverride.objects.select_related("staff")
    return qs.filter(end__gt=timezone.now()) if upcoming_only else qs


def on_call(user: Any, at: datetime) -> Any:
    _check(user)
    from .rota import who_is_on_call

    return who_is_on_call(at)
