"""The access log as CSV: the same policy-checked, filtered query as the list, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from supportdesk.spreadsheet_cells import safe_cell

from .queries import log_entry

CSV_HEADER = ["at", "kind", "person_id", "person", "person_email", "client_id", "client", "training_item_id",
              "training_item", "release_id", "product", "version"]


def _row(entry: dict[str, Any]) -> list[Any]:
    client, item, release = entry["client"] or {}, entry["training_item"] or {}, entry["release"] or {}
    person = entry["person"]
    return [entry["at"].isoformat(), entry["kind"], person["id"], person["name"], person["email"], client.get("id"),
            client.get("name"), item.get("id"), item.get("title"), release.get("id"), release.get("product"),
            release.get("version")]


def _cell(value: Any) -> Any:
    return "" if value is None else safe_cell(value)  # titles, names and versions are typed by people


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(qs: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in qs.iterator(chunk_size=2000):
        yield writer.writerow([_cell(v) for v in _row(log_entry(row))])


def access_log_csv_response(qs: QuerySet) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response
