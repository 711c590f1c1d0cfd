from enum import StrEnum


class AccountError(StrEnum):
    DUPLICATE_CLIENT = "client.duplicate"
    UNKNOWN_ZONE = "client.unknown_zone"
    DUPLICATE_EMAIL = "person.duplicate_email"
    BAD_ROLE = "person.bad_role"
    NAME_REQUIRED = "client.name_required"
    NOT_A_TAM = "tam.not_a_tam"
    TOKEN_INVALID = "token.invalid"
    TOKEN_INACTIVE_USER = "token.inactive_user"
    TOKEN_ALREADY_REVOKED = "token.already_revoked"
    TOKEN_AMBIGUOUS = "token.ambiguous_prefix"  # two tokens share the prefix given
    BAD_DOMAIN = "client.bad_domain"
    DOMAIN_TAKEN = "client.domain_taken"
    BAD_PHONE = "client.bad_phone"
    PHONE_TAKEN = "client.phone_taken"


class DesignationError(StrEnum):
    NOT_ENTITLED = "designation.not_entitled"
    LIMIT_REACHED = "designation.limit_reached"
    ALREADY_DESIGNATED = "designation.already_designated"
    NOT_DESIGNATED = "designation.not_designated"
    NOT_CLIENT_USER = "designation.not_client_user"
