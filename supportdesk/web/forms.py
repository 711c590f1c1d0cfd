from __future__ import annotations

from django import forms

from supportdesk.catalogue.models import SeverityLevel
from supportdesk.macros.models import STATUS_CHOICES


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


class TicketForm(forms.Form):
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


class _ReplyBodyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Write a reply…"}), max_length=100_000,
                           label="Message", error_messages={"required": "Write a message before sending."})


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
    amends = forms.CharField(required=False, help_text="For an addendum: the form's number")
    signed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(max_length=3, initial="USD")
    offering = forms.ChoiceField(required=False, help_text="Line: offering to add or change")
    action = forms.ChoiceField(choices=[("add", "Add"), ("change", "Change (e.g. user count)"), ("end", "End")])
    target_line = forms.IntegerField(required=False, help_text="For change/end: the line id")
    user_count = forms.IntegerField(required=False, min_value=1)
    agreed_price = forms.DecimalField(required=False, min_value=0, decimal_places=2)
