"""REST endpoints of the helpcenter context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
