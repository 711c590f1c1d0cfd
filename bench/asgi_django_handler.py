"""For bench/server_stack.py only: the HTTP app as it was before supportdesk.asgi moved HTTP to the WSGI
handler (Django's own ASGI handler), so both can be measured side by side."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
