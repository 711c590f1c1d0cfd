"""Per-request scope around every view: database briefly unavailable -> 503 with a retry hint instead of a stack
trace; a number too large for the database (an id of 30 digits) -> 422, not 500; a NUL character in an API query
string or JSON body is dropped before the view, so every database stores the same text, and elsewhere (a web form's
text outside Django's form fields) PostgreSQL's refusal -> 422 `nul_character` naming the fields that hold one;
revision values read once per request until it writes (revisions.cache), so the caches keyed on them (entitlements,
tokens, people, SLA settings) cost no query after the first; an /api/ URL without an endpoint (404) or method
(405), and an unexpected error (500), -> the API's JSON error shape, not Django's HTML page (the 500 is logged with
its traceback by Django first).
A page number past the end of a web list shows its last page (Django's Paginator clamps it); only the API, whose
pages become an SQL OFFSET, refuses one too large for 64 bits."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone

from supportdesk.local_times import person_zone
from supportdesk.revisions.cache import snapshot_per_request

log = logging.getLogger(__name__)

# SQLite reports schema mistakes as OperationalError too; those are bugs (500), not an outage (503).
MAX_PAGE_DIGITS = 9
NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error", "has no column", "no such function")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        page = request.GET.get("page", "")
        if is_api and len(page) > MAX_PAGE_DIGITS and page.isdigit():
            return page_out_of_range()  # an OFFSET beyond 64 bits makes SQLite fail with "datatype mismatch"
        if is_api:
            drop_nul_characters(request)
        with snapshot_per_request():
            response = self.get_response(request)
        if is_api and response.status_code in _API_ERRORS and not _is_json(response):
            return _api_error(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError) and "NUL (0x00)" in str(exception):
            return nul_character(request)
        if isinstance(exception, OverflowError | DataError):
            return out_of_range(request)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if any(marker in str(exception).lower() for marker in NOT_AN_OUTAGE):
            return None
        log.warning("database unavailable for %s %s: %s: %s", request.method, request.path,
                    type(exception).__name__, str(exception).splitlines()[0] if str(exception) else "")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "unavailable", "message": "The database is briefly unavailable; retry shortly.",
                           "fields": {}}}, status=503)
        else:
            response = HttpResponse("Service briefly unavailable; please retry in a few seconds.", status=503,
                                    content_type="text/plain")
        response["Retry-After"] = "5"
        return response


class ViewerTimezoneMiddleware:
    """Pages show instants in the signed-in person's own zone (`User.timezone`): every `|date`, `|time` and
    `{{ instant }}` of the request's templates, and `timezone.localtime()` in its views. Anonymous pages keep the
    vendor's zone (`settings.TIME_ZONE`). The API is left alone: its instants are ISO 8601 with an offset, and
    its session is not looked up for a token request. Code whose dates belong to the vendor (invoices) names
    that zone itself rather than reading the active one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = None if request.path.startswith("/api/") else getattr(request, "user", None)
        try:
            signed_in = user is not None and user.is_authenticated  # reads the session and the person
        except (OperationalError, InterfaceError):
            # Database down: outside a view this was a 500. The view meets the same error (request.user is not
            # cached after a failure), and DatabaseUnavailableMiddleware answers it with a 503 and Retry-After.
            signed_in = False
        if not signed_in:
            return self.get_response(request)
        with timezone.override(person_zone(user)):
            return self.get_response(request)


# An /api/ URL that matches no endpoint (404) or an endpoint without that method (405) is answered by Django and
# ninja in HTML or plain text, and so is an unexpected error (500: Django has already sent got_request_exception,
# logged the traceback on django.request, or re-raised it under DEBUG_PROPAGATE_EXCEPTIONS); the API answers every
# error in its one JSON shape, and a 500 says nothing of the exception (no trace, no text of it).
_API_ERRORS = {404: ("not_found", "No such API endpoint: see /api/v1/openapi.json."),
               405: ("method_not_allowed", "This endpoint does not accept that method."),
               500: ("internal_error", "Something went wrong on our side; it has been logged. Retry later or "
                                       "contact support.")}


def _is_json(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def _api_error(response: HttpResponse) -> HttpResponse:
    code, message = _API_ERRORS[response.status_code]
    if response.status_code == 405 and response.has_header("Allow"):
        message = f"{message} Allowed: {response['Allow']}."
    answer = JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=response.status_code)
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer


def page_out_of_range() -> HttpResponse:
    """An API page number longer than MAX_PAGE_DIGITS: named as the page, since it may well fit in 64 bits."""
    limit = 10**MAX_PAGE_DIGITS - 1
    return JsonResponse({"error": {"code": "out_of_range",
                                   "message": f"The page must be a whole number from 1 to {limit}.",
                                   "fields": {"page": f"1 to {limit}"}}}, status=422)


def out_of_range(request: HttpRequest) -> HttpResponse:
    """SQLite raises OverflowError, PostgreSQL DataError, for a number outside 64-bit integers."""
    message = "A value is out of range (numbers must fit in 64 bits)."
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "out_of_range", "message": message, "fields": {}}}, status=422)
    return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")


NUL_MESSAGE = "Text may not contain the NUL character (\\x00 or \\u0000); remove it and send again."


def nul_character(request: HttpRequest) -> HttpResponse:
    """PostgreSQL refuses NUL in text ("cannot contain NUL (0x00) bytes"): a 422 naming the fields that hold
    one, not the 64-bit message of other data errors."""
    fields = {name: "contains NUL" for name in sorted(set(nul_fields(request)))}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "nul_character", "message": NUL_MESSAGE, "fields": fields}},
                            status=422)
    named = f" ({', '.join(fields)})" if fields else ""
    return HttpResponse(NUL_MESSAGE + named, status=422, content_type="text/plain; charset=utf-8")


# PostgreSQL cannot store a NUL character in text and SQLite can: the API drops every NUL from its query strings
# and JSON bodies before any view reads them, so each database keeps the same text (a NUL pasted from a terminal
# or a binary file carries no meaning in a subject, a description or an id). How one looks there: %00 and \u0000.
_QUERY_NUL, _JSON_NUL = ("%00", "\x00"), b"\\u0000"
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")  # \u0000 itself, not an escaped backslash and u0000


def drop_nul_characters(request: HttpRequest) -> None:
    """Remove NUL characters from an API request's query string and JSON body (a quick look first: only a
    request holding one is rewritten). A body larger than Django's limit is left to its own refusal."""
    query = request.META.get("QUERY_STRING", "")
    if any(mark in query for mark in _QUERY_NUL):
        cleaned = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            cleaned.setlist(name.replace("\x00", ""), [value.replace("\x00", "") for value in values])
        request.META["QUERY_STRING"] = cleaned.urlencode()
        request.GET = QueryDict(request.META["QUERY_STRING"], encoding=request.encoding)  # type: ignore[assignment]
    if request.method in ("POST", "PUT", "PATCH") and str(request.content_type).endswith("json") \
            and _declared_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE and _JSON_NUL in request.body:
        # Edited as text, not parsed and written again: numbers, key order and every other escape stay as sent.
        request._body = _JSON_NUL_ESCAPE.sub(rb"\1", request.body)  # what request.body answers from now on


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def nul_fields(request: HttpRequest) -> Iterator[str]:
    """Names of the query, form or JSON body fields whose text holds a NUL (dotted paths inside JSON)."""
    for params in (request.GET, request.POST):
        for name, values in params.lists():
            if any("\x00" in value for value in values):
                yield name
    if str(request.content_type).endswith("json"):
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return
        yield from _nul_paths(body, "")


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str) and "\x00" in value:
        yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]" if path else f"[{index}]")
