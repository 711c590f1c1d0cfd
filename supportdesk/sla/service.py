"""The SLA layer as the ticket actions see it. Each hook runs inside the action's transaction.

Implemented by the sla context (clocks, objectives, warnings); the ticket actions only announce what
happened. Keep these signatures stable: intake, chat and phone call them through the ticket actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Message, Ticket


def on_ticket_opened(ticket: Ticket) -> None:
    """Start the ticket's clocks from the client's entitlements at opening."""


def on_staff_response(ticket: Ticket, message: Message) -> None:
    """A customer-visible staff communication (public reply, agent chat message, logged call)."""


def on_client_message(ticket: Ticket, message: Message) -> None:
    """The client wrote again (may restart a next-update clock)."""


def on_status_changed(ticket: Ticket, old: str, new: str) -> None:
    """Pause, resume or stop clocks by the per-metric pause statuses."""


def on_severity_changed(ticket: Ticket, old: int, new: int, actor: User | None) -> None:
    """Recompute from the original start with the new target, pauses kept; may breach at once."""
