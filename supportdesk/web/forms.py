from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File

from supportdesk.billing.pricing import MAX_AMOUNT
from supportdesk.catalogue.models import SeverityLevel
from supportdesk.contracts.actions import MAX_USER_COUNT
from supportdesk.macros.models import STATUS_CHOICES
from supportdesk.supported_years import FIRST_YEAR, LAST_YEAR


def within_supported_years(value: date | datetime) -> None:
    """A form field validator: refuse a date or date-time outside FIRST_YEAR..LAST_YEAR, naming it."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        # As typed: a wall-clock field may hand over its value marked UTC, which the person never wrote.
        shown = value.replace(tzinfo=None).isoformat(" ", "minutes") if isinstance(value, datetime) else value.isoformat()
        raise ValidationError(f"{shown} is outside the years {FIRST_YEAR} to {LAST_YEAR}; check the year.",
                              code="out_of_range")


class DateField(forms.DateField):
    """A typed date within the supported years (every date field of the web forms)."""

    default_validators = [within_supported_years]


# The largest number a form may send to an integer column: PostgreSQL's `integer` (SQLite would store more, so
# the same value was kept on one database and a 422 without a form on the other).
MAX_INTEGER = 2_147_483_647


def severity_choices() -> list[tuple[int, str]]:
    return [(s.level, f"{s.level} – {s.name}: {s.definition}") for s in SeverityLevel.objects.all()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the limits are checked by tickets.attachments."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    from supportdesk.tickets.attachments import MAX_ATTACHMENT_BYTES, MAX_FILES_PER_MESSAGE

    return MultipleFileField(required=False, label="Attachments",
                             help_text=f"Optional: up to {MAX_FILES_PER_MESSAGE} files, "
                                       f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB each (logs, screenshots, exports).")


class SubmittedOnce(forms.Form):
    """A form that is acted on once however often it is sent (a double click, a retried POST, back and send).

    Each rendered form carries one random `submission` value; with a digest of what it sends, that value is the
    action's idempotency key, so the same form sent again returns the first result, and the form edited and sent
    again (other text or files) is new work, not a refusal for reusing the key. The field is not a person's input:
    a tampered value only turns the guard off (a plain Field: a CharField's errors on a hidden input would refuse
    the form without a message anyone could see)."""

    submission = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex

    def clean_submission(self) -> str:
        value = self.cleaned_data.get("submission")
        return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}", value) else ""

    def submission_key(self, sent: list[object]) -> str | None:
        """The key for this submission of `sent` (values, lists of values; uploaded files count by name and size)."""
        if not self.cleaned_data.get("submission"):
            return None
        values = [[(f.name, f.size) if isinstance(f, File) else f for f in value] if isinstance(value, list) else value
                  for value in sent]
        digest = hashlib.sha256(json.dumps(values, ensure_ascii=False, default=str).encode()).hexdigest()[:32]
        return f"web:{self.cleaned_data['submission']}:{digest}"


class TicketForm(SubmittedOnce, forms.Form):
    subject = forms.CharField(max_length=200, help_text="One line: what is wrong, e.g. “Calendar sync fails for all users”",
                              error_messages={"required": "Give the ticket a subject (one line)."})
    severity = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, initial=3,
                                      error_messages={"required": "Choose the severity that matches the impact."})
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000, label="Description",
                           help_text="What happened, what you expected, since when, and who is affected.",
                           error_messages={"required": "Describe the problem so we can start working on it."})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["severity"].choices = severity_choices()  # type: ignore[attr-defined]
        self.fields["attachments"] = attachments_field()

    def idempotency_key(self) -> str | None:
        data = self.cleaned_data
        return self.submission_key([data["subject"], data["body"], data["severity"], data["attachments"]])


class _ReplyBodyForm(SubmittedOnce, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Write a reply…"}), max_length=100_000,
                           label="Message", error_messages={"required": "Write a message before sending."})

    def idempotency_key(self) -> str | None:
        data = self.cleaned_data
        return self.submission_key([data["body"], data.get("kind", "public"), data.get("attachments", [])])


class MessageForm(_ReplyBodyForm):
    kind = forms.ChoiceField(choices=[("public", "Public reply"), ("internal", "Internal note"),
                                      ("call", "Logged call")], initial="public", widget=forms.RadioSelect)
    # A saved reply's "then set status to …" checkbox (macros/): rendered only when a reply offers one.
    then_status = forms.ChoiceField(choices=[("", "")] + STATUS_CHOICES, required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, label="Merge into ticket #",
                              widget=forms.NumberInput(attrs={"list": "merge-candidates"}),
                              help_text="Another open ticket of this client; this one is closed as its duplicate")
    tell_requester = forms.BooleanField(required=False, initial=True,
                                        label="Tell the requester where the work continues (public reply)")


class PortalReplyForm(_ReplyBodyForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["attachments"] = attachments_field()


class TicketFieldsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(required=False)
    # The seed's definitions (catalogue.SeverityLevel), as on the portal's form: shown wherever a severity is chosen.
    severity = forms.TypedChoiceField(coerce=int, required=False, choices=severity_choices)
    assignee = forms.ChoiceField(required=False)


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    timezone = forms.CharField(max_length=64, initial="America/Toronto")
    domains = forms.CharField(required=False, help_text="Mail domains, comma separated")


class OrderForm(forms.Form):
    number = forms.CharField(max_length=40)
    kind = forms.ChoiceField(choices=[("form", "Service Order Form"), ("addendum", "Service Order Addendum")])
    amends = forms.CharField(required=False, max_length=40, help_text="For an addendum: the form's number")
    signed_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_from = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(max_length=3, initial="USD")
    offering = forms.ChoiceField(required=False, help_text="Line: offering to add or change")
    action = forms.ChoiceField(choices=[("add", "Add"), ("change", "Change (e.g. user count)"), ("end", "End")])
    target_line = forms.IntegerField(required=False, min_value=1, max_value=MAX_INTEGER,
                                     help_text="For change/end: the line id")
    # The order line's bounds (contracts.actions, as the API declares them), said on the field.
    user_count = forms.IntegerField(required=False, min_value=1, max_value=MAX_USER_COUNT)
    agreed_price = forms.DecimalField(required=False, min_value=0, max_value=MAX_AMOUNT, decimal_places=2)

    def clean(self) -> dict:
        # A value the chosen kind or action does not use was dropped without a word: say so instead.
        data = super().clean() or {}
        if data.get("kind") == "form" and data.get("amends"):
            self.add_error("amends", "Only an addendum amends a form: choose “Service Order Addendum” or leave this "
                                     "empty.")
        if data.get("kind") == "addendum" and not data.get("amends") and "amends" not in self.errors:
            self.add_error("amends", "An addendum amends a form: give that form's number.")
        if data.get("action") == "add" and data.get("target_line") is not None:
            self.add_error("target_line", "A line is named only to change or end it: leave this empty to add one.")
        return data
