"""The system admin's outbound webhook screens (/webhooks/): list and subscribe, a subscription's recent
deliveries, deactivate. Thin: actions.create_subscription / remove_subscription and queries only. Everyone
else gets 404, as from the API; anonymous people go to sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from supportdesk import policy
from supportdesk.errors import DomainError, NotFound

from . import actions, queries
from .forms import SubscriptionForm
from .topics import TOPICS, WILDCARDS

PAGE_SIZE = 25
T = TypeVar("T")


def _found(read: Callable[..., T], *args: Any) -> T:
    try:
        return read(*args)
    except NotFound as exc:
        raise Http404 from exc


def _place(form: SubscriptionForm, exc: DomainError) -> None:
    """The refusal's whole message under each field it names, so the admin reads why beside what to fix."""
    named = [field for field in exc.fields if field in form.fields]
    for field in named:
        form.add_error(field, exc.message)
    if not named:
        form.add_error(None, exc.message)


@login_required
@never_cache  # the answer to a subscription carries its secret: no copy in any cache
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    listed = _found(queries.subscriptions, user)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.subscribe(user, url=form.cleaned_data["url"], topics=form.topic_list(),
                                        secret=form.cleaned_data["secret"] or None,
                                        idempotency_key=form.idempotency_key()).record  # sent twice: one
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _place(form, exc)
        else:
            # Rendered, not redirected: the secret lives only in this answer, never in a session or message store.
            return render(request, "notifications/webhook_created.html", {"subscription": created}, status=201)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/webhooks.html",
                  {"page": page, "form": form, "topics": TOPICS.items(), "wildcards": WILDCARDS},
                  status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET"])
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    subscription = _found(queries.subscription, user, webhook_id)
    page = Paginator(queries.deliveries(user, subscription), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/webhook.html", {"subscription": subscription, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_deactivate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """GET asks to confirm; the POST (with its CSRF token) deactivates."""
    user = policy.signed_in(request)
    subscription = _found(queries.subscription, user, webhook_id)
    if request.method == "POST" and subscription.active:
        _found(actions.remove_subscription, user, subscription.pk)
        messages.success(request, f"The subscription for {subscription.url} is deactivated: nothing more is sent "
                                  "to it, and deliveries still queued are dropped.")
        return redirect("webhooks")
    return render(request, "notifications/webhook_deactivate.html", {"subscription": subscription})
