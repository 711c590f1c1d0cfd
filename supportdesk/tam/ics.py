"""RFC 5545 / 5546 calendar objects for call invitations, cancellations and the TAM's feed."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from .models import CallOccurrence, OccurrenceStatus, OnsiteVisit, UpgradePlan, UpgradeStatus, VisitStatus

PRODID = "-//supportdesk//TAM calls//EN"


def _calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def occurrence_event(occ: CallOccurrence, *, cancelled: bool = False, attendees: Iterable[str] | None = None) -> Event:
    series = occ.series
    event = Event()
    event.add("uid", occ.uid)
    event.add("sequence", occ.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", occ.starts_at.astimezone(UTC))
    event.add("dtend", occ.ends_at.astimezone(UTC))
    event.add("summary", f"{series.title}: {series.client.name}")
    event.add("description", f"Case scrub / project management call with your Technical Account Manager.\n"
                             f"{settings.SITE_URL}/portal/tam/")
    organizer = vCalAddress(f"mailto:{series.tam.email}")
    organizer.params["cn"] = vText(series.tam.display_name)
    event.add("organizer", organizer)
    if attendees is None:  # the organizer attends too: a REQUEST names at least one ATTENDEE (RFC 5546 3.2.2)
        chair = vCalAddress(f"mailto:{series.tam.email}")
        chair.params["cn"] = vText(series.tam.display_name)
        chair.params["role"] = vText("CHAIR")
        chair.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", chair, encode=False)
    for email in (series.attendees if attendees is None else attendees):
        if attendees is None and email == series.tam.email:
            continue
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    event.add("status", "CANCELLED" if cancelled or occ.status == OccurrenceStatus.CANCELLED else "CONFIRMED")
    return event


def invitation(occ: CallOccurrence, *, uninvited: Iterable[str] | None = None) -> bytes:
    """METHOD:REQUEST for a scheduled occurrence, METHOD:CANCEL for a cancelled one. With `uninvited`,
    the METHOD:CANCEL sent to people taken off a call that goes on (RFC 5546 3.2.5: it names them)."""
    cancelled = uninvited is not None or occ.status == OccurrenceStatus.CANCELLED
    cal = _calendar("CANCEL" if cancelled else "REQUEST")
    cal.add_component(occurrence_event(occ, cancelled=cancelled,
                                       attendees=sorted(uninvited) if uninvited is not None else None))
    return cal.to_ical()


def as_email_attachment(occ: CallOccurrence, *, uninvited: Iterable[str] | None = None) -> dict:
    method = "CANCEL" if uninvited is not None or occ.status == OccurrenceStatus.CANCELLED else "REQUEST"
    # Django's mail adds the charset itself (given here too, the part had it twice).
    return {"filename": "invite.ics", "content_type": f"text/calendar; method={method}",
            "content_b64": base64.b64encode(invitation(occ, uninvited=uninvited)).decode()}


def feed(occurrences: Iterable[CallOccurrence], visits: Iterable[OnsiteVisit],
         upgrades: Iterable[UpgradePlan], name: str) -> bytes:
    """A subscribable calendar (no METHOD): calls (cancelled ones marked so), visits and confirmed upgrades."""
    cal = _calendar(None)
    cal.add("x-wr-calname", name)
    for occ in occurrences:
        cal.add_component(occurrence_event(occ))
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.pk}@supportdesk-tam")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", visit.starts_on)
        event.add("dtend", visit.ends_on.fromordinal(visit.ends_on.toordinal() + 1))
        event.add("summary", f"Onsite visit: {visit.client.name}")
        event.add("status", "CANCELLED" if visit.status == VisitStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    for plan in upgrades:
        if plan.window_starts_at is None or plan.window_ends_at is None:
            continue
        event = Event()
        event.add("uid", f"upgrade-{plan.pk}@supportdesk-tam")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", plan.window_starts_at.astimezone(UTC))
        event.add("dtend", plan.window_ends_at.astimezone(UTC))
        event.add("summary", f"Upgrade {plan.product} {plan.installed_version} → {plan.target_version}: "
                             f"{plan.client.name}")
        event.add("status", "CANCELLED" if plan.status == UpgradeStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
