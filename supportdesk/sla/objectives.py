"""Which objectives a ticket has: from the client's entitlements at the ticket's opening.

Premium: the seed table (initial response 30 min / 2 h on Monday–Friday 24 h, 4 h of business hours);
24/7 Support: severity 1 and 2 on 24x7 (the catalogue says so; the entitlement merge keeps the strictest);
no plan with objectives: tracked with no target ("best efforts"). Next-update and resolution targets are
optional objectives of an offering version (`features.objectives["next_update"|"resolution"]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.accounts.models import Client
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.revisions.cache import RevisionCache
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
    return targets_for_opening(ticket.client, ticket.severity if severity is None else severity, ticket.created_at)


def targets_for_opening(client: Client, severity: int, opened_at: datetime) -> dict[str, Target]:
    """The targets of a ticket of this client and severity opened at that instant."""
    objectives = entitlements_for(client, opened_at).features.objectives
    targets: dict[str, Target] = {}
    for metric in Metric.values:
        objective = objectives.get(metric, {}).get(str(severity))
        if objective is not None:
            targets[metric] = Target(metric, objective.minutes, objective.calendar)
        elif metric == Metric.INITIAL_RESPONSE:
            targets[metric] = Target(metric, None, CalendarKind.BUSINESS_HOURS)
    return targets


def rule_for(metric: str) -> Rule:
    return rules()[metric]


# Per process under the "sla_settings" revision (triggers on sla_metricrule, sla.0002).
_rules: RevisionCache[dict[str, Rule]] = RevisionCache("sla_settings", limit=10)


def rules() -> dict[str, Rule]:
    """Every metric's rule (one query, or none while the rules are unchanged)."""
    return dict(_rules.require("rules", _read_rules))


def _read_rules() -> dict[str, Rule]:
    rows = {row.metric: row for row in MetricRule.objects.all()}
    return {metric: _rule(metric, rows.get(metric)) for metric in Metric.values}


def _rule(metric: str, row: MetricRule | None) -> Rule:
    if row is None:
        return Rule(metric, frozenset(DEFAULT_PAUSE_STATUSES.get(metric, ())), DEFAULT_WARNING_MINUTES)
    return Rule(metric, frozenset(row.pause_statuses), row.warning_minutes)
