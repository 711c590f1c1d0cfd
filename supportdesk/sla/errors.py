"""Stable error codes of the sla context."""

from enum import StrEnum


class SlaError(StrEnum):
    UNKNOWN_CALENDAR = "sla.unknown_calendar"
    BAD_ZONE = "sla.bad_zone"
    BAD_HOURS = "sla.bad_hours"
    BAD_HOLIDAYS = "sla.bad_holidays"
    BAD_DATE = "sla.bad_date"
    BAD_RANGE = "sla.bad_range"
    EMPTY_CALENDAR = "sla.empty_calendar"
