"""WebSocket routes. Each context that speaks WebSocket adds its patterns here."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator


def websocket_urlpatterns() -> list:
    import importlib

    patterns: list = []
    for ctx in ("livechat", "web"):
        try:
            module = importlib.import_module(f"supportdesk.{ctx}.routing")
        except ModuleNotFoundError as exc:
            if exc.name != f"supportdesk.{ctx}.routing":
                raise
            continue
        patterns += module.websocket_urlpatterns
    return patterns


def websocket_application():
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns())))
