"""Upgrade scheduling (R11): installed version, target release, proposed windows, the client's
confirmation, reminders before the window, outcome. The target release is stored as product +
version text, chosen from (or checked against) the learning context's release catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from supportdesk.accounts.actions import current_tam
from supportdesk.accounts.models import Client, User
from supportdesk.errors import Conflict, Invalid, NotFound
from supportdesk.local_times import abbreviation, offset, person_zone, shown, zone_named
from supportdesk.notifications.actions import enqueue_email
from supportdesk.policy import tam as tam_policy

from .actions import client_admin_emails, log, require_feature, require_worker
from .errors import TamError
from .models import LIVE_UPGRADE, UpgradePlan, UpgradeStatus, UpgradeWindow

REMIND_BEFORE = timedelta(hours=24)
MAX_WINDOW = timedelta(days=3)


def _text(value: str, field: str, label: str, limit: int) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise Invalid(TamError.REQUIRED, f"{label} is required.", fields={field: "required"})
    return value[:limit]


def check_window(client: Client, starts_at: datetime, ends_at: datetime, *, now: datetime,
                 exclude_plan: int | None = None) -> None:
    """Refuse naive instants, an end before the start, a window in the past, and a window that
    overlaps another live upgrade of the same client (its confirmed window, or its proposals)."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid(TamError.BAD_TIME, "Give window times with a UTC offset (e.g. 2026-05-02T22:00:00-04:00).",
                      fields={"starts_at": "needs an offset"})
    if ends_at <= starts_at:
        raise Invalid(TamError.WINDOW_END_BEFORE_START, "The window must end after it starts.",
                      fields={"ends_at": "not after starts_at"})
    if ends_at - starts_at > MAX_WINDOW:
        raise Invalid(TamError.WINDOW_END_BEFORE_START, "An upgrade window lasts at most 3 days.",
                      fields={"ends_at": "at most 3 days after starts_at"})
    if starts_at <= now:
        raise Invalid(TamError.WINDOW_IN_PAST, f"The window starts in the past ({starts_at.isoformat()}).",
                      fields={"starts_at": "in the past"})
    confirmed = UpgradePlan.objects.filter(client=client, status=UpgradeStatus.CONFIRMED,
                                           window_starts_at__lt=ends_at, window_ends_at__gt=starts_at)
    proposed = UpgradeWindow.objects.filter(plan__client=client, plan__status=UpgradeStatus.PROPOSED,
                                            starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_plan is not None:
        confirmed, proposed = confirmed.exclude(pk=exclude_plan), proposed.exclude(plan_id=exclude_plan)
    clash = confirmed.first() or (proposed.first().plan if proposed.exists() else None)  # type: ignore[union-attr]
    if clash is not None:
        raise Conflict(TamError.WINDOW_OVERLAP,
                       f"This window overlaps the upgrade of {clash.product} to {clash.target_version} "
                       f"(plan #{clash.pk}) for {client.name}; choose another time.",
                       fields={"starts_at": "overlaps another upgrade"})


def target_release(product: str, target_version: str, release_id: int | None) -> tuple[str, str]:
    """(product, version) of the target: the release `release_id` of the release catalogue, or the text
    given, which must name a catalogued release when the catalogue has releases of that product."""
    from supportdesk.learning.models import Release

    if release_id is not None:
        release = Release.objects.filter(pk=release_id).first()
        if release is None:
            raise Invalid(TamError.UNKNOWN_RELEASE, f"There is no release #{release_id} in the release catalogue.",
                          fields={"release_id": "unknown"})
        given = " ".join(str(product or "").split())
        if given and given.lower() != release.product.lower():
            raise Invalid(TamError.UNKNOWN_RELEASE, f"Release #{release_id} is {release.product} {release.version}, "
                          f"not a release of {given}.", fields={"release_id": "another product"})
        return release.product, release.version
    product = _text(product, "product", "The product", 120)
    target = _text(target_version, "target_version", "The target version", 60)
    known = Release.objects.filter(product__iexact=product)
    if not known.exists():
        return product, target
    release = known.filter(version__iexact=target).first()
    if release is None:
        versions = ", ".join(known.order_by("-released_on", "-id").values_list("version", flat=True)[:10])
        raise Invalid(TamError.UNKNOWN_RELEASE, f"{product} {target} is not in the release catalogue; its releases "
                      f"are {versions}.", fields={"target_version": "not a catalogued release"})
    return release.product, release.version


def propose_upgrade(actor: User | None, *, client: Client, product: str, installed_version: str,
                    target_version: str, windows: list[tuple[datetime, datetime]], notes: str = "",
                    release_id: int | None = None, now: datetime | None = None) -> UpgradePlan:
    require_worker(actor, client)
    require_feature(client, "upgrade_scheduling", "upgrade scheduling")
    now = now or timezone.now()
    product, target = target_release(product, target_version, release_id)
    installed = _text(installed_version, "installed_version", "The installed version", 60)
    if not windows:
        raise Invalid(TamError.REQUIRED, "Propose at least one window.", fields={"windows": "required"})
    for i, (start, end) in enumerate(windows):
        check_window(client, start, end, now=now)
        for other_start, other_end in windows[:i]:
            if start < other_end and other_start < end:
                raise Invalid(TamError.WINDOW_OVERLAP, "Two proposed windows overlap each other.",
                              fields={"windows": "overlapping"})
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        for start, end in windows:  # again under the lock
            check_window(client, start, end, now=now)
        plan = UpgradePlan.objects.create(client=client, product=product, installed_version=installed,
                                          target_version=target, notes=notes[:5000], created_by=actor)
        UpgradeWindow.objects.bulk_create([UpgradeWindow(plan=plan, starts_at=s, ends_at=e) for s, e in windows])
        log(client, actor, "upgrade.proposed", plan=plan.pk, target=target,
            windows=[[s.isoformat(), e.isoformat()] for s, e in windows])
        for email in client_admin_emails(client):
            enqueue_email(topic="tam.upgrade_proposed", to=email,
                          subject=f"Please confirm a window: upgrade of {product} to {target}",
                          body="Your Technical Account Manager proposed windows for an upgrade. Confirm one in the "
                               "portal: /portal/tam/")
    return plan


def confirm_window(actor: User, plan: UpgradePlan, *, window_id: int, now: datetime | None = None) -> UpgradePlan:
    if not tam_policy.can_confirm_upgrade(actor, plan.client):
        raise NotFound("upgrade")
    now = now or timezone.now()
    window = plan.windows.filter(pk=window_id).first()
    if window is None:
        raise Invalid("tam.unknown_window", "Choose one of the proposed windows.", fields={"window_id": "unknown"})
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=plan.client_id).first()
        locked = UpgradePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != UpgradeStatus.PROPOSED:
            raise Conflict(TamError.UPGRADE_CLOSED, f"This upgrade is already {locked.get_status_display().lower()}.")
        check_window(plan.client, window.starts_at, window.ends_at, now=now, exclude_plan=plan.pk)
        locked.status = UpgradeStatus.CONFIRMED
        locked.window_starts_at, locked.window_ends_at = window.starts_at, window.ends_at
        locked.confirmed_by, locked.confirmed_at = actor, now
        locked.save()
        log(plan.client, actor, "upgrade.confirmed", plan=plan.pk, window=window.pk)
        tam = current_tam(plan.client)
        if tam is not None:
            enqueue_email(topic="tam.upgrade_confirmed", to=tam.email,
                          subject=f"{plan.client.name} confirmed the upgrade window for {plan.product} "
                                  f"{plan.target_version}",
                          body=f"Window: {_window_text(window.starts_at, window.ends_at, person_zone(tam))}.")
    return locked


