"""The typed features an offering version grants, and how several lines merge into one set.

Features are stored as JSON on OfferingVersion; this module is the only place that reads them,
so a bad catalogue edit is refused here with a clear message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from supportdesk.sla.durations import MAX_TARGET

CHANNELS = ("portal", "email", "chat", "phone", "api")
MAX_TARGET_MINUTES = int(MAX_TARGET.total_seconds()) // 60
CALENDAR_KINDS = ("24x7", "weekdays-24h", "business-hours")
METRICS = ("initial_response", "next_update", "resolution")


# The most designated users a plan may grant. A designation takes a numbered place 1..limit (accounts.Designation.slot,
# a small integer: 32,767 at most on PostgreSQL), and ten thousand named people is far beyond any plan (Premium: 10).
MAX_DESIGNATED_USERS = 10_000
# The most onsite visits a plan grants a contract year, and the most one line buys on top (times its quantity, at
# most 1,000): one starting each day of the year is far beyond any plan (Premium and TAM: 1). Planning a visit looks
# for a free numbered place among those taken, so a larger stored value never slows it; this keeps new versions sane.
MAX_ONSITE_VISITS = 365
# Bounds a new catalogue version keeps (`Features.check_publishable`), by feature; every one is a whole number >= 0.
PUBLISHABLE_MAXIMUM = {"designated_user_limit": MAX_DESIGNATED_USERS, "onsite_visits_per_year": MAX_ONSITE_VISITS,
                       "extra_onsite_visits": MAX_ONSITE_VISITS}


class FeatureError(ValueError):
    """A bad feature value; `feature` names the feature when the error is about one (the API names it)."""

    def __init__(self, message: str, feature: str = "") -> None:
        super().__init__(message)
        self.feature = feature


@dataclass(frozen=True)
class Objective:
    """A target for one metric of one severity: minutes of the named calendar."""

    minutes: int
    calendar: str

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int) or self.minutes <= 0:
            raise FeatureError("objective minutes must be a positive whole number")
        if self.minutes > MAX_TARGET_MINUTES:  # the engine's cap: opening a ticket must never walk for ever
            raise FeatureError(f"objective minutes must be at most {MAX_TARGET_MINUTES} ({MAX_TARGET.days} days)")
        if self.calendar not in CALENDAR_KINDS:
            raise FeatureError(f"unknown calendar kind {self.calendar!r}; use one of {', '.join(CALENDAR_KINDS)}")


@dataclass(frozen=True)
class Features:
    maintenance: bool = False
    software_updates: bool = False
    priority_queue: bool = False
    designated_user_limit: int = 0
    training_access: bool = False
    event_discount_percent: int = 0
    dedicated_tam: bool = False
    # metric -> severity ("1","2","3") -> Objective
    objectives: dict[str, dict[str, Objective]] = field(default_factory=dict)
    coverage_24x7: bool = False
    channels: frozenset[str] = frozenset()
    onsite_visits_per_year: int = 0
    # Visits bought on top of the plan's (R10 "a second is refused unless purchased"): unlike the limits
    # above, which take the highest line, these add up over lines, times each line's quantity.
    extra_onsite_visits: int = 0
    case_scrub_cadence: str = ""  # "", "weekly" or "biweekly"
    upgrade_scheduling: bool = False
    resolution_guides: bool = False

    @property
    def onsite_visits_allowed(self) -> int:
        """Onsite visits a contract year allows: the plan's, plus those bought on top."""
        return self.onsite_visits_per_year + self.extra_onsite_visits

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = sorted(self.channels)
        data["objectives"] = {
            metric: {sev: {"minutes": o.minutes, "calendar": o.calendar} for sev, o in by_sev.items()}
            for metric, by_sev in self.objectives.items()
        }
        return data

    def check_publishable(self) -> None:
        """Bounds a new catalogue version must keep. Checked when a version is published, not when a stored one is
        read: a version stored before a bound existed still reads (designations and onsite visits never enumerate up
        to their limit)."""
        for key, most in PUBLISHABLE_MAXIMUM.items():
            value = getattr(self, key)
            if value > most:
                raise FeatureError(f"{key} must be a whole number from 0 to {most}, not {value}", key)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Features:
        if not isinstance(data, dict):
            raise FeatureError("features must be an object of feature names to values")
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise FeatureError(f"unknown feature(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        raw_channels = values.pop("channels", None)
        raw_channels = [] if raw_channels is None else raw_channels
        if not isinstance(raw_channels, list | tuple | set | frozenset) or not all(
                isinstance(c, str) for c in raw_channels):
            raise FeatureError(f"channels must be a list of channel names ({', '.join(CHANNELS)})", "channels")
        channels = frozenset(raw_channels)
        bad = channels - set(CHANNELS)
        if bad:
            raise FeatureError(f"unknown channel(s): {', '.join(sorted(bad))}", "channels")
        raw_objectives = values.pop("objectives", None)
        try:
            objectives = _objectives_from_json({} if raw_objectives is None else raw_objectives)
        except FeatureError as exc:
            if exc.feature:
                raise
            raise FeatureError(str(exc), "objectives") from None
        for key in (f.name for f in fields(cls) if f.type == "bool"):
            if key in values and not isinstance(values[key], bool):
                raise FeatureError(f"{key} must be true or false", key)
        cadence = values.get("case_scrub_cadence", "")
        if cadence not in ("", "weekly", "biweekly"):
            raise FeatureError("case_scrub_cadence must be weekly, biweekly or empty", "case_scrub_cadence")
        for key in ("designated_user_limit", "event_discount_percent", "onsite_visits_per_year", "extra_onsite_visits"):
            if key in values and (isinstance(values[key], bool) or not isinstance(values[key], int) or values[key] < 0):
                raise FeatureError(f"{key} must be a whole number >= 0", key)
        if not 0 <= values.get("event_discount_percent", 0) <= 100:
            raise FeatureError("event_discount_percent must be between 0 and 100", "event_discount_percent")
        return cls(channels=channels, objectives=objectives, **values)


SEVERITIES = ("1", "2", "3")


def _objectives_from_json(data: object) -> dict[str, dict[str, Objective]]:
    """`{metric: {severity: {"minutes": int, "calendar": kind}}}`, every part checked."""
    if not isinstance(data, dict):
        raise FeatureError("objectives must be an object: metric -> severity -> {minutes, calendar}")
    objectives: dict[str, dict[str, Objective]] = {}
    for metric, by_sev in data.items():
        if metric not in METRICS:
            raise FeatureError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
        if not isinstance(by_sev, dict):
            raise FeatureError(f"objectives.{metric} must be an object: severity -> {{minutes, calendar}}")
        objectives[metric] = {}
        for sev, obj in by_sev.items():
            if str(sev) not in SEVERITIES:
                raise FeatureError(f"objectives.{metric}: unknown severity {sev!r}; use 1, 2 or 3")
            if not isinstance(obj, dict) or set(obj) != {"minutes", "calendar"}:
                raise FeatureError(f"objectives.{metric}.{sev} must be {{\"minutes\": N, \"calendar\": kind}}")
            try:
                objectives[metric][str(sev)] = Objective(**obj)
            except FeatureError as exc:  # named down to the objective, as the API answers it (features.objectives…)
                raise FeatureError(f"objectives.{metric}.{sev}: {exc}", f"objectives.{metric}.{sev}") from None
    return objectives


_CADENCE_RANK = {"": 0, "biweekly": 1, "weekly": 2}


def merge(features: list[Features], quantities: list[int] | None = None) -> Features:
    """Merge the features of several lines: booleans OR, limits take the highest, objectives the strictest;
    extra onsite visits add up, times each line's quantity (`quantities`, parallel to `features`; 1 each
    when not given)."""
    result = Features()
    counts = quantities if quantities is not None else [1] * len(features)
    for f, count in zip(features, counts, strict=True):
        objectives = {m: dict(s) for m, s in result.objectives.items()}
        for metric, by_sev in f.objectives.items():
            for sev, obj in by_sev.items():
                current = objectives.setdefault(metric, {}).get(sev)
                if current is None or _stricter(obj, current):
                    objectives[metric][sev] = obj
        result = Features(
            maintenance=result.maintenance or f.maintenance,
            software_updates=result.software_updates or f.software_updates,
            priority_queue=result.priority_queue or f.priority_queue,
            designated_user_limit=max(result.designated_user_limit, f.designated_user_limit),
            training_access=result.training_access or f.training_access,
            event_discount_percent=max(result.event_discount_percent, f.event_discount_percent),
            dedicated_tam=result.dedicated_tam or f.dedicated_tam,
            objectives=objectives,
            coverage_24x7=result.coverage_24x7 or f.coverage_24x7,
            channels=result.channels | f.channels,
            onsite_visits_per_year=max(result.onsite_visits_per_year, f.onsite_visits_per_year),
            extra_onsite_visits=result.extra_onsite_visits + f.extra_onsite_visits * count,
            case_scrub_cadence=max(result.case_scrub_cadence, f.case_scrub_cadence, key=_CADENCE_RANK.__getitem__),
            upgrade_scheduling=result.upgrade_scheduling or f.upgrade_scheduling,
            resolution_guides=result.resolution_guides or f.resolution_guides,
        )
    return result


_CALENDAR_SPAN = {"24x7": 0, "weekdays-24h": 1, "business-hours": 2}


def _stricter(a: Objective, b: Objective) -> bool:
    """Fewer minutes is stricter; at equal minutes a calendar open more of the week is stricter."""
    return (a.minutes, _CALENDAR_SPAN[a.calendar]) < (b.minutes, _CALENDAR_SPAN[b.calendar])
