"""REST endpoints of the intake context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
