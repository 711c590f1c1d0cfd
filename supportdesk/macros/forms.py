"""The saved-reply form of the management page; the actions validate again and their refusals show in place."""

from __future__ import annotations

from django import forms

from . import placeholders
from .actions import MAX_BODY, MAX_TITLE
from .models import STATUS_CHOICES, ReplyKind

BODY_HELP = "Plain text. Placeholders filled in for the ticket: " + "; ".join(
    f"{{{{{name}}}}} {meaning}" for name, meaning in placeholders.KNOWN.items()) + "."


class SavedReplyForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, help_text="What agents pick it by, e.g. “Asking for logs”")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_BODY, label="Text",
                           help_text=BODY_HELP)
    kind = forms.ChoiceField(choices=ReplyKind.choices, initial=ReplyKind.PUBLIC)
    status = forms.ChoiceField(choices=[("", "None")] + STATUS_CHOICES, required=False,
                               label="Then set status to",
                               help_text="Offered as a checkbox when the reply is used; the agent may untick it")
    shared = forms.BooleanField(required=False, label="Shared with all staff",
                                help_text="Unticked: only you see it")

    def __init__(self, *args: object, may_share: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not may_share:  # agents write personal replies only; an edit keeps the reply's scope
            del self.fields["shared"]
