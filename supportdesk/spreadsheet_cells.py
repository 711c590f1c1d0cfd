"""CSV cells that are safe to open in a spreadsheet (OWASP CSV injection): every CSV export writes through it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) gets a
    leading apostrophe, so it shows as text. Numbers and dates are written as they are (-100.00 stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A value as one CSV cell: empty for None, ISO 8601 for dates and instants, else `safe_cell`."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_download(header: Sequence[str], rows: Iterable[Iterable[Any]], filename: str) -> StreamingHttpResponse:
    """Every CSV download: the header, then each row's cells through `csv_cell`, streamed as rows come."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
