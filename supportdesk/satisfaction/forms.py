from __future__ import annotations

from django import forms

from .models import MAX_COMMENT, Rating


class AnswerForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose good or bad."})
    comment = forms.CharField(required=False, max_length=MAX_COMMENT, strip=True,
                              widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT}))
