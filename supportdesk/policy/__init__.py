"""The one authorization policy: "may this person see/do this?".

Lists, details, search, exports, the API and websockets all ask these functions; a module per
context keeps each part readable. Anything a person may not see answers exactly like a missing id.
"""

from .accounts import (  # noqa: F401
    can_manage_api_tokens,
    can_manage_clients,
    can_manage_designations,
    can_view_client,
    visible_clients,
)
from .contracts import can_edit_contracts, can_view_contracts  # noqa: F401
from .roles import (  # noqa: F401
    STAFF_WORKERS,
    has_role,
    is_client_admin,
    is_client_person,
    is_designated,
    is_staff_member,
    roles_of,
    signed_in,
)
from .tickets import (  # noqa: F401
    TicketScope,
    can_change_ticket_fields,
    can_comment_internally,
    can_merge_tickets,
    can_open_for_requester,
    can_reply,
    can_see_internal,
    can_view_ticket,
    ticket_scope,
    visible_attachments,
    visible_events,
    visible_merge_target,
    visible_messages,
    visible_tickets,
)
