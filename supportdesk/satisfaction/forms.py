from __future__ import annotations

from django import forms

from .models import MAX_COMMENT, Rating


class AnswerForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose good or bad."})
    # The action checks the length after turning the browser's CRLF line ends into one character each, as the
    # browser's maxlength counts them; a form max_length would count two and refuse a box the browser allowed.
    comment = forms.CharField(required=False, strip=True,
                              widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT}))
