"""For bench/server_stack.py only: HTTP through Django's WSGI handler on a2wsgi's bridge, as supportdesk
served it before supportdesk.wsgi_bridge, so both can be measured side by side."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = WSGIMiddleware(get_wsgi_application(), workers=1)  # type: ignore[arg-type]
