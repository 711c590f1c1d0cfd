"""ASGI entry: HTTP through Django's WSGI handler on a small thread pool, WebSockets through Channels.

Why not Django's ASGI handler for HTTP: every view here is synchronous (the ORM is), and Django's ASGI
path hops between the event loop and a thread several times per request (signals, each sync-only
middleware, the view). Measured on this project's 2-core machines, a constant JSON answered at about
1,000 requests/s through it and at about 3,000–4,000 through the WSGI handler on a2wsgi's thread pool
(`bench/README.md`, "Server stack"). Chat stays on ASGI, where it needs to be.
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

# Requests one web process runs at once. Few threads suffice: the GIL lets one run Python at a time, the
# others overlap database waits; more threads only queue more writers for SQLite's single write lock (W1 measured
# 260 requests/s with 1 or 2 threads, 180 with 4; the queue view gained from 1 to 2).
WEB_THREADS = int(os.environ.get("SUPPORTDESK_WEB_THREADS", "2"))

django_http = WSGIMiddleware(get_wsgi_application(), workers=WEB_THREADS)  # type: ignore[arg-type]

from supportdesk.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_http, "websocket": websocket_application()})

# Everything loaded so far (Django, the apps, URL patterns, schemas) lives as long as the process: move it
# out of the collector's generations, so full collections scan only what requests allocate. Measured: the
# agent queue's p99 under load fell from ~110 ms to ~60 ms (bench/README.md, "Server stack").
gc.collect()
gc.freeze()
