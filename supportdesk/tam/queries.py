"""Reads of the TAM context, always starting from the policy's querysets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from supportdesk.accounts.models import Client, TamAssignment
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.errors import NotFound
from supportdesk.policy import tam as tam_policy
from supportdesk.tickets.models import Ticket

from . import upgrades
from .models import (
    LIVE_UPGRADE,
    CallOccurrence,
    CallSeries,
    FollowUp,
    OccurrenceStatus,
    OnsiteVisit,
    UpgradePlan,
    VisitExpense,
    VisitStatus,
)

# Clock states the sla context reports as at risk; a clock due within AT_RISK_WITHIN is at risk too.
AT_RISK_STATES = ("warning", "at_risk", "breached")
AT_RISK_WITHIN = timedelta(hours=4)
UPCOMING = timedelta(days=30)


def client_for(user: object, client_id: int, *, work: bool = False) -> Client:
    qs = tam_policy.worked_clients(user) if work else tam_policy.tam_visible_clients(user)
    client = qs.filter(pk=client_id).distinct().first()
    if client is None:
        raise NotFound("client")
    return client


def series_qs(user: object) -> QuerySet[CallSeries]:
    return CallSeries.objects.filter(client__in=tam_policy.tam_visible_clients(user)).select_related("client", "tam")


def occurrences_qs(user: object) -> QuerySet[CallOccurrence]:
    return (CallOccurrence.objects.filter(series__client__in=tam_policy.tam_visible_clients(user))
            .select_related("series", "series__client", "series__tam"))


def visits_qs(user: object) -> QuerySet[OnsiteVisit]:
    return OnsiteVisit.objects.filter(client__in=tam_policy.tam_visible_clients(user)).select_related("client")


def expenses_qs(user: object) -> QuerySet[VisitExpense]:
    return (VisitExpense.objects.filter(visit__client__in=tam_policy.tam_visible_clients(user))
            .select_related("visit", "charge"))


def upgrades_qs(user: object) -> QuerySet[UpgradePlan]:
    from supportdesk.learning.models import Release

    # The catalogue release the target names, if any: one subquery, not one query per plan.
    release = Release.objects.filter(product=OuterRef("product"), version=OuterRef("target_version")).values("pk")[:1]
    return (UpgradePlan.objects.filter(client__in=tam_policy.tam_visible_clients(user))
            .select_related("client").prefetch_related("windows").annotate(release_id=Subquery(release)))


def follow_up_for(user: object, follow_up_id: int) -> FollowUp:
    found = FollowUp.objects.filter(pk=follow_up_id,
                                    occurrence__series__client__in=tam_policy.tam_visible_clients(user)).first()
    if found is None:
        raise NotFound("follow-up")
    return found


def one(qs: QuerySet, pk: int, what: str):  # noqa: ANN201
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(what)
    return found


def at_risk(qs: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    return qs.filter(Q(sla_state__in=AT_RISK_STATES) | Q(sla_due_at__lte=now + AT_RISK_WITHIN))


@dataclass
class ClientCard:
    client: Client
    entitled: bool
    open_tickets: list[Ticket]
    at_risk: list[Ticket]
    calls: list[CallOccurrence]
    visits: list[OnsiteVisit]
    upgrades: list[UpgradePlan]
    installed: str = ""
    follow_ups: list[FollowUp] = field(default_factory=list)


def workspace_clients(user: object, now: datetime | None = None) -> list[Client]:
    """The clients of the person's workspace, by name: those entitled to a dedicated TAM on `now` (the cached
    entitlements) or holding an open TAM assignment. Cheap, so the page and the API page it before building
    any card (a manager works every client)."""
    now = now or timezone.now()
    assigned = set(TamAssignment.objects.filter(end__isnull=True).values_list("client_id", flat=True))
    clients = tam_policy.worked_clients(user).distinct().order_by("name", "pk")
    return [c for c in clients if c.pk in assigned or entitlements_for(c, now).features.dedicated_tam]


def client_card(client: Client, now: datetime | None = None) -> ClientCard:
    """One client's card: open tickets, at-risk clocks, and upcoming calls, visits and upgrades."""
    now = now or timezone.now()
    open_qs = Ticket.objects.filter(client=client, is_open=True).select_related("assignee")
    return ClientCard(
        client=client, entitled=entitlements_for(client, now).features.dedicated_tam,
        open_tickets=list(open_qs.order_by("severity", "sla_due_at", "created_at")[:50]),
        at_risk=list(at_risk(open_qs, now).order_by("sla_due_at")[:20]),
        calls=list(CallOccurrence.objects.filter(series__client=client, status=OccurrenceStatus.SCHEDULED,
                                                 starts_at__gte=now - timedelta(hours=2),
                                                 starts_at__lte=now + UPCOMING).select_related("series")[:10]),
        visits=list(OnsiteVisit.objects.filter(client=client, status=VisitStatus.PLANNED,
                                               ends_on__gte=now.date())[:5]),
        upgrades=list(UpgradePlan.objects.filter(client=client, status__in=LIVE_UPGRADE)
                      .prefetch_related("windows")[:5]),
        installed=upgrades.installed_version(client),
        follow_ups=list(FollowUp.objects.filter(occurrence__series__client=client, done_at__isnull=True)[:10]),
    )


def assignment_history(client: Client) -> QuerySet[TamAssignment]:
    return client.tam_assignments.select_related("tam", "assigned_by").order_by("-start", "-id")
