from enum import StrEnum


class SatisfactionError(StrEnum):
    BAD_RATING = "satisfaction.bad_rating"
    COMMENT_TOO_LONG = "satisfaction.comment_too_long"
    EXPIRED = "satisfaction.expired"
    RATE_LIMITED = "satisfaction.rate_limited"
