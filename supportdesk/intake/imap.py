"""IMAP polling (imap-tools): fetch each message, store it raw, and only then delete or move it.

Configured by environment: SUPPORTDESK_IMAP_HOST, _PORT, _USER, _PASSWORD, _FOLDER (INBOX; several comma
separated), _SECURITY (ssl | starttls | none; default ssl), _MOVE_TO (a folder; default: delete after storing);
or settings.SUPPORTDESK["IMAP"], a dict or a list of dicts (several mailboxes).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from django.conf import settings
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

from .models import InboundChannel

log = logging.getLogger(__name__)
TOO_LARGE = "$SupportdeskTooLarge"  # IMAP keyword on messages left in the mailbox because they are too large


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    security: str = "ssl"
    move_to: str = ""
    batch: int = 50


def imap_configs() -> list[ImapConfig]:
    """Every mailbox to poll: settings.SUPPORTDESK["IMAP"] (a dict, or a list of dicts for several accounts) when
    set, else the SUPPORTDESK_IMAP_* environment. A folder setting may name several folders, comma separated
    ("INBOX,Support"): each is polled."""
    configured = getattr(settings, "SUPPORTDESK", {}).get("IMAP") or {}
    entries = [dict(c) for c in configured] if isinstance(configured, list | tuple) else [dict(configured)]
    configs: list[ImapConfig] = []
    for conf in entries:
        for config in _configs_of(conf):
            if config not in configs:
                configs.append(config)
    return configs


def _configs_of(conf: dict) -> list[ImapConfig]:
    env = os.environ
    host = conf.get("host") or env.get("SUPPORTDESK_IMAP_HOST", "")
    if not host:
        return []
    security = (conf.get("security") or env.get("SUPPORTDESK_IMAP_SECURITY", "ssl")).lower()
    folders = conf.get("folder") or env.get("SUPPORTDESK_IMAP_FOLDER", "INBOX")
    folders = folders if isinstance(folders, list | tuple) else str(folders).split(",")
    return [ImapConfig(
        host=host, port=int(conf.get("port") or env.get("SUPPORTDESK_IMAP_PORT") or (993 if security == "ssl" else 143)),
        user=conf.get("user") or env.get("SUPPORTDESK_IMAP_USER", ""),
        password=conf.get("password") or env.get("SUPPORTDESK_IMAP_PASSWORD", ""),
        folder=folder, security=security,
        move_to=conf.get("move_to") or env.get("SUPPORTDESK_IMAP_MOVE_TO", ""),
    ) for folder in dict.fromkeys(str(f).strip() for f in folders if str(f).strip())]


def imap_config() -> ImapConfig | None:
    """The first mailbox of `imap_configs` (None: polling is off)."""
    configs = imap_configs()
    return configs[0] if configs else None


def poll_all(configs: list[ImapConfig] | None = None) -> tuple[int, list[tuple[ImapConfig, Exception]]]:
    """Poll every configured mailbox; one that fails (unreachable, login refused) never stops the others.
    Returns (messages stored, [(mailbox, error)])."""
    stored, failed = 0, []
    for config in imap_configs() if configs is None else configs:
        try:
            stored += poll_imap(config)
        except Exception as exc:  # noqa: BLE001 - reported; the messages stay in that mailbox for the next poll
            log.warning("could not poll %s@%s:%s/%s: %s", config.user, config.host, config.port, config.folder, exc)
            failed.append((config, exc))
    return stored, failed


class RawMailMessage(MailMessage):
    """imap-tools parses with compat32 and drops the bytes; keep them exactly as the server sent them."""

    def __init__(self, fetch_data: list) -> None:
        self.raw_bytes = self._get_message_data_parts(fetch_data)[0]
        super().__init__(fetch_data)


def _mailbox(config: ImapConfig) -> MailBox | MailBoxUnencrypted | MailBoxStartTls:
    if config.security == "none":
        return MailBoxUnencrypted(config.host, config.port, timeout=30)
    if config.security == "starttls":
        return MailBoxStartTls(config.host, config.port, timeout=30)
    return MailBox(config.host, config.port, timeout=30)


def poll_imap(config: ImapConfig) -> int:
    """Store every message of the folder; delete (or move) each only after it is committed.

    A message over the size limit is stored truncated and flagged for review; it is left in the mailbox
    with the keyword $SupportdeskTooLarge (so it is not fetched again), or moved when a folder is set. Returns how many messages were stored or matched."""
    from .actions import receive

    mailbox = _mailbox(config)
    mailbox.email_message_class = RawMailMessage  # type: ignore[assignment]
    stored = 0
    with mailbox.login(config.user, config.password, initial_folder=config.folder) as box:
        done: list[str] = []
        too_large: list[str] = []
        for msg in box.fetch(f"UNKEYWORD {TOO_LARGE}", mark_seen=False, limit=config.batch, charset=None):
            raw = getattr(msg, "raw_bytes", b"")
            if not msg.uid:
                continue
            try:
                result = receive(raw, channel=InboundChannel.IMAP,
                                 envelope_to=f"{config.user}@{config.host}/{config.folder}")
            except Exception:  # noqa: BLE001 - not stored: leave it in the mailbox for the next poll
                log.exception("could not store IMAP message uid %s", msg.uid)
                continue
            stored += 1
            if result.inbound.truncated and not config.move_to:
                too_large.append(msg.uid)  # kept in the mailbox (only its head is stored), not fetched again
                continue
            done.append(msg.uid)
        if too_large:
            box.flag(too_large, TOO_LARGE, True)
        if done:
            if config.move_to:
                box.move(done, config.move_to)
            else:
                box.delete(done)
    return stored
