"""ASGI entry: HTTP through Django, WebSockets (chat, live queues) through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from supportdesk.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi, "websocket": websocket_application()})
