from enum import StrEnum


class InterchangeError(StrEnum):
    UNKNOWN_CLIENT = "interchange.unknown_client"
    BAD_MONTH = "interchange.bad_month"
    BAD_CHOICE = "interchange.bad_choice"
    BAD_RANGE = "interchange.bad_range"
    NO_FILE = "interchange.no_file"
    NOT_WRITABLE = "interchange.not_writable"
    BAD_ENCODING = "interchange.bad_encoding"
    BAD_HEADER = "interchange.bad_header"
    BAD_CSV = "interchange.bad_csv"
    BAD_ROWS = "interchange.bad_rows"
