"""REST endpoints of the livechat context (mounted by supportdesk.api)."""

from ninja import Router

router = Router()
