"""The vendor's business hours, as the on-call hook and the phone line ask them: the sla context's business-hours
calendar (supportdesk/sla/calendars_store.py), so that on-call paging and the severity clocks agree.

By default that is weekdays, SUPPORTDESK["BUSINESS_HOURS"] in VENDOR_ZONE, closed on the VENDOR_HOLIDAYS public
holidays; a manager's edit of the calendar (/sla/calendars/, PUT /api/v1/sla/calendars/business-hours) applies here
too, from the next read.
"""

from __future__ import annotations

from datetime import datetime

from supportdesk.sla.calendars_store import calendar_for
from supportdesk.sla.models import CalendarKind


def in_business_hours(at: datetime) -> bool:
    """True when `at` (an aware instant) falls inside the vendor's business-hours calendar."""
    return calendar_for(CalendarKind.BUSINESS_HOURS).is_open(at)
