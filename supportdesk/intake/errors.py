from enum import StrEnum


class IntakeError(StrEnum):
    ALREADY_HANDLED = "intake.already_handled"
    NOT_IN_REVIEW = "intake.not_in_review"
    BAD_REQUESTER = "intake.bad_requester"
