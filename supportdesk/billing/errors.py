from enum import StrEnum


class BillingError(StrEnum):
    CUSTOM_PRICE_REQUIRED = "billing.custom_price_required"
    BAD_USER_COUNT = "billing.bad_user_count"
    UNKNOWN_OFFERING = "billing.unknown_offering"
    UNKNOWN_CURRENCY = "billing.unknown_currency"
    NO_LIST_PRICE = "billing.no_list_price"
    BAD_AMOUNT = "billing.bad_amount"
    RATE_REQUIRED = "billing.rate_required"
    BAD_RATE = "billing.bad_rate"
    BAD_MONTH = "billing.bad_month"
    BAD_DATE = "billing.bad_date"
    BAD_TIER_RULE = "billing.bad_tier_rule"
    DESCRIPTION_REQUIRED = "billing.description_required"
    TEXT_TOO_LONG = "billing.text_too_long"
    NOT_ISSUED = "billing.not_issued"
    CREDIT_TOO_LARGE = "billing.credit_too_large"
    BAD_STATUS = "billing.bad_status"
    NO_BILLING_CURRENCY = "billing.no_billing_currency"
    BAD_IDEMPOTENCY_KEY = "billing.bad_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "billing.idempotency_key_reused"
