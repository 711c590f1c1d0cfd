"""Releases, training and events (R13, R15, R16): who sees, downloads, opens, registers and manages.

The catalogues (releases, training titles, events) are visible to everybody signed in, so a client
without the plan sees what it could get. The refusals below explain why and how to get access.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from supportdesk.accounts.models import StaffRole
from supportdesk.errors import DomainError, Forbidden

from .roles import STAFF_WORKERS, has_role, is_client_admin, is_client_person, is_designated, is_staff_member

CONTENT_MANAGERS = (StaffRole.MANAGER, StaffRole.SYSADMIN)


def can_manage_learning(user: Any) -> bool:
    """Upload releases, edit training content, create events, see every registration."""
    return has_role(user, *CONTENT_MANAGERS)


def download_refusal(user: Any, at: datetime | None = None) -> DomainError | None:
    """Why this person may not download releases now, or None when they may."""
    from supportdesk.contracts.entitlements import entitlements_for
    from supportdesk.learning.errors import LearningError

    if is_staff_member(user):
        return None
    if not is_client_person(user):
        return Forbidden("Only client users and staff download releases.", code=LearningError.NO_MAINTENANCE)
    features = entitlements_for(user.client, at or timezone.now()).features
    if features.maintenance or features.software_updates:
        return None
    return Forbidden(f"{user.client.name} has no active Maintenance Support, so releases cannot be downloaded. "
                     "Software updates come with Maintenance Support and Premium Support; ask your account "
                     "manager to add one to your contract (see the catalogue).", code=LearningError.NO_MAINTENANCE)


def training_refusal(user: Any, at: datetime | None = None) -> DomainError | None:
    """Why this person may not open training content now, or None when they may (unlimited)."""
    from supportdesk.contracts.entitlements import entitlements_for
    from supportdesk.learning.errors import LearningError

    if is_staff_member(user):
        return None
    at = at or timezone.now()
    if not is_client_person(user) or not entitlements_for(user.client, at).features.training_access:
        name = user.client.name if is_client_person(user) else "Your organisation"
        return Forbidden(f"{name} has no plan with the Online Training Database. It comes with Premium Support: "
                         "its designated users have unlimited access. Ask your account manager.",
                         code=LearningError.TRAINING_NOT_ENTITLED)
    if not is_designated(user, at):
        return Forbidden("The training database is open to the designated users of your organisation; ask your "
                         "client admin to designate you.", code=LearningError.TRAINING_NOT_DESIGNATED)
    return None


def visible_registrations(user: Any) -> QuerySet:
    from supportdesk.learning.models import Registration

    qs = Registration.objects.select_related("event", "user", "client")
    if has_role(user, *CONTENT_MANAGERS, StaffRole.BILLING):
        return qs
    if is_client_admin(user):
        return qs.filter(client_id=user.client_id)
    if is_client_person(user):
        return qs.filter(user=user)
    return qs.none()


def can_cancel_registration(user: Any, registration: Any) -> bool:
    if has_role(user, *CONTENT_MANAGERS):
        return True
    if is_client_admin(user):
        return registration.client_id == user.client_id
    return bool(is_client_person(user) and registration.user_id == user.pk)


# Who reads the access log (R13 downloads, R15 training openings). The log is the vendor's record ("access is
# logged"): the staff who work with clients read it; client people (client admins too) and billing admins do
# not, and get 404 as for anything they may not see. Lists, per-item lists, the page and the CSV ask this.
ACCESS_LOG_READERS = STAFF_WORKERS


def can_view_access_log(user: Any) -> bool:
    return has_role(user, *ACCESS_LOG_READERS)


def visible_downloads(user: Any) -> QuerySet:
    from supportdesk.learning.models import Download

    return Download.objects.all() if can_view_access_log(user) else Download.objects.none()


def visible_training_accesses(user: Any) -> QuerySet:
    from supportdesk.learning.models import TrainingAccess

    return TrainingAccess.objects.all() if can_view_access_log(user) else TrainingAccess.objects.none()
