"""ASGI entry: HTTP through Django's WSGI handler on a small thread pool, WebSockets through Channels.

Why not Django's ASGI handler for HTTP: every view here is synchronous (the ORM is), and Django's ASGI
path hops between the event loop and a thread several times per request (signals, each sync-only
middleware, the view). Measured on this project's 2-core machines, a constant JSON answered at about
1,000 requests/s through it and at about 3,000–4,000 through the WSGI handler on a2wsgi's thread pool
(`bench/README.md`, "Server stack"); `supportdesk.wsgi_bridge` then cut the hand-offs between the event
loop and the thread to one each way. Chat stays on ASGI, where it needs to be.
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from supportdesk.wsgi_bridge import WSGIBridge  # noqa: E402


# Requests one web process runs at once; scale with processes (`supportdesk web --workers`), like
# gunicorn's sync workers. On SQLite a second thread only contends for the GIL: with the ticket-opening
# path at about 2 ms, W1 measured 575-620 requests/s with 1 thread per process and 475-505 with 2 (switch
# interval 0.5-5 ms made no difference), and the agent queue (W2) served the same with 1 or 2. On
# PostgreSQL each query is a round trip to another process that a second thread overlaps: W2's p99 was
# 419 ms with 1 thread and 107 ms with 2, W1 318 and 341 requests/s (bench/README.md). Raise it where
# slow requests (large exports, PDFs) must not hold up a process.
def default_web_threads(engine: str | None = None) -> int:
    from django.conf import settings

    engine = engine or settings.DATABASES["default"]["ENGINE"]
    return 1 if engine == "supportdesk.sqlite_writer_queue" else 2


django_wsgi = get_wsgi_application()
# Every URL module, view and API schema imported now rather than by the first request (which took seconds on a
# busy machine), and before the process listens (supportdesk.http_server.run_worker).
get_resolver().url_patterns  # noqa: B018  (the property imports them)
WEB_THREADS = int(os.environ.get("SUPPORTDESK_WEB_THREADS") or default_web_threads())
django_http = WSGIBridge(django_wsgi, workers=WEB_THREADS)

from supportdesk.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_http, "websocket": websocket_application()})

# Everything loaded so far (Django, the apps, URL patterns, schemas) lives as long as the process: move it
# out of the collector's generations, so full collections scan only what requests allocate. Measured: the
# agent queue's p99 under load fell from ~110 ms to ~60 ms (bench/README.md, "Server stack").
gc.collect()
gc.freeze()
