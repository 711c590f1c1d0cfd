"""The product's URLs plus /bench/floor: a tiny ninja endpoint answering a constant JSON (the stack's floor)."""

from django.urls import path
from ninja import NinjaAPI

from supportdesk.urls import urlpatterns as product_urlpatterns

floor_api = NinjaAPI(urls_namespace="bench-floor", docs_url=None, openapi_url=None)


@floor_api.get("/floor", auth=None)
def floor(request):  # type: ignore[no-untyped-def]
    return {"ok": True, "service": "supportdesk", "items": [1, 2, 3]}


urlpatterns = [path("bench/", floor_api.urls), *product_urlpatterns]
