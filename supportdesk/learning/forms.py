"""Forms of the learning pages (staff upload/manage; searches)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django import forms
from django.utils import timezone

from supportdesk.web.forms import DateField, within_supported_years

from .actions import MAX_CAPACITY, MAX_FEE
from .models import TrainingKind


class WallClockField(forms.DateTimeField):
    """A local date-time read as typed. The view places it in the zone the form names (refusing an hour the
    clocks skip there); read in the server's zone instead, a time skipped or repeated *there* would be refused
    for an event in another zone."""

    def to_python(self, value: Any) -> Any:
        with timezone.override(UTC):  # UTC has no gaps or folds: the wall-clock value comes through unchanged
            return super().to_python(value)


class ReleaseForm(forms.Form):
    product = forms.CharField(max_length=100)
    version = forms.CharField(max_length=50)
    released_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField()


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(choices=TrainingKind.choices)
    title = forms.CharField(max_length=200)
    category = forms.CharField(max_length=100, required=False)
    summary = forms.CharField(max_length=500, required=False, help_text="Shown to everybody in the catalogue")
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="The content")
    url = forms.URLField(required=False, label="Link (video or course)", assume_scheme="https")
    published = forms.BooleanField(required=False, initial=True)


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=[("webinar", "Webinar"), ("event", "Event")])
    starts_at = WallClockField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                               help_text="Local time in the zone below", validators=[within_supported_years])
    ends_at = WallClockField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             validators=[within_supported_years])
    timezone = forms.CharField(max_length=64, initial="America/Toronto")
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY)
    fee = forms.DecimalField(min_value=0, max_value=MAX_FEE, decimal_places=2, max_digits=10, initial=0)
    currency = forms.CharField(max_length=3, initial="USD")
    location = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class EventCancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Sent to every registrant")
