"""REST endpoints of the oncall context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
