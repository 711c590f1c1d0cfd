"""Clients, their contracts and "what was this client entitled to on date D?"."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from supportdesk import policy
from supportdesk.accounts import actions as account_actions
from supportdesk.catalogue.models import Offering
from supportdesk.contracts import actions as contract_actions
from supportdesk.contracts import queries as contract_queries
from supportdesk.contracts.entitlements import client_local_date, entitlements_for, line_periods
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import DomainError
from supportdesk.policy.billing import can_view_client_billing
from supportdesk.web.access import staff_members_only

from ..forms import ClientForm, OrderForm
from .common import attach_error


@staff_members_only
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST":
        if not policy.can_manage_clients(policy.signed_in(request)):
            raise Http404
        if form.is_valid():
            try:
                client = account_actions.create_client(
                    policy.signed_in(request), name=form.cleaned_data["name"], timezone_name=form.cleaned_data["timezone"],
                    domains=[d for d in form.cleaned_data["domains"].split(",") if d.strip()])
                return redirect(f"/console/clients/{client.pk}/")
            except DomainError as exc:
                attach_error(form, exc)
    page = Paginator(policy.visible_clients(policy.signed_in(request)), 25).get_page(request.GET.get("page"))
    return render(request, "web/console/client_list.html", {
        "page": page, "form": form, "can_create": policy.can_manage_clients(policy.signed_in(request))})


PEOPLE_PER_PAGE = 50  # a client may have hundreds of users; the page lists them a page at a time


@staff_members_only
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    try:
        client = contract_queries.client_with_contracts_for(policy.signed_in(request), client_id)
    except DomainError as exc:
        raise Http404 from exc
    asked = request.GET.get("on") or ""
    # Like the API and CLI: "today" is the client's local date, not the vendor's (a Sydney client's
    # Tuesday starts while it is still Monday in New York).
    on = _date_param(asked) or client_local_date(client, timezone.now())
    on_error = f"{asked!r} is not a date (YYYY-MM-DD); showing today." if asked and _date_param(asked) is None else ""
    form = _order_form(request.POST or None)
    if request.method == "POST":
        if not policy.can_edit_contracts(policy.signed_in(request)):
            raise Http404
        if form.is_valid():
            try:
                _record_order(request, client, form.cleaned_data)
                return redirect(f"/console/clients/{client.pk}/")
            except DomainError as exc:
                attach_error(form, exc)
    return render(request, "web/console/client_detail.html", {
        "client": client, "orders": contract_queries.orders_of(client), "on": on, "on_error": on_error,
        "entitlements": entitlements_for(client, on), "periods": line_periods(client), "form": form,
        "can_edit": policy.can_edit_contracts(policy.signed_in(request)), "tam": account_actions.current_tam(client),
        "people": Paginator(client.people.order_by("email", "id"), PEOPLE_PER_PAGE).get_page(request.GET.get("people_page")),
        # Links only to the screens this person may open (an agent would meet a refusal behind them).
        "can_designate": policy.can_manage_designations(policy.signed_in(request), client),
        "can_bill": can_view_client_billing(policy.signed_in(request), client),
    })


def _order_form(data) -> OrderForm:  # noqa: ANN001
    form = OrderForm(data)
    form.fields["offering"].choices = [("", "—")] + [  # type: ignore[attr-defined]
        (o.code, o.name) for o in Offering.objects.filter(active=True)]
    return form


def _record_order(request: HttpRequest, client, data: dict) -> None:  # noqa: ANN001
    amends = None
    if data["kind"] == "addendum":
        amends = ServiceOrder.objects.filter(client=client, number=data["amends"]).first()
    line = contract_actions.LineInput(offering=data["offering"] or "", action=data["action"],
                                      target_line=data["target_line"], user_count=data["user_count"],
                                      agreed_price=data["agreed_price"])
    contract_actions.record_order(policy.signed_in(request), client=client, number=data["number"], kind=data["kind"],
                                  signed_on=data["signed_on"], effective_from=data["effective_from"],
                                  effective_to=data["effective_to"], currency=data["currency"], amends=amends,
                                  lines=[line])


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
