"""REST endpoints of the tam context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
