"""Reading an import file: UTF-8 (with or without Excel's BOM), a header naming known columns, one record per
line. Anything else is refused whole, with where and why."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk.errors import Invalid
from supportdesk.spreadsheet_cells import FORMULA_PREFIXES

from .errors import InterchangeError


@dataclass(frozen=True)
class Columns:
    """The columns an import understands: `required` must be in the header; `ignored` are written by the export
    for people to read and skipped on the way back in."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional + self.ignored


@dataclass(frozen=True)
class Row:
    line: int  # where the record starts in the file, as an editor numbers lines
    values: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return " ".join(self.values.get(column, "").split()) if column != "address" else self.values.get(column, "").strip()


def read_rows(path: Path, columns: Columns) -> list[Row]:
    text = _text_of(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _malformed(path, 1, exc) from None
    names = _checked_header(path, header, columns)
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (a trailing one is common) carry no record
            if any("\x00" in cell for cell in cells):  # PostgreSQL text holds no NUL: refused on every database
                raise Invalid(InterchangeError.BAD_CSV, f"{path.name} line {line}: a NUL character; save the file as "
                                                        "\"CSV UTF-8\"", fields={"line": str(line)})
            if len(cells) > len(names):
                raise Invalid(InterchangeError.BAD_CSV, f"{path.name} line {line}: {len(cells)} cells but the header "
                                                        f"has {len(names)} columns (quote cells that contain commas)",
                              fields={"line": str(line)})
            rows.append(Row(line, {n: unguarded(c) for n, c in zip(names, cells, strict=False) if n in columns.known}))
    except csv.Error as exc:
        raise _malformed(path, start, exc) from None
    return rows


def unguarded(cell: str) -> str:
    """The value before `safe_cell` guarded it: our exports write "-Minus & Co" as "'-Minus & Co" for spreadsheets,
    and importing that file must give back the name, not the guard."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell


def _text_of(path: Path) -> str:
    if not path.is_file():
        raise Invalid(InterchangeError.NO_FILE, f"no file {str(path)!r}", fields={"file": "not found"})
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise Invalid(InterchangeError.BAD_ENCODING, f"{path.name} line {line}: not UTF-8 text (byte {exc.start}); "
                                                     "save the file as \"CSV UTF-8\"", fields={"file": "encoding"}) from None


def _checked_header(path: Path, header: Sequence[str] | None, columns: Columns) -> list[str]:
    expected = ", ".join(columns.required + columns.optional)
    if not header or not any(h.strip() for h in header):
        raise Invalid(InterchangeError.BAD_HEADER, f"{path.name} is empty; the first line must name the columns "
                                                   f"({expected})", fields={"header": "missing"})
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in columns.known]
    missing = [n for n in columns.required if n not in names]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if unknown or missing or doubled:
        what = "; ".join(part for part in (
            f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "",
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"column(s) given twice: {', '.join(doubled)}" if doubled else "") if part)
        raise Invalid(InterchangeError.BAD_HEADER, f"{path.name} line 1: {what}; the columns are {expected}",
                      fields={"header": "wrong"})
    return names


def _malformed(path: Path, line: int, exc: csv.Error) -> Invalid:
    return Invalid(InterchangeError.BAD_CSV, f"{path.name} line {line}: not valid CSV ({exc})", fields={"line": str(line)})
