"""Database briefly unavailable: answer 503 with a retry hint instead of a stack trace."""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
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
