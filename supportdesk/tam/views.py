"""The TAM workspace pages (/tam/...): thin; forms parse, actions decide, queries read through the policy."""

from __future__ import annotations

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from supportdesk import policy
from supportdesk.accounts.actions import current_tam
from supportdesk.errors import DomainError
from supportdesk.policy import tam as tam_policy
from supportdesk.posted_ids import posted_id
from supportdesk.tickets import queries as ticket_queries
from supportdesk.web.views.common import attach_error

from . import actions, calls, ics, library, queries, upgrades, uploads, visits
from .forms import (
    AssignForm,
    EscalateForm,
    ExpenseForm,
    GuideForm,
    MinutesForm,
    OutcomeForm,
    RecordingForm,
    SeriesForm,
    UpgradeForm,
    VisitForm,
)
from .models import CallOccurrence, OccurrenceStatus, OnsiteVisit, UpgradePlan


def tam_staff(view):  # noqa: ANN001, ANN201
    """TAMs and managers; client people go to the portal; anyone else sees 404."""
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):  # noqa: ANN002, ANN003
        user = policy.signed_in(request)
        if policy.is_client_person(user):
            return redirect("/portal/")
        if not (policy.has_role(user, "tam") or tam_policy.is_tam_manager(user)):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            raise

    wrapped.__name__ = view.__name__
    return wrapped


