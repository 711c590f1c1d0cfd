"""Who a person is: staff roles, client membership, designation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.utils import timezone

from supportdesk.accounts.models import ClientRole, StaffRole, User

# Staff who work tickets (reply, note, assign, change status and severity).
STAFF_WORKERS = frozenset({StaffRole.AGENT, StaffRole.TAM, StaffRole.MANAGER, StaffRole.SYSADMIN})


def roles_of(user: Any) -> frozenset[str]:
    """Staff roles held, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "client_id", None) is not None:
        return frozenset()
    cached = getattr(user, "_sd_roles", None)
    if cached is None:
        cached = frozenset(user.role_grants.values_list("role", flat=True))  # type: ignore[attr-defined]
        if getattr(user, "is_superuser", False):
            cached = cached | {StaffRole.SYSADMIN}
        user._sd_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user: Any) -> bool:
    return bool(roles_of(user))


def is_client_person(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "client_id", None))


def is_client_admin(user: Any) -> bool:
    return is_client_person(user) and user.client_role == ClientRole.ADMIN  # type: ignore[attr-defined]


def is_designated(user: Any, at: datetime | None = None) -> bool:
    """Designated now (or at `at`) by the designation history; perks also need the entitlement."""
    if not is_client_person(user):
        return False
    from supportdesk.accounts.queries import designation_periods

    return designation_periods(user.pk).designated_at(at or timezone.now())


def signed_in(request: object) -> User:
    """The request's person; views and endpoints that call this are behind authentication."""
    user = request.user  # type: ignore[attr-defined]
    if not getattr(user, "is_authenticated", False):
        from supportdesk.errors import DomainError

        raise DomainError("unauthenticated", "Sign in or send a valid API token.", status=401)
    return cast(User, user)
