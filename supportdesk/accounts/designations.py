"""Designated users (R6): at most the entitled number per client, enforced under concurrency.

A designation takes the lowest free slot 1..limit; the client row is locked first (PostgreSQL) or the
immediate transaction holds the write lock (SQLite), and a partial unique index on (client, slot) of
active designations makes the database refuse a duplicate slot even if the lock were bypassed.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import Conflict, Invalid
from supportdesk.notifications.actions import enqueue_email

from .errors import DesignationError
from .models import AccountEvent, Client, Designation, User


def designation_limit(client: Client, at: datetime | None = None) -> int:
    return entitlements_for(client, at or timezone.now()).features.designated_user_limit


def active_designations(client: Client):  # noqa: ANN201
    return Designation.objects.filter(client=client, end__isnull=True).select_related("user").order_by("slot")


def designation_history(client: Client):  # noqa: ANN201
    """Every designation of the client, current and ended (newest first): who was designated when."""
    return (Designation.objects.filter(client=client)
            .select_related("user", "created_by", "ended_by").order_by("-start", "-id"))


def has_perk(user: User, perk: str, at: datetime | None = None) -> bool:
    """Whether a client user enjoys a Premium perk at `at`: designated then AND the client entitled then.

    `perk` names a Features field (priority_queue, training_access, event_discount_percent). Losing the
    plan (an addendum ending the line, the form's end date) stops the perk on that date even though the
    designation itself is kept as history.
    """
    from supportdesk.policy import is_designated

    at = at or timezone.now()
    if user.client_id is None or not is_designated(user, at):
        return False
    return bool(getattr(entitlements_for(user.client, at).features, perk))  # type: ignore[arg-type]


def designate(actor: User | None, *, client: Client, user: User) -> Designation:
    if user.client_id != client.pk:
        raise Invalid(DesignationError.NOT_CLIENT_USER, f"{user.email} is not a user of {client.name}.",
                      fields={"user": "not of this client"})
    if not user.is_active:  # the pages offer only active people; a deactivated account would hold a slot unused
        raise Invalid(DesignationError.NOT_CLIENT_USER, f"{user.email} is deactivated and cannot be designated.",
                      fields={"user": "deactivated"})
    now = timezone.now()
    limit = designation_limit(client, now)
    if limit <= 0:
        raise Invalid(DesignationError.NOT_ENTITLED,
                      f"{client.name} has no plan with designated users (Premium Support includes up to 10).")
    try:
        with transaction.atomic():
            Client.objects.select_for_update().get(pk=client.pk)
            active = list(active_designations(client))
            if any(d.user_id == user.pk for d in active):
                raise Conflict(DesignationError.ALREADY_DESIGNATED, f"{user.email} is already designated.")
            if len(active) >= limit:
                raise _limit_reached(client, limit, active)
            # The lowest free place, looked for among the first len(active) + 1 (one is free there, as fewer than
            # `limit` are taken): never a set of all `limit` places, which a huge limit made a 500.
            taken = {d.slot for d in active}
            slot = next(n for n in range(1, len(active) + 2) if n not in taken)
            designation = Designation.objects.create(client=client, user=user, slot=slot, start=now, created_by=actor)
            AccountEvent.objects.create(client=client, actor=actor, kind="designation.added",
                                        data={"user": user.email, "slot": slot})
            enqueue_email(topic="designation.added", to=user.email,
                          subject=f"You are a designated user of {client.name}",
                          body=f"You are now one of the designated users of {client.name} ({len(active) + 1} of "
                               f"{limit}). While your organisation's plan includes it, your tickets are served in "
                               "the priority queue, the Online Training Database is open to you without limit, "
                               "and events and webinars cost you less.\n")
    except IntegrityError as exc:
        if active_designations(client).filter(user=user).exists():
            raise Conflict(DesignationError.ALREADY_DESIGNATED, f"{user.email} is already designated.") from exc
        active = list(active_designations(client))
        if len(active) >= limit:
            raise _limit_reached(client, limit, active) from exc
        raise Conflict(DesignationError.LIMIT_REACHED,
                       f"Another designation for {client.name} was saved at the same moment ({len(active)} of {limit} "
                       f"designated users, the limit of its plan); try again.",
                       details={"limit": limit, "designated": [d.user.email for d in active]}) from exc
    return designation


def _limit_reached(client: Client, limit: int, active: list[Designation]) -> Conflict:
    """The refusal of one designation too many: it names the limit and every current designated user."""
    names = ", ".join(d.user.email for d in active)
    return Conflict(DesignationError.LIMIT_REACHED,
                    f"{client.name} already has {len(active)} of {limit} designated users, the limit of "
                    f"its plan: {names}. Remove one before designating another.",
                    details={"limit": limit, "designated": [d.user.email for d in active]})


def undesignate(actor: User | None, *, client: Client, user: User) -> Designation:
    """End the user's active designation now; the row stays as history (replace = remove then add)."""
    with transaction.atomic():
        designation = Designation.objects.select_for_update().filter(client=client, user=user, end__isnull=True).first()
        if designation is None:
            raise Invalid(DesignationError.NOT_DESIGNATED, f"{user.email} is not designated.")
        designation.end = timezone.now()
        designation.ended_by = actor
        designation.save(update_fields=["end", "ended_by"])
        AccountEvent.objects.create(client=client, actor=actor, kind="designation.removed",
                                    data={"user": user.email, "slot": designation.slot})
        enqueue_email(topic="designation.removed", to=user.email,
                      subject=f"You are no longer a designated user of {client.name}",
                      body=f"Your designation for {client.name} ended; your new tickets go to the standard queue.\n")
    return designation


def replace(actor: User | None, *, client: Client, old: User, new: User) -> Designation:
    """Replace = remove then add, in one transaction: `old`'s designation ends (kept as history) and `new`
    is designated in the freed place. At the limit no concurrent designation can take the place in
    between, and a refusal of `new` (not a user of the client, deactivated, already designated) leaves
    `old` designated: nothing changes."""
    if old.pk == new.pk:  # ending and restarting the same person's designation would only rewrite its history
        raise Conflict(DesignationError.ALREADY_DESIGNATED,
                       f"{new.email} is already designated; replace them by someone who is not.",
                       fields={"user_id": "the person being replaced"})
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=client.pk)
        undesignate(actor, client=client, user=old)
        return designate(actor, client=client, user=new)
