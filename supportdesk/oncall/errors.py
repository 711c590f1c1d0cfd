from enum import StrEnum


class OncallError(StrEnum):
    BAD_WEEKDAY = "oncall.bad_weekday"
    BAD_TIME = "oncall.bad_time"
    BAD_INSTANT = "oncall.bad_instant"
    NOT_STAFF = "oncall.not_staff"
    EMPTY_PERIOD = "oncall.empty_period"
    FORBIDDEN = "oncall.forbidden"
