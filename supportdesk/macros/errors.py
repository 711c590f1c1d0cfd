from enum import StrEnum


class MacroError(StrEnum):
    TITLE_REQUIRED = "macros.title_required"
    TITLE_TOO_LONG = "macros.title_too_long"
    DUPLICATE_TITLE = "macros.duplicate_title"
    BODY_REQUIRED = "macros.body_required"
    BODY_TOO_LONG = "macros.body_too_long"
    BAD_KIND = "macros.bad_kind"
    BAD_STATUS = "macros.bad_status"
    UNKNOWN_PLACEHOLDER = "macros.unknown_placeholder"
    FORBIDDEN = "macros.forbidden"
    ARCHIVED = "macros.archived"
    NONE_CHOSEN = "macros.none_chosen"
