"""REST endpoints of the telephony context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
