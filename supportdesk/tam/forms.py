"""Forms of the TAM pages: they only parse input; the actions decide."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from supportdesk.accounts.models import StaffRole, User

from .models import Cadence, ExpenseCategory, UpgradeStatus

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AssignForm(forms.Form):
    tam = forms.ModelChoiceField(queryset=User.objects.none(), label="New TAM")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["tam"].queryset = (User.objects.filter(role_grants__role=StaffRole.TAM, is_active=True)  # type: ignore[attr-defined]
                                       .distinct().order_by("email"))


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Case scrub call")
    cadence = forms.ChoiceField(choices=Cadence.choices)
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    local_time = forms.CharField(max_length=5, help_text="HH:MM, 24-hour, in the zone below", initial="10:00")
    zone = forms.CharField(max_length=64, help_text="IANA zone, e.g. America/Toronto (the client's by default)")
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, initial=60, label="Duration (minutes)")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text="One email per line (the client's admins by default)")

    def clean_attendees(self) -> list[str]:
        return _lines(self.cleaned_data["attendees"])


class MinutesForm(forms.Form):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    follow_ups = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                 help_text="One action per line: what | owner | due YYYY-MM-DD (owner and date optional)")

    def clean_follow_ups(self) -> list[dict]:
        result = []
        for line in _lines(self.cleaned_data["follow_ups"]):
            parts = [p.strip() for p in line.split("|")]
            result.append({"text": parts[0], "owner": parts[1] if len(parts) > 1 else "",
                           "due_on": parts[2] if len(parts) > 2 else None})
        return result


class VisitForm(forms.Form):
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(max_length=300, required=False)
    purpose = forms.CharField(max_length=300, required=False)
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text="One attendee per line")

    def clean_attendees(self) -> list[str]:
        return _lines(self.cleaned_data["attendees"])


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(choices=ExpenseCategory.choices)
    description = forms.CharField(max_length=200, required=False)
    amount = forms.CharField(max_length=20)
    currency = forms.CharField(max_length=3, help_text="ISO code, e.g. CAD")
    exchange_rate = forms.CharField(max_length=20, required=False,
                                    help_text="Needed when the currency is not the contract's: contract units per 1 unit")
    incurred_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(required=False, help_text="PDF, PNG or JPEG, at most 10 MB")


class UpgradeForm(forms.Form):
    product = forms.CharField(max_length=120)
    installed_version = forms.CharField(max_length=60)
    target_version = forms.CharField(max_length=60, help_text="The release to upgrade to")
    zone = forms.CharField(max_length=64, help_text="Zone of the window times below")
    windows = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="One window per line: YYYY-MM-DD HH:MM - YYYY-MM-DD HH:MM")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        zone = data.get("zone", "")
        if zone not in available_timezones():
            self.add_error("zone", f"Unknown time zone {zone!r}.")
            return data
        windows = []
        for line in _lines(data.get("windows", "")):
            match = re.fullmatch(r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d)\s*[-–]\s*(\d{4}-\d\d-\d\d[ T]\d\d:\d\d)", line)
            if not match:
                self.add_error("windows", f"Not a window: {line!r} (YYYY-MM-DD HH:MM - YYYY-MM-DD HH:MM).")
                return data
            try:
                start, end = (datetime.fromisoformat(g.replace(" ", "T")).replace(tzinfo=ZoneInfo(zone))
                              for g in match.groups())
            except ValueError:
                self.add_error("windows", f"Not a valid date or time: {line!r}.")
                return data
            windows.append((start, end))
        data["window_list"] = windows
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(s.value, s.label) for s in
                                         (UpgradeStatus.COMPLETED, UpgradeStatus.FAILED, UpgradeStatus.CANCELLED)])
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GuideForm(forms.Form):
    """Write the steps (a new help-center article), or give the number of an existing article."""

    article_id = forms.IntegerField(required=False, min_value=1, label="Existing help-center article (number)",
                                    help_text="Leave empty to write the steps below")
    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Steps", required=False)
    private = forms.BooleanField(required=False, initial=True, label="Private to this client")


class RecordingForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    file = forms.FileField(help_text="A video (MP4, MOV, WebM, MKV, AVI), at most 500 MB")


class EscalateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)
    assign = forms.BooleanField(required=False, label="Also assign the ticket to the TAM")
