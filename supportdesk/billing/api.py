"""REST endpoints of the billing context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
