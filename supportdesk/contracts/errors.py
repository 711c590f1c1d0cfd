from enum import StrEnum


class ContractError(StrEnum):
    DUPLICATE_NUMBER = "contract.duplicate_number"
    END_BEFORE_START = "contract.end_before_start"
    ADDENDUM_BEFORE_FORM = "contract.addendum_before_form"
    ADDENDUM_AFTER_FORM_END = "contract.addendum_after_form_end"
    LINE_AFTER_ORDER_END = "contract.line_after_order_end"
    ADDENDUM_NEEDS_FORM = "contract.addendum_needs_form"
    UNKNOWN_OFFERING = "contract.unknown_offering"
    BAD_USER_COUNT = "contract.bad_user_count"
    BAD_QUANTITY = "contract.bad_quantity"
    BAD_PRICE = "contract.bad_price"
    OVERLAPPING_LINE = "contract.overlapping_line"
    UNKNOWN_TARGET_LINE = "contract.unknown_target_line"
    TARGET_NOT_IN_FORCE = "contract.target_not_in_force"
    NO_LINES = "contract.no_lines"
    UNKNOWN_CURRENCY = "contract.unknown_currency"
    CURRENCY_MISMATCH = "contract.currency_mismatch"
    CUSTOM_PRICE_REQUIRED = "contract.custom_price_required"
