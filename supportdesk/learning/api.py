"""REST endpoints of the learning context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
