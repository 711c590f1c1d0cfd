from enum import StrEnum


class ChatError(StrEnum):
    NOT_ENTITLED = "chat.not_entitled"
    NOT_A_CLIENT = "chat.not_a_client"
    TOO_LONG = "chat.too_long"
    FRAME_TOO_LARGE = "chat.frame_too_large"
    RATE_LIMITED = "chat.rate_limited"
    BAD_FRAME = "chat.bad_frame"
    BAD_ID = "chat.bad_id"
    CLOSED = "chat.closed"
    ALREADY_TAKEN = "chat.already_taken"
    NOT_PICKED_UP = "chat.not_picked_up"
    SIGNED_OUT = "chat.signed_out"
