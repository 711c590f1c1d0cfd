"""Navigation for the page frame: what this person may reach. The first few links are the daily
work; the rest sit under "More" so the bar fits a laptop screen."""

from __future__ import annotations

from django.http import HttpRequest

from supportdesk import policy
from supportdesk.accounts.models import StaffRole

Links = list[tuple[str, str]]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [("Help center", "/help/")], "nav_more": []}
    if policy.is_client_person(user):
        main, more = _client_links(user)
        return {"nav": main, "nav_more": more, "is_staff_member": False}
    main, more = _staff_links(user)
    return {"nav": main, "nav_more": more, "is_staff_member": True}


def _client_links(user: object) -> tuple[Links, Links]:
    main = [("Tickets", "/portal/"), ("New ticket", "/portal/tickets/new/"), ("Chat", "/chat/"),
            ("Plan", "/portal/plan/"), ("Help center", "/help/")]
    more = [("Account manager", "/portal/tam/"), ("Library", "/portal/library/")]
    if policy.is_client_admin(user):
        more.append(("Designated users", "/portal/designated/"))
    more += [("Releases", "/releases/"), ("Training", "/training/"), ("Events", "/events/")]
    if policy.is_client_admin(user):  # invoices go to the client's admins only (policy.visible_invoices)
        more.append(("Invoices", "/portal/invoices/"))
    return main, more


def _staff_links(user: object) -> tuple[Links, Links]:
    main: Links = []
    more: Links = []
    if policy.has_role(user, *policy.STAFF_WORKERS):
        main += [("Queue", "/console/"), ("Chats", "/chat/"), ("Mail review", "/console/review/"),
                 ("Search", "/console/search/")]
        more += [("Unmatched calls", "/phone/unmatched/"), ("Saved replies", "/console/macros/")]
    if policy.has_role(user, StaffRole.TAM):
        main.append(("TAM workspace", "/tam/"))
    if policy.has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN):
        main.append(("Dashboard", "/dashboard/"))
        more.append(("On-call rota", "/oncall/"))
    if policy.has_role(user, StaffRole.BILLING, StaffRole.MANAGER, StaffRole.SYSADMIN):
        main.append(("Billing", "/billing/"))
    main.append(("Clients", "/console/clients/"))
    more += [("Releases", "/releases/"), ("Training", "/training/"), ("Events", "/events/"),
             ("Catalogue", "/catalogue/"), ("Help center", "/help/")]
    if policy.has_role(user, StaffRole.SYSADMIN):
        more += [("Webhooks", "/webhooks/"), ("API tokens", "/tokens/"), ("Admin", "/admin/")]
    return main, more
