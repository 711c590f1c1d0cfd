"""Forms of the sla pages (parsing only; the actions decide)."""

from __future__ import annotations

from datetime import date

from django import forms

from supportdesk.web.forms import within_supported_years

from .actions import MAX_WARNING_MINUTES


class CalendarForm(forms.Form):
    zone = forms.CharField(max_length=64, help_text="IANA time zone, e.g. America/Toronto")
    hours = forms.CharField(max_length=200, required=False,
                            help_text="One line per open weekday: its number (0 = Monday … 6 = Sunday), then local "
                                      "intervals, e.g. '0 08:00-12:00 13:00-17:00'. Empty: the calendar's default.",
                            widget=forms.Textarea(attrs={"rows": 7}))
    holidays = forms.CharField(max_length=20, required=False, label="Public holidays",
                               help_text="Country[-subdivision] from the holidays package, e.g. CA-ON (business hours only)")
    custom_holidays = forms.CharField(required=False, label="Extra closed dates",
                                      help_text="One YYYY-MM-DD per line", widget=forms.Textarea(attrs={"rows": 4}))

    def weekly(self) -> dict[str, list[str]] | None:
        text = self.cleaned_data.get("hours", "").strip()
        if not text:
            return None
        weekly: dict[str, list[str]] = {}
        for line in text.splitlines():
            parts = line.split()
            if not parts:
                continue
            weekly.setdefault(parts[0], []).extend(parts[1:])
        return weekly

    def clean_custom_holidays(self) -> str:
        """A date outside the years the engine computes (2 to 9998, sla.calendars) is refused here; the action
        checks the YYYY-MM-DD shape. Before, 0001-01-01 was stored as a holiday no clock could ever meet."""
        text = self.cleaned_data.get("custom_holidays", "")
        for line in text.splitlines():
            try:
                day = date.fromisoformat(line.strip())
            except ValueError:
                continue  # the action names it
            within_supported_years(day)
        return text

    def custom_dates(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("custom_holidays", "").splitlines() if line.strip()]


def weekly_text(weekly: dict[str, list[str]]) -> str:
    return "\n".join(f"{day} {' '.join(intervals)}" for day, intervals in sorted(weekly.items()))


class RuleForm(forms.Form):
    pause_statuses = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, choices=[
        ("new", "New"), ("open", "Open"), ("waiting", "Waiting on client"), ("on_hold", "On hold")])
    warning_minutes = forms.IntegerField(min_value=0, max_value=MAX_WARNING_MINUTES, label="Warning (minutes before due, calendar time)")
