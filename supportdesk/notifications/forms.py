"""The system admin's form for a webhook subscription: parsing only; create_subscription validates, as for the API."""

from __future__ import annotations

import re

from django import forms

from supportdesk.web.forms import SubmittedOnce


class SubscriptionForm(SubmittedOnce, forms.Form):
    url = forms.CharField(label="URL", max_length=1000, strip=True,
                          widget=forms.TextInput(attrs={"placeholder": "https://example.com/hooks/supportdesk",
                                                        "autocomplete": "off", "spellcheck": "false"}),
                          help_text="A public http(s) address that accepts POST.")
    topics = forms.CharField(label="Topics", required=False, max_length=4000,
                             help_text='Comma- or space-separated, e.g. "ticket.opened, ticket.*". Empty: every topic. '
                                       "Every topic is listed below the form.")
    # PasswordInput: a refused form never echoes the secret back into the page.
    secret = forms.CharField(label="Secret", required=False, max_length=1000, strip=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                             help_text="16 to 100 characters. Empty: one is generated and shown once.")

    def topic_list(self) -> list[str]:
        return [t for t in re.split(r"[\s,]+", self.cleaned_data.get("topics") or "") if t]

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click): one subscription, answered with its secret both times; edited: a second.
        The secret counts by its digest only, so the key carries nothing of it."""
        data = self.cleaned_data
        return self.submission_key([data["url"], self.topic_list(), data["secret"]])
