"""Case scrub / project management calls (R9): series, occurrences, invitations, agenda, minutes."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.actions import check_zone, current_tam
from supportdesk.accounts.models import Client, User
from supportdesk.errors import Conflict, Invalid
from supportdesk.idempotency_keys import (
    Written,
    check_key,
    earlier_by_key,
    request_digest,
    write_once,
)
from supportdesk.local_times import abbreviation, offset, shown
from supportdesk.notifications.actions import enqueue_email
from supportdesk.supported_years import FIRST_YEAR, LAST_YEAR
from supportdesk.tickets.models import Ticket, TicketEvent

from . import ics, schedule
from .actions import client_admin_emails, log, require_feature, require_worker
from .errors import TamError
from .models import CallOccurrence, CallSeries, FollowUp, OccurrenceStatus

# What a call's minutes and follow-ups store (FollowUp.text and .owner are columns of these widths).
MAX_MINUTES, MAX_FOLLOW_UP_TEXT, MAX_FOLLOW_UP_OWNER = 50_000, 500, 200
MIN_CALL_MINUTES, MAX_CALL_MINUTES = 5, 480  # a call's length: five minutes to a working day
HORIZON = timedelta(weeks=6)  # occurrences (and invitations) exist this far ahead; a daily job extends
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Ticket history kinds never shown in an agenda (it is discussed with the client).
PRIVATE_EVENT_KINDS = {"message.internal"}


def parse_time(value: time | str) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value or "").strip())
    if not match:
        raise Invalid(TamError.BAD_TIME, f"Local time {value!r} is not HH:MM (24-hour).", fields={"local_time": "HH:MM"})
    return time(int(match.group(1)), int(match.group(2)))


def _check_cadence(client: Client, cadence: str) -> str:
    """The cadence as stored; the spec's spelling "bi-weekly" is read as "biweekly"."""
    allowed = require_feature(client, "case_scrub_cadence", "case scrub calls")
    cadence = {"bi-weekly": "biweekly"}.get(cadence.strip().lower(), cadence.strip().lower())
    if cadence not in schedule.STEP_WEEKS:
        raise Invalid(TamError.BAD_CADENCE, "Cadence must be weekly or biweekly (bi-weekly).",
                      fields={"cadence": "weekly or biweekly"})
    if allowed == "biweekly" and cadence == "weekly":
        raise Invalid(TamError.BAD_CADENCE, f"{client.name}'s plan includes bi-weekly calls only; a weekly "
                      "series needs a plan with weekly calls.", fields={"cadence": "plan allows biweekly only"})
    return cadence


