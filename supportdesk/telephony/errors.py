from enum import StrEnum


class PhoneError(StrEnum):
    BAD_SIGNATURE = "phone.bad_signature"
    STALE_TIMESTAMP = "phone.stale_timestamp"
    REPLAYED = "phone.replayed"
    BAD_PAYLOAD = "phone.bad_payload"
    NOT_CONFIGURED = "phone.not_configured"
    BAD_OUTCOME = "phone.bad_outcome"
    BAD_DIRECTION = "phone.bad_direction"
    BAD_NUMBER = "phone.bad_number"
    FORBIDDEN = "phone.forbidden"
    CALL_HAS_TICKET = "phone.call_has_ticket"
    NOT_CLAIMABLE = "phone.not_claimable"
    BAD_REQUESTER = "phone.bad_requester"
    REQUESTER_NOT_OF_CLIENT = "phone.requester_not_of_client"
    BAD_IDEMPOTENCY_KEY = "phone.bad_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "phone.idempotency_key_reused"