def _done(request: HttpRequest, message: str, to: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(to)


def _refused(request: HttpRequest, form: forms_module.Form, exc: DomainError) -> int:
    """Show a refusal in place, on the form when it was the one posted, else as a message (a button);
    what is not there stays a 404. Returns the status to answer with."""
    if exc.status == 404:
        raise Http404 from exc
    if form.is_bound:
        attach_error(form, exc)
    else:
        messages.error(request, exc.message)
    return exc.status


WORKSPACE_PAGE = 10  # client cards per page


@tam_staff
def workspace(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    now = timezone.now()
    # Page the cheap client list first: a card costs queries, so only this page's cards are built.
    clients_page = Paginator(queries.workspace_clients(user, now), WORKSPACE_PAGE).get_page(request.GET.get("page"))
    return render(request, "tam/workspace.html", {
        "cards": [queries.client_card(client, now) for client in clients_page], "clients_page": clients_page,
        "now": now, "is_manager": tam_policy.is_tam_manager(user),
        "feed_url": f"/tam/feed/{actions.feed_token(user)}.ics"})


@tam_staff
@require_POST
def rotate_feed(request: HttpRequest) -> HttpResponse:
    actions.feed_token(policy.signed_in(request), rotate=True)
    return _done(request, "A new calendar feed URL was made; the old one no longer works.", "/tam/")


@tam_staff
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    client = queries.client_for(user, client_id, work=True)
    # Four forms on one page share field names (zone, attendees): each gets its own id prefix, so every label
    # and error points at its own field (ids only; the posted names are unchanged).
    forms: dict[str, forms_module.Form] = {"assign_form": AssignForm(auto_id="assign_%s"),
             "visit_form": VisitForm(auto_id="visit_%s"),
             "series_form": SeriesForm(initial={"zone": client.timezone}, auto_id="series_%s"),
             "upgrade_form": UpgradeForm(initial={"zone": client.timezone}, auto_id="upgrade_%s")}
    if request.method == "POST":
        which = request.POST.get("form")
        form: forms_module.Form = forms["assign_form"]
        try:
            if which == "assign":
                form = forms["assign_form"] = AssignForm(request.POST, auto_id="assign_%s")
                if form.is_valid():
                    actions.reassign_tam(user, client=client, tam=form.cleaned_data["tam"])
                    return _done(request, "TAM reassigned.", request.path)
            elif which == "series":
                form = forms["series_form"] = SeriesForm(request.POST, auto_id="series_%s")
                if form.is_valid():
                    data = form.cleaned_data
                    series = calls.plan_series(user, client=client, title=data["title"], cadence=data["cadence"],
                                               weekday=data["weekday"], local_time=data["local_time"],
                                               zone=data["zone"], duration_minutes=data["duration_minutes"],
                                               attendees=data["attendees"] or None,
                                               idempotency_key=form.idempotency_key()).record  # sent twice: one
                    return _done(request, "Call series planned; invitations are on their way.", f"/tam/series/{series.pk}/")
            elif which == "visit":
                form = forms["visit_form"] = visit_form = VisitForm(request.POST, auto_id="visit_%s")
                if visit_form.is_valid():
                    visit = visits.schedule_visit(user, client=client, **visit_form.visit(),
                                                  idempotency_key=visit_form.idempotency_key()).record  # sent twice: one
                    return _done(request, "Visit planned.", f"/tam/visits/{visit.pk}/")
            elif which == "upgrade":
                form = forms["upgrade_form"] = UpgradeForm(request.POST, auto_id="upgrade_%s")
                if form.is_valid():
                    data = form.cleaned_data
                    plan = upgrades.propose_upgrade(user, client=client, product=data["product"],
                                                    installed_version=data["installed_version"],
                                                    target_version=data["target_version"],
                                                    windows=data["window_list"], notes=data["notes"])
                    return _done(request, "Upgrade proposed; the client's admins were asked to confirm.",
                                 f"/tam/upgrades/{plan.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "tam/client.html", {
        "client": client, "tam": current_tam(client), "history": queries.assignment_history(client),
        "is_manager": tam_policy.is_tam_manager(user),
        "series": queries.series_qs(user).filter(client=client),
        "visits": queries.visits_qs(user).filter(client=client),
        "upgrades": queries.upgrades_qs(user).filter(client=client),
        "library": library.visible_items(user).filter(client=client),
        "installed": upgrades.installed_version(client), **forms})


@tam_staff
def series_page(request: HttpRequest, series_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    series = queries.one(queries.series_qs(user), series_id, "call series")
    queries.client_for(user, series.client_id, work=True)
    form = SeriesForm(request.POST or None, initial={
        "title": series.title, "cadence": series.cadence, "weekday": series.weekday,
        "local_time": series.local_time.isoformat("minutes"), "zone": series.zone,
        "duration_minutes": series.duration_minutes, "attendees": "\n".join(series.attendees)})
    if request.method == "POST":
        try:
            if request.POST.get("form") == "cancel":
                calls.cancel_series(user, series)
                return _done(request, "Series cancelled; cancellations were sent.", request.path)
            if form.is_valid():
                calls.update_series(user, series, **form.cleaned_data)
                return _done(request, "Series changed; updated invitations were sent.", request.path)
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "tam/series.html", {
        "series": series, "form": form,
        "occurrences": series.occurrences.order_by("starts_at")})


@tam_staff
def call_page(request: HttpRequest, occ_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    occ = queries.one(queries.occurrences_qs(user), occ_id, "call")
    queries.client_for(user, occ.series.client_id, work=True)
    form = MinutesForm(request.POST if request.POST.get("form") == "minutes" else None,
                       initial={"minutes": occ.minutes})
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "agenda":
                calls.generate_agenda(user, occ)
                return _done(request, "Agenda generated.", request.path)
            if which == "cancel":
                calls.cancel_occurrence(user, occ)
                return _done(request, "Call cancelled; cancellations were sent.", request.path)
            if which == "done":
                calls.complete_follow_up(user, queries.follow_up_for(user, posted_id(request.POST.get("follow_up"))))
                return _done(request, "Follow-up marked done.", request.path)
            if which == "minutes" and form.is_valid():
                calls.record_minutes(user, occ, minutes=form.cleaned_data["minutes"],
                                     follow_ups=form.cleaned_data["follow_ups"])
                return _done(request, "Minutes recorded.", request.path)
        except DomainError as exc:
            status = _refused(request, form, exc)
    return render(request, "tam/call.html", {"occ": occ, "form": form, "times": times_of(occ),
                                             "scheduled": occ.status == OccurrenceStatus.SCHEDULED}, status=status)


def times_of(occ: object) -> dict:
    from .schedule import in_zone

    series = occ.series  # type: ignore[attr-defined]
    return {"client": in_zone(occ.starts_at, series.zone), "client_zone": series.zone,  # type: ignore[attr-defined]
            "tam": in_zone(occ.starts_at, series.tam.timezone), "tam_zone": series.tam.timezone}  # type: ignore[attr-defined]


@tam_staff
def visit_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    visit = queries.one(queries.visits_qs(user), visit_id, "visit")
    queries.client_for(user, visit.client_id, work=True)
    billed_in = visits.contract_currency(visit.client, visit.starts_on)
    form = ExpenseForm(request.POST or None, request.FILES or None, billed_in=billed_in,
                       initial={"currency": billed_in, "incurred_on": visit.starts_on})
    if request.method == "POST":
        try:
            if request.POST.get("form") in ("completed", "cancelled"):
                visits.set_visit_status(user, visit, request.POST["form"])
                return _done(request, f"Visit {request.POST['form']}.", request.path)
            if form.is_valid():
                data = form.cleaned_data
                upload = data["receipt"]
                visits.record_expense(user, visit, category=data["category"], amount=data["amount"],
                                      currency=data["currency"], incurred_on=data["incurred_on"],
                                      description=data["description"], exchange_rate=data["exchange_rate"] or None,
                                      receipt=upload, receipt_name=upload.name if upload else "",
                                      idempotency_key=form.idempotency_key())  # sent twice: one expense, one charge
                return _done(request, "Expense recorded and handed to billing.", request.path)
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "tam/visit.html", {"visit": visit, "form": form,
                                              "expenses": queries.expenses_qs(user).filter(visit=visit)})


@tam_staff
def upgrade_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    plan = queries.one(queries.upgrades_qs(user), plan_id, "upgrade")
    queries.client_for(user, plan.client_id, work=True)
    form = OutcomeForm(request.POST if request.POST.get("form") == "outcome" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "confirm":
                upgrades.confirm_window(user, plan, window_id=posted_id(request.POST.get("window")))
                return _done(request, "Window confirmed (on the client's behalf).", request.path)
            if form.is_valid():
                upgrades.record_outcome(user, plan, **form.cleaned_data)
                return _done(request, "Outcome recorded.", request.path)
        except DomainError as exc:
            status = _refused(request, form, exc)
    return render(request, "tam/upgrade.html", {"plan": plan, "form": form}, status=status)


@login_required
@require_POST
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    try:
        ticket = ticket_queries.ticket_for(user, ticket_id)
    except DomainError as exc:
        raise Http404 from exc
    form = EscalateForm(request.POST)
    if not form.is_valid():  # a reason too long (or holding a NUL) was dropped and the ticket escalated without it
        messages.error(request, "Not escalated: the reason was refused. " + " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect(f"/console/tickets/{ticket_id}/")
    try:
        actions.escalate(user, ticket, reason=form.cleaned_data["reason"], assign=form.cleaned_data["assign"],
                         idempotency_key=form.idempotency_key())  # sent twice: one escalation, one mail
        messages.success(request, "Escalated to the TAM, who was notified by email.")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect(f"/console/tickets/{ticket_id}/")


@tam_staff
def guide_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    ticket = ticket_queries.ticket_for(user, ticket_id)
    form = GuideForm(request.POST or None, initial={"private": True})
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            library.place_guide(user, ticket, title=data["title"], body=data["body"], private=data["private"],
                                article_id=data["article_id"],
                                idempotency_key=form.idempotency_key())  # sent twice: one guide
            return _done(request, "Guide attached; the client finds it in its library.", f"/console/tickets/{ticket.pk}/")
        except DomainError as exc:
            attach_error(form, exc)
    return render(request, "tam/attach.html", {"ticket": ticket, "form": form, "what": "a step-by-step guide",
                                               "multipart": False})


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams the upload to a temporary file and stops reading once it passes the recording limit."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > library.MAX_RECORDING_BYTES:
            self.request.tam_upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


@csrf_exempt
def recording_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    # Upload handlers must be set before the body is parsed, so CSRF is checked by the inner view.
    request.upload_handlers = [LimitedUploadHandler(request)]
    return _recording_page(request, ticket_id)


@csrf_protect
@tam_staff
def _recording_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = policy.signed_in(request)
    ticket = ticket_queries.ticket_for(user, ticket_id)
    form = RecordingForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if getattr(request, "tam_upload_too_large", False):
            form.add_error("file", f"The recording is larger than the limit of "
                                   f"{library.MAX_RECORDING_BYTES // uploads.CHUNK} MB.")
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                library.attach_recording(user, ticket, chunks=upload.chunks(uploads.CHUNK), filename=upload.name,
                                         title=form.cleaned_data["title"])
                return _done(request, "Recording attached; the client finds it in its library.",
                             f"/console/tickets/{ticket.pk}/")
            except DomainError as exc:
                attach_error(form, exc)
    return render(request, "tam/attach.html", {"ticket": ticket, "form": form, "what": "a screen recording",
                                               "multipart": True}, status=422 if form.errors else 200)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The TAM's subscribable calendar: the secret in the URL is the only credential."""
    user = actions.user_for_feed(token)
    if user is None:
        raise Http404
    mine = {"client__tam_assignments__tam": user, "client__tam_assignments__end__isnull": True}
    occurrences = CallOccurrence.objects.filter(series__tam=user).select_related("series", "series__client",
                                                                                  "series__tam")
    body = ics.feed(occurrences, OnsiteVisit.objects.filter(**mine).select_related("client"),
                    UpgradePlan.objects.filter(**mine).exclude(window_starts_at=None).select_related("client"),
                    name=f"TAM calls: {user.display_name}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def receipt(request: HttpRequest, expense_id: int) -> FileResponse:
    try:
        expense = queries.one(queries.expenses_qs(policy.signed_in(request)), expense_id, "expense")
    except DomainError as exc:
        raise Http404 from exc
    if not expense.receipt:
        raise Http404
    return uploads.download(expense.receipt, expense.receipt_name or "receipt")


@login_required
def library_file(request: HttpRequest, item_id: int) -> FileResponse:
    try:
        item = library.item_for(policy.signed_in(request), item_id)
    except DomainError as exc:
        raise Http404 from exc
    if not item.file:
        raise Http404
    return uploads.download(item.file, item.filename or "recording")
