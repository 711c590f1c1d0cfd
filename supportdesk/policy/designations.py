"""Designated users (R6): who may see and change a client's designations.

The client's admin, the client's current TAM, managers and system admins. A person who cannot see the
client at all gets 404 (like a missing id); one who can see it but may not manage designations, 403.
"""

from __future__ import annotations

from typing import Any

from supportdesk.accounts.models import Client
from supportdesk.errors import Forbidden, NotFound

from .accounts import can_manage_designations, visible_clients


def designations_client(user: Any, client_id: int) -> Client:
    """The client whose designations this person may see and manage, or a refusal."""
    client = visible_clients(user).filter(pk=client_id).first()
    if client is None:
        raise NotFound("client")
    if not can_manage_designations(user, client):
        raise Forbidden("Only the client's admin, its TAM, support managers and system admins manage "
                        "designated users.", code="designation.forbidden")
    return client
