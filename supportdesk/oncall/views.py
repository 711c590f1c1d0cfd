"""The rota page for managers (/oncall/): the weekly pattern, overrides, who is on call now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from supportdesk import policy
from supportdesk.errors import DomainError
from supportdesk.local_times import NonexistentLocalTime, WallClockField, wall_clock_instant
from supportdesk.policy.oncall import can_edit_rota
from supportdesk.tickets.actions import staff_workers
from supportdesk.web.forms import within_supported_years
from supportdesk.web.views.common import attach_error

from . import actions, queries
from .hours import in_business_hours
from .models import Weekday


def _staff_choices() -> list[tuple[int, str]]:
    return [(u.pk, f"{u.display_name} ({u.timezone})") for u in staff_workers()]


class ShiftForm(forms.Form):
    staff = forms.TypedChoiceField(coerce=int)
    weekday = forms.TypedChoiceField(coerce=int, choices=Weekday.choices)
    start = forms.TimeField(help_text="Wall-clock time in the staff member's zone")
    end = forms.TimeField(help_text="At or before the start: runs past midnight (equal: 24 hours)")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["staff"].choices = _staff_choices()  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    staff = forms.TypedChoiceField(coerce=int)
    # Wall-clock times read as typed, then placed in the form's zone by instant(): read by Django in the active
    # zone (the manager's own), a London override typed by a Toronto manager was four or five hours off.
    start = WallClockField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                           validators=[within_supported_years])
    end = WallClockField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                         validators=[within_supported_years])
    zone = forms.CharField(initial="America/Toronto", help_text="Zone of the start and end times")
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["staff"].choices = _staff_choices()  # type: ignore[attr-defined]

    def instant(self, name: str) -> datetime:
        try:
            zone = ZoneInfo(self.cleaned_data["zone"])
        except (KeyError, ValueError, OSError) as exc:  # OSError: a folder such as "America"
            raise DomainError("oncall.bad_zone", f"Unknown time zone {self.cleaned_data.get('zone')!r}.",
                              fields={"zone": "unknown zone"}, status=422) from exc
        try:  # a skipped hour (spring forward) is refused; a repeated one (fall back) is its first occurrence
            return wall_clock_instant(self.cleaned_data[name], zone)
        except NonexistentLocalTime as exc:
            raise DomainError("oncall.bad_time", str(exc), fields={name: "skipped by DST"}, status=422) from exc


@login_required
def rota(request: HttpRequest) -> HttpResponse:
    user = policy.signed_in(request)
    if not can_edit_rota(user):
        raise Http404
    shift_form, override_form = ShiftForm(prefix="shift"), OverrideForm(prefix="ovr")
    if request.method == "POST":
        try:
            if "remove_shift" in request.POST:
                actions.remove_shift(user, int(request.POST["remove_shift"]))
                return redirect("/oncall/")
            if "remove_override" in request.POST:
                actions.remove_override(user, int(request.POST["remove_override"]))
                return redirect("/oncall/")
        except (DomainError, ValueError) as exc:
            raise Http404 from exc
        if "shift-staff" in request.POST:
            shift_form = ShiftForm(request.POST, prefix="shift")
            if shift_form.is_valid():
                try:
                    actions.add_shift(user, **shift_form.cleaned_data)
                    return redirect("/oncall/")
                except DomainError as exc:
                    attach_error(shift_form, exc)
        else:
            override_form = OverrideForm(request.POST, prefix="ovr")
            if override_form.is_valid():
                try:
                    actions.add_override(user, staff=override_form.cleaned_data["staff"],
                                         start=override_form.instant("start"), end=override_form.instant("end"),
                                         note=override_form.cleaned_data["note"])
                    return redirect("/oncall/")
                except DomainError as exc:
                    attach_error(override_form, exc)
    now = timezone.now()
    return render(request, "oncall/rota.html", {
        "shifts": queries.shifts(user), "overrides": queries.overrides(user), "on_call": queries.on_call(user, now),
        "in_hours": in_business_hours(now), "shift_form": shift_form, "override_form": override_form,
    })
