"""Forms of the TAM pages: they only parse input; the actions decide."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms

from supportdesk.accounts.models import StaffRole, User
from supportdesk.local_times import NonexistentLocalTime, wall_clock_instant
from supportdesk.web.forms import DateField, SubmittedOnce, within_supported_years

from .calls import MAX_CALL_MINUTES, MIN_CALL_MINUTES
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


class SeriesForm(SubmittedOnce, forms.Form):
    title = forms.CharField(max_length=200, initial="Case scrub call")
    cadence = forms.ChoiceField(choices=Cadence.choices)
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    local_time = forms.CharField(max_length=5, help_text="HH:MM, 24-hour, in the zone below", initial="10:00")
    zone = forms.CharField(max_length=64, help_text="IANA zone, e.g. America/Toronto (the client's by default)")
    duration_minutes = forms.IntegerField(min_value=MIN_CALL_MINUTES, max_value=MAX_CALL_MINUTES, initial=60, label="Duration (minutes)")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text="One email per line (the client's admins by default)")

    def clean_attendees(self) -> list[str]:
        return _lines(self.cleaned_data["attendees"])

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one series, one round of invitations; edited and sent again: a second."""
        data = self.cleaned_data
        return self.submission_key([data["title"], data["cadence"], data["weekday"], data["local_time"], data["zone"],
                                    data["duration_minutes"], data["attendees"]])


class MinutesForm(forms.Form):
    # The limits of what is stored (calls.record_minutes): longer text was cut there without a word.
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000)
    follow_ups = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                 help_text="One action per line: what | owner | due YYYY-MM-DD (owner and date optional)")

    def clean_follow_ups(self) -> list[dict]:
        result = []
        for line in _lines(self.cleaned_data["follow_ups"]):
            parts = [p.strip() for p in line.split("|")]
            text, owner = parts[0], parts[1] if len(parts) > 1 else ""
            if not text:  # a blank line is skipped, but a line with an owner or a date and no text was lost
                raise forms.ValidationError(f"Each follow-up needs its text before the first |: {line[:60]!r} "
                                            "has none.")
            if len(" ".join(text.split())) > 500 or len(owner) > 200:
                raise forms.ValidationError(f"A follow-up's text has at most 500 characters and its owner 200: "
                                            f"{line[:60]!r}… is longer.")
            due = self._due(parts[2]) if len(parts) > 2 and parts[2] else None
            result.append({"text": text, "owner": owner, "due_on": due})
        return result

    @staticmethod
    def _due(text: str) -> str:
        try:
            within_supported_years(date.fromisoformat(text))
        except ValueError as exc:
            raise forms.ValidationError(f"Follow-up due date {text[:40]!r} is not YYYY-MM-DD.") from exc
        return text


class VisitForm(SubmittedOnce, forms.Form):
    starts_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(max_length=300, required=False)
    purpose = forms.CharField(max_length=300, required=False)
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text="One attendee per line")

    def clean_attendees(self) -> list[str]:
        return _lines(self.cleaned_data["attendees"])

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one visit, one slot of the year; edited and sent again: a second."""
        data = self.cleaned_data
        return self.submission_key([data["starts_on"].isoformat(), data["ends_on"].isoformat(), data["location"],
                                    data["purpose"], data["attendees"]])

    def visit(self) -> dict:
        """The visit's fields as the action takes them (without the submission value)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "submission"}


class ExpenseForm(SubmittedOnce, forms.Form):
    category = forms.ChoiceField(choices=ExpenseCategory.choices)
    description = forms.CharField(max_length=200, required=False)
    amount = forms.CharField(max_length=20)
    currency = forms.CharField(max_length=3, help_text="ISO code, e.g. CAD")
    exchange_rate = forms.CharField(max_length=20, required=False,
                                    help_text="Needed when the currency is not the contract's: contract units per 1 unit")
    incurred_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(required=False, help_text="PDF, PNG or JPEG, at most 10 MB")

    def __init__(self, *args: object, billed_in: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.billed_in = billed_in  # the contract's currency, which needs no rate

    def clean(self) -> dict:
        # visits.add_expense reads a rate only for another currency; in the contract's it was dropped unread.
        data = super().clean() or {}
        spent_in = (data.get("currency") or "").strip().upper()
        if data.get("exchange_rate") and spent_in and spent_in == self.billed_in:
            self.add_error("exchange_rate", f"The expense is in {spent_in}, the contract's currency: no exchange "
                                            "rate applies; leave it empty.")
        return data

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click, a retried POST): recorded and billed once; edited and sent again: a second."""
        data = self.cleaned_data
        receipt = data.get("receipt")
        return self.submission_key([data["category"], data["description"], data["amount"], data["currency"],
                                    data["exchange_rate"], data["incurred_on"].isoformat(),
                                    [receipt] if receipt else []])


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
                start, end = (datetime.fromisoformat(g.replace(" ", "T")) for g in match.groups())
            except ValueError:
                self.add_error("windows", f"Not a valid date or time: {line!r}.")
                return data
            try:  # before placing them in the zone: at the ends of the years that overflows
                within_supported_years(start)
                within_supported_years(end)
            except forms.ValidationError as exc:
                self.add_error("windows", exc)
                return data
            try:  # a skipped hour (spring forward) is refused, a repeated one is its first occurrence
                start, end = wall_clock_instant(start, ZoneInfo(zone)), wall_clock_instant(end, ZoneInfo(zone))
            except NonexistentLocalTime as exc:
                self.add_error("windows", str(exc))
                return data
            windows.append((start, end))
        data["window_list"] = windows
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(s.value, s.label) for s in
                                         (UpgradeStatus.COMPLETED, UpgradeStatus.FAILED, UpgradeStatus.CANCELLED)])
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GuideForm(SubmittedOnce, forms.Form):
    """Write the steps (a new help-center article), or give the number of an existing article."""

    article_id = forms.IntegerField(required=False, min_value=1, label="Existing help-center article (number)",
                                    help_text="Leave empty to write the steps below")
    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Steps", required=False)
    private = forms.BooleanField(required=False, initial=True, label="Private to this client")

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one guide, one article published; edited and sent again: a second."""
        data = self.cleaned_data
        return self.submission_key([data["article_id"], data["title"], data["body"], data["private"]])


class RecordingForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    file = forms.FileField(help_text="A video (MP4, MOV, WebM, MKV, AVI), at most 500 MB")


class EscalateForm(SubmittedOnce, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)
    assign = forms.BooleanField(required=False, label="Also assign the ticket to the TAM")

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one escalation, one mail to the TAM."""
        return self.submission_key([self.cleaned_data["reason"], self.cleaned_data["assign"]])
