"""On-call rota: working staff may see who is on call; managers edit the rota."""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import StaffRole

from .roles import STAFF_WORKERS, has_role


def can_view_rota(user: Any) -> bool:
    return has_role(user, *STAFF_WORKERS)


def can_edit_rota(user: Any) -> bool:
    return has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN)
