"""Manager pages of the sla context: the dashboard (attainment table, CSV, SVG charts, at-risk list,
breaches, volume by channel) and the calendar editor. Thin: reads through queries, writes through actions."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from supportdesk.errors import DomainError, NotFound
from supportdesk.policy.sla import can_edit_calendars, can_view_dashboard
from supportdesk.spreadsheet_cells import safe_cell
from supportdesk.web.views.common import attach_error

from . import actions, queries
from .calendars_store import all_settings, settings_for
from .charts import attainment_svg, client_attainment_svg, volume_svg
from .forms import CalendarForm, RuleForm, weekly_text
from .models import CalendarKind, RecomputeJob
from .objectives import rules
from .templatetags.sla_tags import viewer_zone

DASHBOARD_PAGE_SIZE = 25


def _months(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("months", 12)), 1), queries.MAX_REPORT_MONTHS)  # a page: kept in range
    except ValueError:
        return 12


def _manager(request: HttpRequest) -> None:
    if not can_view_dashboard(request.user):
        raise Http404("No such page.")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _manager(request)
    months = _months(request)
    rows = queries.attainment(request.user, months=months)
    # Every list pages (SPEC §11), each with its own page parameter so paging one keeps the others.
    rows_page = _page(request, rows, "rows_page")
    at_risk_page = _page(request, queries.at_risk(request.user), "at_risk_page")  # paged in SQL
    breaches_page = _page(request, queries.breaches(request.user, months=months), "breaches_page")  # same period
    return render(request, "sla/dashboard.html", {
        "months": months, "rows": rows_page.object_list, "rows_page": rows_page,
        "at_risk": queries.with_views(at_risk_page.object_list), "at_risk_page": at_risk_page,
        "breaches": breaches_page.object_list, "breaches_page": breaches_page,
        "volume": queries.volume_by_channel(request.user, months=months),
        # Instants in the viewer's zone (issue 3: "the viewer's zone in the UI"); months are the vendor's.
        "zone": viewer_zone(request.user), "month_zone": queries.vendor_zone(),
    })


def _page(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], param: str) -> Page:
    """One page of a dashboard list; the template's pager links keep the other query parameters."""
    return Paginator(items, DASHBOARD_PAGE_SIZE).get_page(request.GET.get(param))


@login_required
def attainment_csv(request: HttpRequest) -> HttpResponse:
    _manager(request)
    rows = queries.attainment(request.user, months=_months(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sla-attainment.csv"'
    writer = csv.writer(response)
    writer.writerow(["client", "severity", "month", "met", "breached", "total", "percent_met"])
    for row in rows:
        writer.writerow([safe_cell(row.client), row.severity, row.month, row.met, row.breached, row.total,
                         f"{row.percent:.1f}"])
    return response


@login_required
def attainment_chart(request: HttpRequest) -> HttpResponse:
    _manager(request)
    rows = queries.attainment(request.user, months=_months(request))
    return HttpResponse(attainment_svg(queries.attainment_by_month(rows)), content_type="image/svg+xml")


@login_required
def client_attainment_chart(request: HttpRequest) -> HttpResponse:
    _manager(request)
    rows = queries.attainment(request.user, months=_months(request))
    return HttpResponse(client_attainment_svg(queries.attainment_by_client(rows)), content_type="image/svg+xml")


@login_required
def volume_chart(request: HttpRequest) -> HttpResponse:
    _manager(request)
    volume = queries.volume_by_channel(request.user, months=_months(request))
    return HttpResponse(volume_svg(volume), content_type="image/svg+xml")


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    if not can_edit_calendars(request.user):
        raise Http404("No such page.")
    return render(request, "sla/calendars.html", {
        "calendars": all_settings(), "jobs": RecomputeJob.objects.all(), "rules": rules().values(),
    })


@login_required
def calendar_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if not can_edit_calendars(request.user) or kind not in CalendarKind.values:
        raise Http404("No such calendar.")
    current = settings_for(kind)
    initial = {"zone": current.zone, "hours": weekly_text(current.weekly), "holidays": current.holidays_spec,
               "custom_holidays": "\n".join(d.isoformat() for d in current.custom_holidays)}
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            weekly = form.weekly()  # None: the field was emptied, which restores the kind's default hours
            job = actions.update_calendar(request.user, kind, zone=form.cleaned_data["zone"],  # type: ignore[arg-type]
                                          weekly=weekly, hours="" if weekly is None else None,
                                          holidays=form.cleaned_data["holidays"],
                                          custom_holidays=form.custom_dates())
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return redirect(f"/sla/jobs/{job.pk}/")
    return render(request, "sla/calendar_edit.html", {"form": form, "calendar": current,
                                                      "label": CalendarKind(kind).label})


@login_required
def rule_edit(request: HttpRequest, metric: str) -> HttpResponse:
    if not can_edit_calendars(request.user):
        raise Http404("No such page.")
    current = rules().get(metric)
    if current is None:
        raise Http404("No such metric.")
    form = RuleForm(request.POST or None, initial={"pause_statuses": sorted(current.pause_statuses),
                                                   "warning_minutes": current.warning_minutes})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_metric_rule(request.user, metric, pause_statuses=form.cleaned_data["pause_statuses"],  # type: ignore[arg-type]
                                       warning_minutes=form.cleaned_data["warning_minutes"])
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return redirect("/sla/calendars/")
    return render(request, "sla/rule_edit.html", {"form": form, "metric": metric})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = queries.job_for(request.user, job_id)
    except NotFound as exc:
        raise Http404("No such job.") from exc
    return render(request, "sla/job.html", {"job": job})
