"""WebSocket routes. Each context that speaks WebSocket adds its patterns here."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator


def websocket_urlpatterns() -> list:
    patterns: list = []
    try:
        from supportdesk.intake.routing import websocket_urlpatterns as intake_patterns
    except ImportError:
        intake_patterns = []
    patterns += intake_patterns
    return patterns


def websocket_application():
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns())))
