from enum import StrEnum


class LearningError(StrEnum):
    NO_MAINTENANCE = "release.no_maintenance"
    RELEASE_DUPLICATE = "release.duplicate"
    RELEASE_FILE_REQUIRED = "release.file_required"
    RELEASE_FILE_TOO_LARGE = "release.file_too_large"
    RELEASE_FILE_MISSING = "release.file_missing"
    TRAINING_NOT_ENTITLED = "training.not_entitled"
    TRAINING_NOT_DESIGNATED = "training.not_designated"
    TRAINING_BAD_KIND = "training.bad_kind"
    EVENT_BAD_TIMES = "event.bad_times"
    EVENT_BAD_CAPACITY = "event.bad_capacity"
    EVENT_BAD_FEE = "event.bad_fee"
    EVENT_CAPACITY_SHRINK = "event.capacity_below_registrations"
    REGISTRATION_CLIENTS_ONLY = "registration.clients_only"
    REGISTRATION_FULL = "registration.capacity_full"
    REGISTRATION_DUPLICATE = "registration.already_registered"
    REGISTRATION_EVENT_STARTED = "registration.event_started"
    REGISTRATION_ALREADY_CANCELLED = "registration.already_cancelled"
    TITLE_REQUIRED = "learning.title_required"
    STAFF_ONLY = "learning.staff_only"
