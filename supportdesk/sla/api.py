"""REST endpoints of the sla context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
