"""Writing records as CSV, JSON or a table, to a file or to stdout.

CSV cells go through `safe_cell` (a spreadsheet would otherwise run "=cmd|..." as a formula); JSON keeps the values
as they are, since no spreadsheet reads it. A file is written beside its final name and moved into place at the end,
so a failed export never leaves half a file that looks whole.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from supportdesk.errors import Invalid
from supportdesk.spreadsheet_cells import safe_cell

from .errors import InterchangeError

Record = dict[str, Any]


def plain(value: Any) -> Any:
    """A JSON-ready value: instants and dates in ISO 8601, money as an exact decimal string."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    return safe_cell(plain(value))


def file_path(path: Path | None) -> Path | None:
    """The file an `--output` names; None for stdout (no path, or `-`, as for most commands)."""
    return None if path is None or str(path) == "-" else path


@contextmanager
def destination(path: Path | None) -> Iterator[IO[str]]:
    """stdout when no path (or `-`, as for most commands); otherwise the file, complete or not at all. An
    existing file is replaced; a file that cannot be written is one clear refusal, never a traceback."""
    path = file_path(path)
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if not path.parent.exists():
        raise Invalid(InterchangeError.NO_FILE, f"--output: folder {str(path.parent)!r} does not exist",
                      fields={"--output": "no such folder"})
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(partial, path)
    except OSError as exc:
        raise Invalid(InterchangeError.NOT_WRITABLE, f"--output: cannot write {str(path)!r}: {exc.strerror or exc}",
                      fields={"--output": "not writable"}) from None
    finally:
        with suppress(OSError):  # nothing to remove when the folder could not take the file at all
            partial.unlink(missing_ok=True)


def write_csv(stream: IO[str], header: Sequence[str], records: Iterable[Record]) -> int:
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for record in records:
        writer.writerow([csv_cell(record.get(column)) for column in header])
        count += 1
    return count


def write_json(stream: IO[str], records: Iterable[Record]) -> int:
    """A JSON array written one record at a time, so a large export never sits in memory whole."""
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n  " if count else "\n  ")
        stream.write(json.dumps(plain(record), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_table(stream: IO[str], title: str, header: Sequence[str], records: Iterable[Record],
                footer: Sequence[Record] = ()) -> int:
    """A rich table for people at a terminal (no formula escaping: nothing is parsed from it)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title)
    for column in header:
        table.add_column(column.replace("_", " "))
    count = 0
    for record in records:
        # Text, not str: a subject or name such as "[/]" or "[bold]" is data, never rich markup (which would crash).
        table.add_row(*[Text(_shown(record.get(column))) for column in header])
        count += 1
    if not count:
        table.caption = "(nothing to show)"
    if footer:
        table.add_section()
        for record in footer:
            table.add_row(*[Text(_shown(record.get(column))) for column in header], style="bold")
    Console(file=stream, width=200 if not stream.isatty() else None, soft_wrap=False).print(table)
    return count


def _shown(value: Any) -> str:
    if isinstance(value, datetime):  # to the minute in a table; CSV and JSON keep the exact instant
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
