"""Per-request scope around every view: database briefly unavailable -> 503 with a retry hint instead of
a stack trace; entitlement sets memoised for the length of the request (contracts.entitlements)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from supportdesk.contracts.entitlements import memo_per_request

# SQLite reports schema mistakes as OperationalError too; those are bugs (500), not an outage (503).
NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error", "has no column", "no such function")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with memo_per_request():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if any(marker in str(exception).lower() for marker in NOT_AN_OUTAGE):
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "unavailable", "message": "The database is briefly unavailable; retry shortly.",
                           "fields": {}}}, status=503)
        else:
            response = HttpResponse("Service briefly unavailable; please retry in a few seconds.", status=503,
                                    content_type="text/plain")
        response["Retry-After"] = "5"
        return response
