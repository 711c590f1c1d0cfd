"""Navigation for the page frame: what this person may reach."""

from __future__ import annotations

from django.http import HttpRequest

from supportdesk import policy
from supportdesk.accounts.models import StaffRole


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [("Help center", "/help/")]}
    if policy.is_client_person(user):
        nav = [("Tickets", "/portal/"), ("New ticket", "/portal/tickets/new/"), ("Chat", "/chat/"),
               ("Plan", "/portal/plan/"), ("Account manager", "/portal/tam/"), ("Library", "/portal/library/")]
        if policy.is_client_admin(user):
            nav.append(("Designated users", "/portal/designated/"))
        nav += [("Releases", "/releases/"), ("Training", "/training/"), ("Events", "/events/"),
                ("Invoices", "/portal/invoices/"), ("Help center", "/help/")]
        return {"nav": nav, "is_staff_member": False}
    nav = []
    if policy.has_role(user, *policy.STAFF_WORKERS):
        nav += [("Queue", "/console/"), ("Chats", "/chat/"), ("Mail review", "/console/review/"),
                ("Search", "/console/search/")]
    if policy.has_role(user, StaffRole.TAM):
        nav.append(("TAM workspace", "/tam/"))
    if policy.has_role(user, StaffRole.MANAGER, StaffRole.SYSADMIN):
        nav += [("Dashboard", "/dashboard/"), ("On-call rota", "/oncall/")]
    if policy.has_role(user, StaffRole.BILLING, StaffRole.MANAGER, StaffRole.SYSADMIN):
        nav.append(("Billing", "/billing/"))
    nav += [("Clients", "/console/clients/"), ("Releases", "/releases/"), ("Training", "/training/"),
            ("Events", "/events/"), ("Catalogue", "/catalogue/"), ("Help center", "/help/")]
    if policy.has_role(user, StaffRole.SYSADMIN):
        nav.append(("Admin", "/admin/"))
    return {"nav": nav, "is_staff_member": True}
