"""Navigation for the page frame: what this person may reach."""

from __future__ import annotations

from django.http import HttpRequest

from supportdesk import policy


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if policy.is_client_person(user):
        nav = [("Tickets", "/portal/"), ("New ticket", "/portal/tickets/new/"), ("Plan", "/portal/plan/"),
               ("Help center", "/help/")]
    else:
        nav = []
        if policy.has_role(user, *policy.STAFF_WORKERS):
            nav += [("Queue", "/console/"), ("Search", "/console/search/")]
        nav += [("Clients", "/console/clients/"), ("Catalogue", "/catalogue/")]
        if policy.has_role(user, "sysadmin"):
            nav.append(("Admin", "/admin/"))
    return {"nav": nav, "is_staff_member": policy.is_staff_member(user)}
