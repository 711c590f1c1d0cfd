"""Paths that carry a credential (a satisfaction survey link, a calendar feed) reach the logs with the
credential hidden: Django logs the path of every 4xx and 5xx, and whoever reads the logs must not be able to
answer a client's survey or read a TAM's calendar with what they find there."""

from __future__ import annotations

import logging
import re
from typing import Any

# The segment after these prefixes is the credential (a feed's keeps its ".ics").
SECRET_PATHS = re.compile(r"(/satisfaction/|/tam/feed/)([^/?#\s\"']+?)(\.ics)?(?=[/?#\s\"']|$)")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(lambda m: f"{m.group(1)}[redacted]{m.group(3) or ''}", text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecretPaths(logging.Filter):
    """On the loggers that write request paths (django.request, django.security.*): hide the credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        return True
