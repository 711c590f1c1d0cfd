"""Reads of the satisfaction context, through the policy: CSAT (good / answered) per month, overall and per
client, for the current month and the `months - 1` whole months before it (months of the vendor's zone,
counted by when the answer was given)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from supportdesk.errors import NotFound
from supportdesk.policy.satisfaction import can_view_satisfaction
from supportdesk.sla.queries import month_start, vendor_zone

from .models import Rating, Survey

MAX_MONTHS = 60  # as far back as the SLA dashboard goes


@dataclass(frozen=True)
class Csat:
    month: str  # YYYY-MM, or "" for a total over the period
    good: int
    bad: int

    @property
    def answered(self) -> int:
        return self.good + self.bad

    @property
    def percent(self) -> float | None:
        """Good answers as a percentage of the answered ones (None: nothing answered)."""
        return round(100.0 * self.good / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class ClientCsat:
    client_id: int
    client: str
    total: Csat
    months: list[Csat] = field(default_factory=list)  # only months with answers


@dataclass(frozen=True)
class CsatSummary:
    months: int
    since: datetime
    total: Csat
    by_month: list[Csat]  # every month of the period, oldest first, zeros included
    by_client: list[ClientCsat]  # clients with answers, by name


def require_viewer(user: Any) -> None:
    if not can_view_satisfaction(user):
        raise NotFound("page")


def month_keys(now: datetime, months: int) -> list[str]:
    local = now.astimezone(vendor_zone())
    last = local.year * 12 + local.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(last - months + 1, last + 1)]


def csat_summary(user: Any, *, months: int = 6, now: datetime | None = None) -> CsatSummary:
    require_viewer(user)
    months = min(max(int(months), 1), MAX_MONTHS)
    now = now or timezone.now()
    zone = vendor_zone()
    since = month_start(now, months, zone)
    counts: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = Survey.objects.filter(answered_at__gte=since, answered_at__lte=now, rating__isnull=False).values_list(
        "ticket__client_id", "ticket__client__name", "answered_at", "rating")
    for client_id, name, answered_at, rating in rows.iterator():
        assert answered_at is not None  # filtered above
        counts[(client_id, name, answered_at.astimezone(zone).strftime("%Y-%m"))][0 if rating == Rating.GOOD else 1] += 1
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_client: dict[tuple[int, str], dict[str, list[int]]] = defaultdict(dict)
    for (client_id, name, month), (good, bad) in counts.items():
        per_month[month][0] += good
        per_month[month][1] += bad
        per_client[(client_id, name)][month] = [good, bad]
    by_month = [Csat(m, *per_month.get(m, (0, 0))) for m in month_keys(now, months)]
    by_client = [ClientCsat(cid, name, _total(list(by.values())),
                            [Csat(m, g, b) for m, (g, b) in sorted(by.items())])
                 for (cid, name), by in sorted(per_client.items(), key=lambda kv: (kv[0][1].lower(), kv[0][0]))]
    return CsatSummary(months, since, _total([[c.good, c.bad] for c in by_month]), by_month, by_client)


def _total(pairs: list[list[int]]) -> Csat:
    return Csat("", sum(g for g, _ in pairs), sum(b for _, b in pairs))
