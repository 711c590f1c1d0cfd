"""Who may open a page: one decorator for every context's views, asking the policy.

Anyone signed in for whom the check fails gets 404 (like a missing page), unless the page says where
client people or others belong instead (the portal, the console).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from supportdesk import policy

View = Callable[..., HttpResponse]


def page_for(allowed: Callable[[Any], bool], *, clients_go_to: str | None = None,
             others_go_to: str | None = None) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = policy.signed_in(request)
            if allowed(user):
                return view(request, *args, **kwargs)
            if clients_go_to and policy.is_client_person(user):
                return redirect(clients_go_to)
            if others_go_to:
                return redirect(others_go_to)
            raise Http404

        return wrapped

    return decorate


def works_tickets(user: Any) -> bool:
    return policy.has_role(user, *policy.STAFF_WORKERS)


staff_workers_only = page_for(works_tickets, clients_go_to="/portal/")
staff_members_only = page_for(policy.is_staff_member)
client_people_only = page_for(policy.is_client_person, others_go_to="/console/")
