from enum import StrEnum


class HelpError(StrEnum):
    TITLE_REQUIRED = "help.title_required"
    BODY_REQUIRED = "help.body_required"
    BAD_SLUG = "help.bad_slug"
    DUPLICATE_SLUG = "help.duplicate_slug"
    BAD_VISIBILITY = "help.bad_visibility"
    BAD_STATUS = "help.bad_status"
    CLIENT_REQUIRED = "help.client_required"
    UNKNOWN_OFFERING = "help.unknown_offering"
    UNKNOWN_SECTION = "help.unknown_section"
    DUPLICATE_SECTION = "help.duplicate_section"
    EDIT_FORBIDDEN = "help.edit_forbidden"
    COMMENTS_CLOSED = "help.comments_closed"
    COMMENT_REQUIRED = "help.comment_required"
    COMMENT_TOO_LONG = "help.comment_too_long"
    RATE_LIMITED = "help.rate_limited"
    MODERATE_FORBIDDEN = "help.moderate_forbidden"
    ATTACHMENT_TOO_LARGE = "help.attachment_too_large"
    ATTACHMENT_TYPE = "help.attachment_type"
    BAD_IDEMPOTENCY_KEY = "help.bad_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "help.idempotency_key_reused"