def _check_fields(values: dict[str, Any]) -> dict[str, Any]:
    if "weekday" in values:
        weekday = values["weekday"]
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise Invalid(TamError.BAD_WEEKDAY, "Weekday must be 0 (Monday) to 6 (Sunday).",
                          fields={"weekday": "0 to 6"})
    if "duration_minutes" in values:
        minutes = values["duration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_CALL_MINUTES <= minutes <= MAX_CALL_MINUTES:
            raise Invalid(TamError.BAD_DURATION, f"Duration must be {MIN_CALL_MINUTES} to {MAX_CALL_MINUTES} minutes.",
                          fields={"duration_minutes": f"{MIN_CALL_MINUTES} to {MAX_CALL_MINUTES}"})
    if "local_time" in values:
        values["local_time"] = parse_time(values["local_time"])
    if "zone" in values:
        check_zone(values["zone"], "zone")
    if "attendees" in values:
        emails = [str(e).strip().lower() for e in values["attendees"] if str(e).strip()]
        bad = [e for e in emails if not EMAIL_RE.match(e)]
        if bad:
            raise Invalid(TamError.BAD_EMAIL, f"Not an email address: {', '.join(bad)}.", fields={"attendees": "invalid"})
        values["attendees"] = sorted(set(emails))
    if "title" in values:
        values["title"] = " ".join(str(values["title"]).split())[:200] or "Case scrub call"
    return values


def create_series(actor: User | None, *, client: Client, cadence: str, weekday: int, local_time: time | str,
                  zone: str | None = None, duration_minutes: int = 60, starts_on: date | None = None,
                  attendees: list[str] | None = None, title: str = "Case scrub call",
                  now: datetime | None = None) -> CallSeries:
    return plan_series(actor, client=client, cadence=cadence, weekday=weekday, local_time=local_time, zone=zone,
                       duration_minutes=duration_minutes, starts_on=starts_on, attendees=attendees, title=title,
                       now=now).record


def plan_series(actor: User | None, *, client: Client, cadence: str, weekday: int, local_time: time | str,
                zone: str | None = None, duration_minutes: int = 60, starts_on: date | None = None,
                attendees: list[str] | None = None, title: str = "Case scrub call", now: datetime | None = None,
                idempotency_key: str | None = None) -> Written[CallSeries]:
    """`create_series`, honouring the planner's `idempotency_key` (an API Idempotency-Key, the client page's
    submission): the same key with the same client, cadence, weekday, time, zone, duration, start, attendees and
    title answers the series it planned (created False) and invites nobody again, also once its start has passed;
    the same key with anything else is 422 `tam.idempotency_key_reused`."""
    require_worker(actor, client)
    check_key(idempotency_key, TamError.BAD_IDEMPOTENCY_KEY)
    now = now or timezone.now()
    cadence = _check_cadence(client, cadence)
    values = _check_fields({"weekday": weekday, "local_time": local_time, "zone": zone or client.timezone,
                            "duration_minutes": duration_minutes, "title": title,
                            "attendees": attendees if attendees is not None else client_admin_emails(client)})
    key = idempotency_key if actor is not None else None  # scoped to a person: the system sends no retries
    # What was sent (attendees left out are the client's admins at the time: the same request on a retry).
    sent = request_digest("series", client.pk, cadence, values["weekday"], values["local_time"].isoformat("minutes"),
                          values["zone"], values["duration_minutes"], starts_on, values["title"],
                          None if attendees is None else _check_fields({"attendees": attendees})["attendees"])

    earlier = earlier_by_key(CallSeries.objects.filter(created_by=actor), key, sent,
                             TamError.IDEMPOTENCY_KEY_REUSED, "call series")

    if key and (found := earlier()) is not None:  # before the checks of now: a retry is answered, not refused
        return Written(found, created=False)
    tam = current_tam(client)
    if tam is None:
        raise Invalid(TamError.NO_TAM, f"Assign a TAM to {client.name} before planning calls.",
                      fields={"tam": "client has no TAM"})
    if starts_on is not None:
        _check_start(starts_on, values, now)

    def write() -> CallSeries:
        with transaction.atomic():
            series = CallSeries.objects.create(client=client, tam=tam, cadence=cadence,
                                               starts_on=starts_on or schedule.in_zone(now, values["zone"]).date(),
                                               created_by=actor, idempotency_key=key,
                                               idempotency_hash=sent if key else None, **values)
            log(client, actor, "call_series.created", series=series.pk, cadence=cadence, weekday=weekday,
                local_time=values["local_time"].isoformat("minutes"), zone=values["zone"])
            extend_series(series, now=now)  # the invitations: rolled back with the series if the key refuses it
        return series

    return write_once(key, earlier, write)


def _check_start(starts_on: date, values: dict[str, Any], now: datetime) -> None:
    """A series schedules calls to come: a `starts_on` whose first call would be before now is refused, since
    those calls would never be generated (a call that took place is recorded as minutes on its occurrence).
    Left out, the series starts today, and a call of today already past is simply not planned."""
    if not FIRST_YEAR <= starts_on.year <= LAST_YEAR:  # the ends of the calendar overflow a week on
        raise Invalid(TamError.BAD_DATES, f"The series' start {starts_on.isoformat()} is outside the years "
                      f"{FIRST_YEAR} to {LAST_YEAR}; check the year.", fields={"starts_on": f"years {FIRST_YEAR} "
                                                                                           f"to {LAST_YEAR}"})
    first = schedule.instant(schedule.first_date(starts_on, values["weekday"]), values["local_time"], values["zone"])
    if first < now:
        raise Invalid(TamError.WINDOW_IN_PAST, f"The series' first call from {starts_on.isoformat()} would be "
                      f"{shown(first, values['zone'])}, which is past: a series plans calls to come. Start it on a "
                      "later date, or leave starts_on out to start from today; record a call that took place as "
                      "minutes on that call.", fields={"starts_on": "first call in the past"})


def extend_series(series: CallSeries, *, now: datetime | None = None) -> list[CallOccurrence]:
    """Create the occurrences up to the horizon that do not exist yet, and invite to each.

    They continue after `generated_until`, the last pattern instant a call was made for, not after the
    latest call: a call moved a week on, or an old-pattern call cancelled after a pattern change, would
    otherwise make the job skip the regular calls before it."""
    if series.cancelled_at is not None:
        return []
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        # The row as it is now, locked: an edit committed since the caller read it (a new pattern, a later
        # cursor) is what this extends, and its cursor is not overwritten by an older one.
        series = CallSeries.objects.select_for_update().get(pk=series.pk)
        cursor = series.generated_until  # None: nothing generated yet (migration 0003 filled older series)
        number = series.occurrences.order_by("-number").values_list("number", flat=True).first() or 0
        for _, start in schedule.occurrences(series.starts_on, series.weekday, series.cadence, series.local_time,
                                             series.zone, until=now + HORIZON):
            if start < now or (cursor is not None and start <= cursor):
                continue
            number += 1
            occ = CallOccurrence.objects.create(series=series, number=number, starts_at=start,
                                                ends_at=start + timedelta(minutes=series.duration_minutes))
            send_invitation(occ)
            created.append(occ)
        if created:
            series.generated_until = created[-1].starts_at
            CallSeries.objects.filter(pk=series.pk).update(generated_until=series.generated_until)
    return created


def send_invitation(occ: CallOccurrence) -> None:
    """One email per invitee with the ICS (REQUEST or CANCEL) attached, through the outbox."""
    series = occ.series
    cancelled = occ.status == OccurrenceStatus.CANCELLED
    local = schedule.in_zone(occ.starts_at, series.zone)
    # Both zones with their dates (the TAM's may be another day) and abbreviations (01:30 happens twice on a
    # fall-back night); calendars take the ICS's UTC times.
    when = (f"{shown(occ.starts_at, series.zone)} {series.zone}; for {series.tam.display_name} (TAM): "
            f"{shown(occ.starts_at, series.tam.timezone)} {series.tam.timezone}")
    subject = (f"{'Cancelled' if cancelled else 'Invitation'}: {series.title} — {series.client.name}, "
               f"{local:%d %b %Y %H:%M} {abbreviation(local) or offset(local)}")
    body = (f"{'This call is cancelled' if cancelled else 'You are invited to a call'}: {series.title} with "
            f"{series.client.name}.\nWhen: {when}\nDuration: {series.duration_minutes} minutes\n")
    for email in sorted(recipients(series)):
        enqueue_email(topic="tam.call_invitation", to=email, subject=subject, body=body,
                      attachments=[ics.as_email_attachment(occ)],
                      dedupe_key=f"tam-invite:{occ.uid}:{occ.sequence}:{email}"[:200])


def send_uninvitation(occ: CallOccurrence, emails: set[str]) -> None:
    """METHOD:CANCEL to people taken off a call (removed attendees, the previous TAM), so the call
    leaves their calendars; the others get the REQUEST with the same SEQUENCE."""
    series = occ.series
    local = schedule.in_zone(occ.starts_at, series.zone)
    for email in sorted(emails):
        enqueue_email(topic="tam.call_invitation", to=email,
                      subject=f"Cancelled for you: {series.title} — {series.client.name}, {local:%d %b %Y %H:%M} "
                              f"{abbreviation(local) or offset(local)}",
                      body=f"You are no longer invited to {series.title} with {series.client.name} on "
                           f"{shown(occ.starts_at, series.zone)} {series.zone}.\n",
                      attachments=[ics.as_email_attachment(occ, uninvited=[email])],
                      dedupe_key=f"tam-invite:{occ.uid}:{occ.sequence}:{email}"[:200])


def recipients(series: CallSeries) -> set[str]:
    return set(series.attendees) | {series.tam.email}


def bump_and_send(occ: CallOccurrence, *, reason: str, dropped: set[str] | frozenset[str] = frozenset()) -> None:
    """SEQUENCE + 1 and the new REQUEST (or CANCEL) to everyone invited; `dropped` people who are no
    longer invited get a METHOD:CANCEL instead."""
    occ.sequence += 1
    occ.save(update_fields=["sequence", "starts_at", "ends_at", "status"])
    send_invitation(occ)
    if occ.status != OccurrenceStatus.CANCELLED:
        send_uninvitation(occ, set(dropped) - recipients(occ.series))


def update_series(actor: User | None, series: CallSeries, *, now: datetime | None = None,
                  **changes: Any) -> CallSeries:
    """Change the pattern, duration, invitees or title; every future call is re-sent (SEQUENCE + 1)."""
    require_worker(actor, series.client)
    if series.cancelled_at is not None:
        raise Conflict(TamError.SERIES_CANCELLED, "This call series is cancelled.")
    now = now or timezone.now()
    allowed = {"cadence", "weekday", "local_time", "zone", "duration_minutes", "attendees", "title"}
    changes = {k: v for k, v in changes.items() if v is not None and k in allowed}
    if not changes:
        raise Invalid("tam.nothing_to_change", "Nothing to change.")
    if "cadence" in changes:
        changes["cadence"] = _check_cadence(series.client, changes["cadence"])
    values = _check_fields(dict(changes))
    with transaction.atomic():
        locked = CallSeries.objects.select_for_update().get(pk=series.pk)
        invited_before = recipients(locked)
        pattern_changed = any(getattr(locked, k) != v for k, v in values.items()
                              if k in ("cadence", "weekday", "local_time", "zone"))
        for name, value in values.items():
            setattr(locked, name, value)
        future = list(locked.occurrences.filter(status=OccurrenceStatus.SCHEDULED, starts_at__gt=now))
        if pattern_changed:
            locked.starts_on = schedule.in_zone(now, locked.zone).date()
            starts = [s for _, s in schedule.occurrences(locked.starts_on, locked.weekday, locked.cadence,
                                                         locked.local_time, locked.zone,
                                                         until=now + HORIZON + timedelta(weeks=2 * len(future) + 2))
                      if s > now][:len(future)]
            for occ, start in zip(future, starts, strict=False):
                occ.starts_at = start
            # The new pattern is generated on from its last re-timed call (or from now): calls of the old
            # pattern left in the future (cancelled ones) no longer hold it back.
            locked.generated_until = max((occ.starts_at for occ in future), default=now)
        locked.save()
        for occ in future:
            occ.series = locked
            occ.ends_at = occ.starts_at + timedelta(minutes=locked.duration_minutes)
            bump_and_send(occ, reason="series changed", dropped=invited_before)
        log(locked.client, actor, "call_series.updated", series=locked.pk,
            changes={k: str(v) for k, v in values.items()})
        extend_series(locked, now=now)
    return locked


def cancel_series(actor: User | None, series: CallSeries, *, now: datetime | None = None) -> CallSeries:
    require_worker(actor, series.client)
    now = now or timezone.now()
    with transaction.atomic():
        locked = CallSeries.objects.select_for_update().get(pk=series.pk)
        if locked.cancelled_at is not None:
            return locked
        locked.cancelled_at = now
        locked.save(update_fields=["cancelled_at"])
        for occ in locked.occurrences.filter(status=OccurrenceStatus.SCHEDULED, starts_at__gt=now):
            occ.status = OccurrenceStatus.CANCELLED
            bump_and_send(occ, reason="series cancelled")
        log(locked.client, actor, "call_series.cancelled", series=locked.pk)
    return locked


def cancel_occurrence(actor: User | None, occ: CallOccurrence) -> CallOccurrence:
    require_worker(actor, occ.series.client)
    if occ.status != OccurrenceStatus.SCHEDULED:
        raise Conflict(TamError.OCCURRENCE_CANCELLED, f"This call is already {occ.get_status_display().lower()}.")
    with transaction.atomic():
        occ.status = OccurrenceStatus.CANCELLED
        bump_and_send(occ, reason="cancelled")
        log(occ.series.client, actor, "call.cancelled", occurrence=occ.pk, uid=occ.uid)
    return occ


def move_occurrence(actor: User | None, occ: CallOccurrence, *, starts_at: datetime,
                    now: datetime | None = None) -> CallOccurrence:
    """Move one call (same UID, SEQUENCE + 1)."""
    require_worker(actor, occ.series.client)
    if occ.status != OccurrenceStatus.SCHEDULED:
        raise Conflict(TamError.OCCURRENCE_CANCELLED, f"This call is {occ.get_status_display().lower()}.")
    if occ.series.cancelled_at is not None:
        raise Conflict(TamError.SERIES_CANCELLED, "This call's series is cancelled; plan a new series instead.")
    if starts_at.tzinfo is None:
        raise Invalid(TamError.BAD_TIME, "Give the new start with a UTC offset.", fields={"starts_at": "needs an offset"})
    if starts_at == occ.starts_at:  # sent again (a retry, a double click): already there, nobody is re-invited
        return occ
    if starts_at <= (now or timezone.now()):
        raise Invalid(TamError.WINDOW_IN_PAST, "A call cannot be moved into the past.", fields={"starts_at": "in the past"})
    with transaction.atomic():
        # Again under the call's lock: of two identical moves at once (a double click), the second finds it done.
        locked = CallOccurrence.objects.select_for_update().get(pk=occ.pk)
        if locked.starts_at == starts_at:
            return locked
        occ.sequence = locked.sequence  # the next SEQUENCE follows the one last sent
        occ.starts_at = starts_at
        occ.ends_at = starts_at + timedelta(minutes=occ.series.duration_minutes)
        bump_and_send(occ, reason="moved")
        log(occ.series.client, actor, "call.moved", occurrence=occ.pk, starts_at=starts_at.isoformat())
    return occ


def generate_agenda(actor: User | None, occ: CallOccurrence, *, at: datetime | None = None) -> CallOccurrence:
    """The client's open tickets with SLA state, and what changed since the previous call."""
    require_worker(actor, occ.series.client)
    at = at or timezone.now()
    client = occ.series.client
    previous = (CallOccurrence.objects.filter(series__client=client, starts_at__lt=occ.starts_at)
                .exclude(status=OccurrenceStatus.CANCELLED).exclude(pk=occ.pk).order_by("-starts_at").first())
    since = previous.starts_at if previous else occ.series.created_at
    open_tickets = [
        {"id": t.pk, "subject": t.subject, "severity": t.severity, "status": t.status, "sla_state": t.sla_state,
         "sla_due_at": t.sla_due_at.isoformat() if t.sla_due_at else None,
         "assignee": t.assignee.display_name if t.assignee else None}
        for t in Ticket.objects.filter(client=client, is_open=True).select_related("assignee")
        .order_by("severity", "sla_due_at", "created_at")
    ]
    events = (TicketEvent.objects.filter(ticket__client=client, created_at__gte=since, created_at__lt=at)
              .exclude(kind__in=PRIVATE_EVENT_KINDS).exclude(kind="attachment.added", data__internal=True)
              .select_related("ticket", "actor").order_by("created_at", "id"))
    changes = [{"ticket": e.ticket_id, "subject": e.ticket.subject, "kind": e.kind, "at": e.created_at.isoformat(),
                "actor": e.actor.display_name if e.actor else "system",
                "old": e.data.get("old"), "new": e.data.get("new")} for e in events[:500]]
    pending = [{"id": f.pk, "text": f.text, "owner": f.owner, "due_on": f.due_on.isoformat() if f.due_on else None}
               for f in FollowUp.objects.filter(occurrence__series__client=client, done_at__isnull=True,
                                                occurrence__starts_at__lt=occ.starts_at)]
    with transaction.atomic():
        occ.agenda = {"generated_at": at.isoformat(), "since": since.isoformat(), "open_tickets": open_tickets,
                      "changes": changes, "open_follow_ups": pending}
        occ.agenda_generated_at = at
        occ.save(update_fields=["agenda", "agenda_generated_at"])
        log(client, actor, "call.agenda_generated", occurrence=occ.pk, open_tickets=len(open_tickets),
            changes=len(changes))
    return occ


def record_minutes(actor: User | None, occ: CallOccurrence, *, minutes: str,
                   follow_ups: list[dict] | None = None, at: datetime | None = None) -> CallOccurrence:
    require_worker(actor, occ.series.client)
    if occ.status == OccurrenceStatus.CANCELLED:
        raise Conflict(TamError.OCCURRENCE_CANCELLED, "Minutes cannot be recorded on a cancelled call.")
    minutes = str(minutes or "").replace("\r\n", "\n").strip()
    if not minutes:
        raise Invalid(TamError.REQUIRED, "Write the minutes of the call.", fields={"minutes": "required"})
    if len(minutes) > MAX_MINUTES:  # what is stored: longer minutes were cut without a word
        raise Invalid(TamError.TOO_LONG, f"The minutes may be at most {MAX_MINUTES} characters.",
                      fields={"minutes": f"at most {MAX_MINUTES} characters"})
    rows = [_follow_up(occ, index, item) for index, item in enumerate(follow_ups or [])]
    with transaction.atomic():
        # Under the call's lock: minutes sent again (a retry after a timeout, the call page sent twice) leave one
        # copy of each follow-up, whichever attempt commits first; the minutes themselves are simply set again.
        CallOccurrence.objects.select_for_update().filter(pk=occ.pk).first()
        recorded = set(FollowUp.objects.filter(occurrence=occ).values_list("text", "owner", "due_on"))
        new = [row for row in rows if (row.text, row.owner, row.due_on) not in recorded]
        occ.minutes = minutes
        occ.status = OccurrenceStatus.HELD
        occ.held_at = occ.held_at or at or timezone.now()
        occ.save(update_fields=["minutes", "status", "held_at"])
        FollowUp.objects.bulk_create(new)
        log(occ.series.client, actor, "call.minutes_recorded", occurrence=occ.pk, follow_ups=len(new),
            **({"already_recorded": len(rows) - len(new)} if len(new) < len(rows) else {}))
    return occ


def _follow_up(occ: CallOccurrence, index: int, item: dict) -> FollowUp:
    """One follow-up as sent, checked: every item sent is kept or refused naming its path (`follow_ups[1].text`),
    never dropped or cut (the call page drops only its blank lines, before the action)."""
    field = f"follow_ups[{index}]"
    text = " ".join(str(item.get("text") or "").split())
    if not text:
        raise Invalid(TamError.REQUIRED, f"{field}: a follow-up needs its text (what is to be done); leave the "
                      "item out rather than sending it blank.", fields={f"{field}.text": "required"})
    owner = str(item.get("owner") or "").strip()
    for name, value, limit in (("text", text, MAX_FOLLOW_UP_TEXT), ("owner", owner, MAX_FOLLOW_UP_OWNER)):
        if len(value) > limit:  # the column's width: refused, not cut
            raise Invalid(TamError.TOO_LONG, f"{field}: the {name} may be at most {limit} characters.",
                          fields={f"{field}.{name}": f"at most {limit} characters"})
    sent = item.get("due_on") or None
    due: date | None = sent if not isinstance(sent, str) else None
    if isinstance(sent, str):
        try:
            due = date.fromisoformat(sent)
        except ValueError as exc:
            raise Invalid(TamError.BAD_DATES, f"{field}: due date {sent[:40]!r} is not YYYY-MM-DD.",
                          fields={f"{field}.due_on": "YYYY-MM-DD"}) from exc
    if due is not None and not FIRST_YEAR <= due.year <= LAST_YEAR:  # as the call page's date check
        raise Invalid(TamError.BAD_DATES, f"{field}: due date {due.isoformat()} is outside the years {FIRST_YEAR} "
                      f"to {LAST_YEAR}; check the year.", fields={f"{field}.due_on": f"years {FIRST_YEAR} to {LAST_YEAR}"})
    return FollowUp(occurrence=occ, text=text, owner=owner, due_on=due)


def complete_follow_up(actor: User | None, follow_up: FollowUp) -> FollowUp:
    require_worker(actor, follow_up.occurrence.series.client)
    with transaction.atomic():
        if follow_up.done_at is None:
            follow_up.done_at = timezone.now()
            follow_up.save(update_fields=["done_at"])
            log(follow_up.occurrence.series.client, actor, "follow_up.done", follow_up=follow_up.pk)
    return follow_up
