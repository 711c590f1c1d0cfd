"""The access log as CSV: the same policy-checked, filtered query as the list, streamed row by row."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from supportdesk.spreadsheet_cells import csv_download

from .queries import log_entry

CSV_HEADER = ["at", "kind", "person_id", "person", "person_email", "client_id", "client", "training_item_id",
              "training_item", "release_id", "product", "version"]


def _row(entry: dict[str, Any]) -> list[Any]:
    client, item, release = entry["client"] or {}, entry["training_item"] or {}, entry["release"] or {}
    person = entry["person"]
    return [entry["at"].isoformat(), entry["kind"], person["id"], person["name"], person["email"], client.get("id"),
            client.get("name"), item.get("id"), item.get("title"), release.get("id"), release.get("product"),
            release.get("version")]


def access_log_csv_response(qs: QuerySet) -> StreamingHttpResponse:
    rows = (_row(log_entry(row)) for row in qs.iterator(chunk_size=2000))
    return csv_download(CSV_HEADER, rows, "access-log.csv")
