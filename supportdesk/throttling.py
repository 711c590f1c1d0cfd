"""Rate limits on sign-in and public endpoints, counted in the shared cache (Redis at scale).

A fixed window per key is enough here: the aim is to make password guessing and form flooding slow,
and the answer (429 with Retry-After) tells a person what happened.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from supportdesk.errors import DomainError


def hit(key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt for `key`; returns (allowed, seconds until the window resets)."""
    window = int(time.time() // window_seconds)
    cache_key = "rl:" + hashlib.sha256(f"{key}:{window}".encode()).hexdigest()
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    retry_after = window_seconds - int(time.time() % window_seconds)
    return count <= limit, retry_after


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


# path -> (attempts per account name, attempts per address, window seconds), for POSTs.
# The per-address limit is higher: one office (one address) holds many people.
LIMITS: dict[str, tuple[int, int, int]] = {
    "/login/": (10, 60, 60),
    "/admin/login/": (10, 60, 60),
}


class RateLimitMiddleware:
    """Limits POSTs to sign-in pages per address and per account name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            limit = LIMITS.get(request.path)
            if limit is not None:
                refused = self._check(request, *limit)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, per_account: int, per_address: int, window: int) -> HttpResponse | None:
        keys = [(f"ip:{request.path}:{client_ip(request)}", per_address)]
        username = (request.POST.get("username") or request.POST.get("email") or "").strip().lower()
        if username:
            keys.append((f"user:{request.path}:{username}", per_account))
        for key, attempts in keys:
            allowed, retry_after = hit(key, attempts, window)
            if not allowed:
                return too_many(request, retry_after)
        return None


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = f"Too many attempts; wait {retry_after} seconds and try again."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": {"code": "rate_limited", "message": message, "fields": {}}},
                                              status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    return with_retry_after(response, retry_after)


def retry_after_of(refusal: DomainError) -> int | None:
    """The seconds a rate-limit refusal (429) from an action says to wait, which it keeps in its details."""
    return refusal.details.get("retry_after") if refusal.status == 429 else None


def with_retry_after(response: HttpResponse, seconds: int | None) -> HttpResponse:
    """A 429 says when to come back (RFC 6585): the limiter's own count, so the client waits no longer than needed."""
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response
