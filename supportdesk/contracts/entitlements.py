"""Entitlements are derived, never stored: which lines are in force on a date, and what they grant.

Every feature asks `entitlements_for(client, at)`; nothing reads a flag on the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from supportdesk.accounts.models import Client
from supportdesk.catalogue.features import Features, merge
from supportdesk.revisions.cache import RevisionCache

from .models import LineAction, OrderLine


@dataclass(frozen=True)
class LinePeriod:
    line: OrderLine
    start: date
    end: date | None  # exclusive

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)

    def overlaps(self, start: date, end: date | None) -> bool:
        return (end is None or self.start < end) and (self.end is None or start < self.end)


@dataclass(frozen=True)
class EntitlementSet:
    client_id: int
    on: date
    features: Features
    offering_codes: frozenset[str]
    lines: tuple[LinePeriod, ...] = field(default_factory=tuple)

    @property
    def has_any_plan(self) -> bool:
        return bool(self.lines)

    def has_offering(self, code: str) -> bool:
        return code in self.offering_codes

    def user_count(self, offering_code: str) -> int | None:
        for period in self.lines:
            if period.line.offering_version and period.line.offering_version.offering.code == offering_code:
                return period.line.user_count
        return None

    def to_json(self) -> dict:
        return {
            "client_id": self.client_id,
            "on": self.on.isoformat(),
            "offerings": sorted(self.offering_codes),
            "features": self.features.to_json(),
            "lines": [
                {
                    "line_id": p.line.pk,
                    "order": p.line.order.number,
                    "offering": p.line.offering_version.offering.code if p.line.offering_version else None,
                    "offering_version": p.line.offering_version.version if p.line.offering_version else None,
                    "user_count": p.line.user_count,
                    "quantity": p.line.quantity,
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat() if p.end else None,
                }
                for p in self.lines
            ],
        }


def client_local_date(client: Client, at: datetime | date) -> date:
    if isinstance(at, datetime):
        return at.astimezone(ZoneInfo(client.timezone)).date()
    return at


def line_periods(client: Client) -> list[LinePeriod]:
    """Every add/change line of the client with the period it is in force (derived from orders)."""
    lines = list(
        OrderLine.objects.filter(order__client=client)
        .select_related("order", "order__amends", "offering_version", "offering_version__offering")
        .prefetch_related("offering_version__includes")
        .order_by("starts_on", "id")
    )
    cut_by: dict[int, date] = {}
    for line in lines:
        if line.action in (LineAction.END, LineAction.CHANGE) and line.target_id:
            previous = cut_by.get(line.target_id)
            cut_by[line.target_id] = min(previous, line.starts_on) if previous else line.starts_on
    periods = []
    for line in lines:
        if line.action == LineAction.END:
            continue
        ends = [d for d in (line.ends_on, line.order.effective_to, line.order.form.effective_to,
                            cut_by.get(line.pk)) if d]
        end = min(ends) if ends else None
        start = max(line.starts_on, line.order.effective_from)
        if end is None or start < end:
            periods.append(LinePeriod(line, start, end))
    return periods


def entitlements_for(client: Client, at: datetime | date) -> EntitlementSet:
    return _cached_entitlements_on(client, client_local_date(client, at))


# Per process: (client id, local date) under the "entitlements" revision, which triggers rewrite on any
# write to the tables entitlements derive from (contracts.0002), committed or not; a hit is what
# _entitlements_on would compute now. One read of that row replaces two joined queries and the merge, and
# within a web request not even that (revisions.cache.snapshot_per_request): opening one ticket asks three
# times (routing, SLA objectives, on-call paging) and pays for it once (bench/README.md, W1).
_cache: RevisionCache[EntitlementSet] = RevisionCache("entitlements")


def _cached_entitlements_on(client: Client, on: date) -> EntitlementSet:
    return _cache.require((client.pk, on), lambda: _entitlements_on(client, on))


def _entitlements_on(client: Client, on: date) -> EntitlementSet:
    in_force = tuple(p for p in line_periods(client) if p.covers(on))
    codes: set[str] = set()
    features, quantities = [], []
    for period in in_force:
        version = period.line.offering_version
        if version is None:
            continue
        codes.add(version.offering.code)
        codes.update(o.code for o in version.includes.all())
        features.append(version.typed_features)
        quantities.append(period.line.quantity or 1)
    return EntitlementSet(client.pk, on, merge(features, quantities), frozenset(codes), in_force)


