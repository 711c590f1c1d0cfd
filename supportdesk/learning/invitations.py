"""Registration confirmation texts and the ICS calendar attachment (icalendar)."""

from __future__ import annotations

import base64
from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from supportdesk.local_times import abbreviation, offset

from .models import Registration


def _local(registration: Registration) -> str:
    event = registration.event
    zone = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    # The abbreviation says which 01:30 of a fall-back night; an end on another day says its date.
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%A %d %B %Y, %H:%M}"
    return (f"{start:%A %d %B %Y, %H:%M} {_zone_label(start)} to {until} {_zone_label(end)} "
            f"({event.timezone})")


def _zone_label(local: datetime) -> str:
    return f"{abbreviation(local)} {offset(local)}".strip()


def confirmation_text(registration: Registration) -> str:
    event = registration.event
    fee = (f"Fee: {registration.fee} {registration.currency}"
           + (f" ({registration.discount_percent}% off the list fee of {registration.list_fee} as a designated user)"
              if registration.discount_percent else "")
           + (", invoiced to your organisation." if registration.fee > 0 else ""))
    return (f"You are registered for {event.title}.\n\nWhen: {_local(registration)}\n"
            f"Where: {event.location or 'online; the link follows'}\n{fee}\n\n"
            "The attached calendar file adds it to your calendar. You can cancel until the event starts.\n")


def cancellation_text(registration: Registration, charge_cancelled: bool) -> str:
    note = ("The fee will not be invoiced." if charge_cancelled else
            "A fee already invoiced stays on the invoice; billing handles credits." if registration.fee > 0 else "")
    return f"Your registration for {registration.event.title} ({_local(registration)}) is cancelled. {note}\n"


def event_changed_text(registration: Registration, changed: set[str]) -> str:
    event = registration.event
    what = ", ".join(LABELS[name] for name in LABELS if name in changed)
    return (f"{event.title} has changed ({what}). You are still registered (seat {registration.seat}).\n\n"
            f"When: {_local(registration)}\nWhere: {event.location or 'online; the link follows'}\n\n"
            "The attached calendar file updates the entry in your calendar. You can cancel until the event "
            "starts.\n")


def event_cancelled_text(registration: Registration, fee: str) -> str:
    """`fee`: what billing did with the registration's fee ("dropped", "credited" or "none")."""
    event = registration.event
    note = {"dropped": f"The fee of {registration.fee} {registration.currency} will not be invoiced.",
            "credited": f"The fee of {registration.fee} {registration.currency} was already invoiced; your next "
                        "invoice deducts it as a credit."}.get(fee, "")
    return (f"We are sorry: {event.title} ({_local(registration)}) is cancelled.\n\n"
            f"Reason: {event.cancellation_reason}\n\n{note}\nThe attached calendar file removes it from your "
            "calendar.\n")


LABELS = {"title": "title", "starts_at": "start", "ends_at": "end", "timezone": "time zone",
          "location": "place", "description": "description"}


def ics_attachment(registration: Registration, *, cancelled: bool = False) -> dict:
    """An outbox attachment: {filename, content_type, content_b64}. One UID per registration; SEQUENCE is the
    event's (bumped by every change calendars must show), one more for a cancellation, so calendars apply
    each update and a cancellation over everything sent before."""
    event = registration.event
    method = "CANCEL" if cancelled else "REQUEST"
    cal = Calendar()
    cal.add("prodid", "-//supportdesk//events//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    item = IcsEvent()
    domain = getattr(settings, "SUPPORTDESK_MAIL_DOMAIN", "supportdesk.local")
    item.add("uid", f"registration-{registration.pk}@{domain}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("description", event.description)
    if event.location:
        item.add("location", event.location)
    _add_people(item, registration)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("sequence", event.sequence + (1 if cancelled else 0))
    cal.add_component(item)
    # iMIP (RFC 6047) names the method on the part too; Django's mail adds the charset itself.
    return {"filename": "event.ics", "content_type": f"text/calendar; method={method}",
            "content_b64": base64.b64encode(cal.to_ical()).decode()}


def _add_people(item: IcsEvent, registration: Registration) -> None:
    """A REQUEST or CANCEL names its organizer and attendee (RFC 5546 3.2.2, 3.2.5), or calendars may ignore
    it: the vendor's support address organizes, the registrant attends (accepted: they registered)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or "Support")
    item.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{registration.user.email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    item.add("attendee", attendee, encode=False)