def record_outcome(actor: User | None, plan: UpgradePlan, *, outcome: str, notes: str = "") -> UpgradePlan:
    require_worker(actor, plan.client)
    if outcome not in (UpgradeStatus.COMPLETED, UpgradeStatus.FAILED, UpgradeStatus.CANCELLED):
        raise Invalid(TamError.BAD_OUTCOME, "The outcome is completed, failed or cancelled.",
                      fields={"outcome": "completed, failed or cancelled"})
    if plan.status not in LIVE_UPGRADE:
        raise Conflict(TamError.UPGRADE_CLOSED, f"This upgrade is already {plan.get_status_display().lower()}.")
    if outcome != UpgradeStatus.CANCELLED and plan.status != UpgradeStatus.CONFIRMED:
        raise Conflict(TamError.UPGRADE_CLOSED, "Only a confirmed upgrade has an outcome; cancel a proposal instead.")
    with transaction.atomic():
        plan.status = outcome
        plan.outcome_notes = notes[:5000]
        plan.save(update_fields=["status", "outcome_notes"])
        log(plan.client, actor, f"upgrade.{outcome}", plan=plan.pk)
    return plan


def installed_version(client: Client) -> str:
    """What the client runs: the target of its latest completed upgrade, else the latest plan's start point."""
    done = UpgradePlan.objects.filter(client=client, status=UpgradeStatus.COMPLETED).order_by("-window_ends_at").first()
    if done:
        return f"{done.product} {done.target_version}"
    latest = UpgradePlan.objects.filter(client=client).order_by("-created_at", "-id").first()
    return f"{latest.product} {latest.installed_version}" if latest else ""


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind the client's admins and its TAM once, REMIND_BEFORE ahead of a confirmed window."""
    now = now or timezone.now()
    due = UpgradePlan.objects.filter(Q(status=UpgradeStatus.CONFIRMED), reminded_at__isnull=True,
                                     window_starts_at__gt=now, window_starts_at__lte=now + REMIND_BEFORE)
    sent = 0
    for plan in due.select_related("client"):
        start, end = plan.window_starts_at, plan.window_ends_at
        assert start is not None and end is not None
        with transaction.atomic():
            recipients = set(client_admin_emails(plan.client))
            zones = {person.email: person_zone(person) for person in User.objects.filter(email__in=recipients)}
            tam = current_tam(plan.client)
            if tam is not None:
                recipients.add(tam.email)
                zones[tam.email] = person_zone(tam)
            for email in sorted(recipients):
                zone = zones.get(email) or zone_named(plan.client.timezone)
                local = start.astimezone(zone)
                enqueue_email(topic="tam.upgrade_reminder", to=email,
                              subject=f"Reminder: upgrade of {plan.product} to {plan.target_version} starts "
                                      f"{local:%Y-%m-%d %H:%M} {abbreviation(local) or offset(local)}",
                              body=f"The upgrade window runs {_window_text(start, end, zone)}.",
                              dedupe_key=f"tam-upgrade-reminder:{plan.pk}:{start.isoformat()}:{email}"[:200])
            UpgradePlan.objects.filter(pk=plan.pk).update(reminded_at=now)
            log(plan.client, None, "upgrade.reminded", plan=plan.pk)
            sent += 1
    return sent


def _window_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A window in the reader's zone, abbreviation and offset shown, then in UTC (the instants stored)."""
    return (f"{shown(start, zone)} to {shown(end, zone)} {zone.key} "
            f"({start.astimezone(UTC):%Y-%m-%d %H:%M} to {end.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")
