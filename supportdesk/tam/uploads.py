"""User files of the TAM context (receipts, screen recordings): streamed with a size limit, typed by
their magic bytes (never by name or declared type), stored under generated names, served only as
downloads with sniffing off and a sandboxing CSP."""

from __future__ import annotations

import hashlib
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.http import FileResponse

from supportdesk.errors import Invalid

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Spooled:
    file: IO[bytes]
    size: int
    sha256: str
    head: bytes


def spool(chunks: Iterable[bytes], *, limit: int, code: str, what: str) -> Spooled:
    """Copy a stream to a temporary file, refusing as soon as it passes `limit` bytes."""
    out = tempfile.TemporaryFile()
    digest, size, head = hashlib.sha256(), 0, b""
    for chunk in chunks:
        if not chunk:
            continue
        size += len(chunk)
        if size > limit:
            out.close()
            raise Invalid(code, f"The {what} is larger than the limit of {limit // CHUNK} MB.",
                          fields={"file": f"at most {limit // CHUNK} MB"}, status=413)
        if len(head) < 64:
            head = (head + chunk)[:64]
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return Spooled(out, size, digest.hexdigest(), head)


def chunks_of(upload: IO[bytes]) -> Iterable[bytes]:
    if hasattr(upload, "chunks"):
        yield from upload.chunks(CHUNK)  # type: ignore[union-attr]
        return
    yield from iter(lambda: upload.read(CHUNK), b"")


def sniff_video(head: bytes) -> str | None:
    """The video container the bytes start with, or None (what is not video is refused)."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"  # EBML: WebM or Matroska
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head.startswith(b"OggS") and b"theora" in head:
        return "video/ogg"
    return None


def sniff_receipt(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def safe_name(name: str, default: str) -> str:
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*;').strip(" .")
    return name[:200] or default


def as_file(spooled: Spooled) -> File:
    return File(spooled.file)


def download(field_file: object, filename: str) -> FileResponse:
    """Always a download, never rendered: octet-stream, attachment, nosniff, sandboxing CSP."""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename,  # type: ignore[attr-defined]
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
