"""The ticket list as CSV: the same policy-filtered query as the list, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from supportdesk.spreadsheet_cells import safe_cell

from .models import Ticket

CSV_HEADER = ["number", "client", "requester", "requester_email", "subject", "severity", "status", "channel",
              "queue", "assignee_email", "created_at", "updated_at", "sla_due_at", "sla_state"]
_COLUMNS = ("id", "client__name", "requester__full_name", "requester__email", "subject", "severity", "status",
            "channel", "queue", "assignee__email", "created_at", "updated_at", "sla_due_at", "sla_state")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(qs: QuerySet[Ticket]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in qs.values_list(*_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow([_cell(v) for v in row])


def tickets_csv_response(qs: QuerySet[Ticket]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tickets.csv"'
    return response
