"""The public survey page: the link's token is the credential (no sign-in). GET only shows the form (mail
scanners follow links: a GET never records anything); the POST, CSRF-checked and rate-limited, records it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from supportdesk.errors import DomainError
from supportdesk.throttling import client_ip, hit, with_retry_after
from supportdesk.web.views.common import attach_error

from . import actions
from .errors import SatisfactionError
from .forms import AnswerForm
from .models import Rating

# POSTs per minute: per address (one office holds many people) and per survey.
PER_ADDRESS, PER_SURVEY, WINDOW = 30, 10, 60


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = actions.survey_for_token(token)
    except DomainError as exc:
        raise Http404("No such survey.") from exc
    context = {"survey": item, "ticket": item.ticket, "closes_at": actions.closes_at(item),
               "thanks": request.GET.get("answered") == "1"}
    if not actions.is_open(item):
        return _page(request, {**context, "expired": True}, status=410)
    status, retry_after = 200, None
    if request.method == "POST":
        form = AnswerForm(request.POST)
        allowed, wait = _allowed(request, item.token_hash)
        if not allowed:
            form.is_valid()
            form.add_error(None, f"Too many attempts; wait {wait} seconds and try again.")
            status, retry_after = 429, wait
        elif form.is_valid():
            try:
                actions.answer(item, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
                return redirect(f"/satisfaction/{token}/?answered=1")
            except DomainError as exc:
                if exc.code == SatisfactionError.EXPIRED:
                    return _page(request, {**context, "expired": True}, status=410)
                attach_error(form, exc)
                status = exc.status
        else:
            status = 422
    else:
        asked = request.GET.get("rating")
        form = AnswerForm(initial={"rating": asked if asked in Rating.values else item.rating,
                                   "comment": item.comment})
    response = _page(request, {**context, "form": form}, status=status)
    return with_retry_after(response, retry_after)


def _allowed(request: HttpRequest, token_hash: str) -> tuple[bool, int]:
    for key, limit in ((f"csat:ip:{client_ip(request)}", PER_ADDRESS), (f"csat:survey:{token_hash}", PER_SURVEY)):
        allowed, wait = hit(key, limit, WINDOW)
        if not allowed:
            return False, wait
    return True, 0


def _page(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    response = render(request, "satisfaction/survey.html", context, status=status)
    # The URL holds the token: no Referer to other sites. Not "no-referrer": with it browsers send the page's
    # own form POST with "Origin: null", which Django's CSRF check refuses (every answer was a 403).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
