"""Billing pages (thin): quotes, the price list, the monthly run (in the background, with its progress page),
each client's history, invoice documents (screen, PDF, CSV) and the client portal's invoice list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk import policy
from supportdesk.accounts.models import Client
from supportdesk.errors import DomainError
from supportdesk.policy.billing import can_manage_billing, can_quote
from supportdesk.web.access import page_for
from supportdesk.web.views.common import attach_error

from . import actions, exports, queries, runs
from .forms import ChargeForm, CreditForm, CreditNoteForm, PriceForm, QuoteForm, RunForm, TierForm
from .pricing import offering_named, parse_user_count, price_for, quote_user_count

managers_only = page_for(can_manage_billing)


@managers_only
def overview(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # In the background: a month of hundreds of clients would hold this request for many seconds.
            run = runs.start_invoice_run(user, form.cleaned_data["month"])
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return redirect(f"/billing/runs/{run.pk}/")
    page = Paginator(queries.invoices(user), 25).get_page(request.GET.get("page"))
    return render(request, "billing/overview.html", {"form": form, "page": page, "runs": queries.invoice_runs(user),
                                                     "clients": Client.objects.order_by("name")})


@managers_only
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's progress (the page polls itself while it is queued or running), then what it did."""
    user = policy.signed_in(request)
    try:
        run = queries.invoice_run_for(user, run_id)
    except DomainError as exc:
        raise Http404 from exc
    return render(request, "billing/run.html", {"run": run, "invoices": queries.run_invoices_issued(run)})


@managers_only
def client_history(request: HttpRequest, client_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        client = queries.client_for(user, client_id)
    except DomainError as exc:
        raise Http404 from exc
    charge_form = ChargeForm(request.POST if request.POST.get("form") == "charge" else None,
                             request.FILES or None, prefix="charge", billed_in=actions.billing_currency(client))
    credit_form = CreditForm(request.POST if request.POST.get("form") == "credit" else None, prefix="credit")
    if request.method == "POST" and charge_form.is_bound and charge_form.is_valid():
        data = charge_form.cleaned_data
        try:
            actions.write_charge(user, client=client, kind=data["kind"], description=data["description"],
                                 amount=data["amount"], currency=data["currency"], incurred_on=data["incurred_on"],
                                 rate=data["rate"] or None, receipt=data["receipt"],
                                 idempotency_key=charge_form.idempotency_key())  # sent twice: one charge
            return redirect(f"/billing/clients/{client.pk}/")
        except DomainError as exc:
            attach_error(charge_form, exc)
    if request.method == "POST" and credit_form.is_bound and credit_form.is_valid():
        data = credit_form.cleaned_data
        try:
            actions.write_credit(user, client=client, description=data["description"], amount=data["amount"],
                                 currency=data["currency"], idempotency_key=credit_form.idempotency_key())  # one credit
            return redirect(f"/billing/clients/{client.pk}/")
        except DomainError as exc:
            attach_error(credit_form, exc)
    return render(request, "billing/client.html", {
        "client": client, "invoices": queries.invoices(user, client_id=client.pk),
        "charges": queries.pending_charges(client), "credits": queries.pending_credits(client),
        "charge_form": charge_form, "credit_form": credit_form, "currency": actions.billing_currency(client),
    })


@login_required
def quote(request: HttpRequest) -> HttpResponse:
    if not can_quote(policy.signed_in(request)):
        raise Http404
    form = QuoteForm(request.GET or None)
    result = what_if = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            offering = offering_named(data["offering"])
            result = price_for(offering, quote_user_count(offering, data["users"]), data["currency"])
        except DomainError as exc:
            attach_error(form, exc)
        if result is not None and data["what_if"]:
            try:
                what_if = price_for(offering, parse_user_count(data["what_if"], "what_if"), data["currency"])
            except DomainError as exc:  # shown under the "what if" field, the quote above still stands
                form.add_error("what_if", exc.message)
    return render(request, "billing/quote.html", {"form": form, "quote": result, "what_if": what_if})


@managers_only
def prices(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    price_form = PriceForm(request.POST if request.POST.get("form") == "price" else None, prefix="price")
    tier_form = TierForm(request.POST if request.POST.get("form") == "tier" else None, prefix="tier")
    for form, act in ((price_form, actions.set_list_price), (tier_form, actions.set_tier_pricing)):
        if request.method == "POST" and form.is_bound and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                act(user, offering=offering_named(data.pop("offering")), **data)
                return redirect("/billing/prices/")
            except DomainError as exc:
                attach_error(form, exc)
    entries, tiers = queries.price_list()
    return render(request, "billing/prices.html", {"entries": entries, "tiers": tiers, "price_form": price_form,
                                                   "tier_form": tier_form})


def _visible_invoice(request: HttpRequest, invoice_id: int) -> Any:
    try:
        return queries.invoice_for(policy.signed_in(request), invoice_id)
    except DomainError as exc:
        raise Http404 from exc


@login_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _visible_invoice(request, invoice_id)
    user = policy.signed_in(request)
    manage = can_manage_billing(user)
    form = CreditNoteForm(request.POST or None) if manage else None
    if manage and request.method == "POST":
        try:
            if request.POST.get("action") == "paid":
                actions.mark_paid(user, invoice)
                return redirect(request.path)
            if form is not None and form.is_valid():
                actions.write_credit_note(user, invoice, amount=form.cleaned_data["amount"],
                                          reason=form.cleaned_data["reason"],
                                          idempotency_key=form.idempotency_key())  # sent twice: one credit note
                return redirect(request.path)
        except DomainError as exc:
            if form is not None:
                attach_error(form, exc)
    base = "/portal/invoices" if policy.is_client_person(user) else "/billing/invoices"
    return render(request, "billing/invoice_detail.html", {
        **exports.invoice_context(invoice), "form": form, "manage": manage, "base": base, "for_print": False})


@login_required
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _visible_invoice(request, invoice_id)
    response = HttpResponse(exports.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.pdf"'
    return response


@login_required
def invoice_csv(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _visible_invoice(request, invoice_id)
    response = HttpResponse(exports.invoice_csv(invoice), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.csv"'
    return response


@login_required
def receipt(request: HttpRequest, charge_id: int) -> FileResponse:
    try:
        charge = queries.charge_for(policy.signed_in(request), charge_id)
    except DomainError as exc:
        raise Http404 from exc
    return FileResponse(charge.receipt.open("rb"), as_attachment=True, filename=(charge.receipt.name or "receipt").split("/")[-1])


@login_required
def portal_invoices(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if not policy.is_client_person(user):
        return redirect("/billing/")
    page = Paginator(queries.invoices(user), 25).get_page(request.GET.get("page"))
    return render(request, "billing/portal_invoices.html", {"page": page, "is_admin": policy.is_client_admin(user)})
