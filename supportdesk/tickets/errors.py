from enum import StrEnum


class TicketError(StrEnum):
    SUBJECT_REQUIRED = "ticket.subject_required"
    BODY_REQUIRED = "ticket.body_required"
    BAD_SEVERITY = "ticket.bad_severity"
    BAD_STATUS = "ticket.bad_status"
    BAD_TRANSITION = "ticket.bad_transition"
    STALE_VERSION = "ticket.stale_version"
    IDEMPOTENCY_KEY_REUSED = "ticket.idempotency_key_reused"
    REQUESTER_NOT_OF_CLIENT = "ticket.requester_not_of_client"
    BAD_ASSIGNEE = "ticket.bad_assignee"
    BAD_QUEUE = "ticket.bad_queue"
    UNKNOWN_CATEGORY = "ticket.unknown_category"
    TOO_LONG = "ticket.too_long"
    NOTHING_TO_CHANGE = "ticket.nothing_to_change"
    CLOSED = "ticket.closed"
    MERGE_FORBIDDEN = "ticket.merge_forbidden"
    MERGE_SELF = "ticket.merge_self"
    MERGE_OTHER_CLIENT = "ticket.merge_other_client"
    MERGE_ALREADY_MERGED = "ticket.already_merged"
    MERGE_CLOSED = "ticket.merge_closed"
    MERGE_TARGET_UNKNOWN = "ticket.merge_target_unknown"
