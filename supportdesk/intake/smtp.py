"""The inbound SMTP listener (aiosmtpd). 250 only after the raw message is committed; 451 otherwise.

Run: python -m supportdesk.intake.smtp --host 127.0.0.1 --port 2525 (`supportdesk serve` does).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd handler: takes mail for our domains only, stores it, then acknowledges."""

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        from .limits import accepted_domains

        domains = accepted_domains()
        domain = address.rsplit("@", 1)[-1].lower().strip(">")
        if "*" not in domains and domain not in domains:
            return "550 5.7.1 Relaying denied: we take mail for our support addresses only"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        loop = asyncio.get_running_loop()
        try:
            received = await loop.run_in_executor(None, _store, raw, mail_from, ",".join(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - not stored: the sender must try again later
            log.exception("could not store an inbound message")
            return "451 4.3.0 Temporary failure storing the message; please try again later"
        return f"250 2.0.0 OK: stored as {received}"


def _store(raw: bytes, mail_from: str, rcpt_to: str) -> int:
    """Runs in an executor thread: its own database connection, closed afterwards."""
    from django.db import connections

    from .actions import receive
    from .models import InboundChannel

    try:
        result = receive(raw, channel=InboundChannel.SMTP, envelope_from=mail_from or "<>", envelope_to=rcpt_to)
    finally:
        connections.close_all()
    return result.inbound.pk


def listen_address(listen: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """SUPPORTDESK_SMTP_LISTEN ("host:port", "[::1]:2525", ":2525" or empty) as (host, port); ValueError if bad."""
    if not listen.strip():
        return default_host, 2525
    host, _, port = listen.strip().rpartition(":")
    try:
        return host.strip("[]") or default_host, int(port)
    except ValueError:
        raise ValueError(f"SUPPORTDESK_SMTP_LISTEN must be host:port, not {listen!r}") from None


def controller(host: str, port: int) -> Controller:
    from .limits import mail_limits

    return Controller(IntakeHandler(), hostname=host, port=port, data_size_limit=mail_limits().max_bytes,
                      decode_data=False, server_hostname="supportdesk", ready_timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="supportdesk inbound SMTP listener")
    parser.add_argument("--host", default=None, help="address to listen on (default: SMTP_LISTEN setting)")
    parser.add_argument("--port", type=int, default=None, help="port (default: SMTP_LISTEN setting)")
    args = parser.parse_args(argv)
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    django.setup()
    from django.conf import settings

    try:
        default_host, default_port = listen_address(str(settings.SUPPORTDESK.get("SMTP_LISTEN", "")))
    except ValueError as exc:
        parser.error(str(exc))
    host = args.host or default_host
    port = args.port if args.port is not None else default_port
    if not 0 < port < 65536:  # aiosmtpd's readiness check connects to the port, so 0 (any free port) cannot work
        parser.error(f"the port must be 1 to 65535, not {port}")
    smtp = controller(host, port)
    smtp.start()
    print(f"supportdesk SMTP intake listening on {host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        while not stop.wait(1):
            pass
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
