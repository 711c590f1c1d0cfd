"""Bench-only settings: the product's settings plus a URL override that adds the framework floor.

Never used by the product; `bench/w1_w2.py` starts uvicorn with DJANGO_SETTINGS_MODULE=bench.settings.
"""

from supportdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
