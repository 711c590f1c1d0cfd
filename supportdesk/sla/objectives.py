"""Which objectives a ticket has: from the client's entitlements at the ticket's opening.

Premium: the seed table (initial response 30 min / 2 h on Monday–Friday 24 h, 4 h of business hours);
24/7 Support: severity 1 and 2 on 24x7 (the catalogue says so; the entitlement merge keeps the strictest);
no plan with objectives: tracked with no target ("best efforts"). Next-update and resolution targets are
optional objectives of an offering version (`features.objectives["next_update"|"resolution"]`).
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.tickets.models import Ticket

from .models import CalendarKind, Metric, MetricRule

DEFAULT_PAUSE_STATUSES: dict[str, tuple[str, ...]] = {
    Metric.INITIAL_RESPONSE: (),
    Metric.NEXT_UPDATE: ("waiting",),
    Metric.RESOLUTION: ("waiting",),
}
DEFAULT_WARNING_MINUTES = 15


@dataclass(frozen=True)
class Target:
    metric: str
    minutes: int | None  # None: best efforts
    calendar: str


@dataclass(frozen=True)
class Rule:
    metric: str
    pause_statuses: frozenset[str]
    warning_minutes: int


def targets_for(ticket: Ticket, severity: int | None = None) -> dict[str, Target]:
    """metric -> Target. The initial response is always tracked (best efforts without an objective)."""
    severity = ticket.severity if severity is None else severity
    objectives = entitlements_for(ticket.client, ticket.created_at).features.objectives
    targets: dict[str, Target] = {}
    for metric in Metric.values:
        objective = objectives.get(metric, {}).get(str(severity))
        if objective is not None:
            targets[metric] = Target(metric, objective.minutes, objective.calendar)
        elif metric == Metric.INITIAL_RESPONSE:
            targets[metric] = Target(metric, None, CalendarKind.BUSINESS_HOURS)
    return targets


def rule_for(metric: str) -> Rule:
    row = MetricRule.objects.filter(metric=metric).first()
    if row is None:
        return Rule(metric, frozenset(DEFAULT_PAUSE_STATUSES.get(metric, ())), DEFAULT_WARNING_MINUTES)
    return Rule(metric, frozenset(row.pause_statuses), row.warning_minutes)


def rules() -> dict[str, Rule]:
    return {metric: rule_for(metric) for metric in Metric.values}
