"""Billing forms: plain fields; the actions do the real validation (errors shown in place)."""

from __future__ import annotations

from django import forms

from supportdesk.catalogue.models import Offering
from supportdesk.errors import Invalid
from supportdesk.web.forms import DateField, SubmittedOnce

from .models import ChargeKind
from .pricing import MAX_USERS, offering_named


def _offerings() -> list[tuple[str, str]]:
    return [(o.code, o.name) for o in Offering.objects.filter(active=True)]


class OfferingChoiceField(forms.ChoiceField):
    """A select of offering codes that also understands an offering's name in any case ("24/7 Support"),
    as the quote API and `supportdesk quote --offering "24/7 Support"` do, so a shared link works."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value).strip()
        try:
            return offering_named(text).code  # code first, then the name in any case
        except Invalid:
            return text  # the choice check then says it is not one of them


# What the pricing says of a bad count, for one too long to be read at all (the length bounds the echo of it).
_USER_COUNT = f"The number of users must be a whole number from 1 to {MAX_USERS:,}."


class QuoteForm(forms.Form):
    offering = OfferingChoiceField(choices=_offerings)
    users = forms.CharField(max_length=20, required=False, error_messages={"max_length": _USER_COUNT},
                            help_text="Number of the client's users (required for 24/7 Support, priced by tier)")
    # Optional like the API's and the CLI's: a quote without one is in USD.
    currency = forms.CharField(max_length=3, initial="USD", required=False)
    what_if = forms.CharField(max_length=20, required=False, label="What if (another user count)",
                              error_messages={"max_length": _USER_COUNT})

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper() or "USD"


class RunForm(forms.Form):
    month = forms.CharField(max_length=7, help_text="YYYY-MM")


class ChargeForm(SubmittedOnce, forms.Form):
    kind = forms.ChoiceField(choices=ChargeKind.choices)
    description = forms.CharField(max_length=200)
    amount = forms.CharField(max_length=20)
    currency = forms.CharField(max_length=3, initial="USD")
    rate = forms.CharField(max_length=20, required=False, help_text="Exchange rate when the expense is in another currency")
    incurred_on = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(required=False)

    def __init__(self, *args: object, billed_in: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.billed_in = billed_in  # the client's billing currency (None: no order form yet, billed as spent)

    def clean(self) -> dict:
        # A rate is used only for an amount in another currency; in the billing currency it was dropped unread.
        data = super().clean() or {}
        spent_in = (data.get("currency") or "").strip().upper()
        if data.get("rate") and spent_in and spent_in == (self.billed_in or spent_in):
            self.add_error("rate", f"The charge is in {spent_in}, the client's billing currency: no exchange rate "
                                   "applies; leave it empty.")
        return data

    def idempotency_key(self) -> str | None:
        data = self.cleaned_data
        return self.submission_key([data["kind"], data["description"], data["amount"], data["currency"], data["rate"],
                                    data["incurred_on"].isoformat(), [data["receipt"]] if data["receipt"] else []])


class CreditForm(SubmittedOnce, forms.Form):
    description = forms.CharField(max_length=200)
    amount = forms.CharField(max_length=20)
    currency = forms.CharField(max_length=3, initial="USD")

    def idempotency_key(self) -> str | None:
        data = self.cleaned_data
        return self.submission_key([data["description"], data["amount"], data["currency"]])


class CreditNoteForm(SubmittedOnce, forms.Form):
    amount = forms.CharField(max_length=20)
    reason = forms.CharField(max_length=200)

    def idempotency_key(self) -> str | None:
        """Sent twice (a double click, Back and send): one credit note; edited and sent again: a second one."""
        return self.submission_key([self.cleaned_data["amount"], self.cleaned_data["reason"]])


class PriceForm(forms.Form):
    offering = forms.ChoiceField(choices=_offerings)
    currency = forms.CharField(max_length=3, initial="USD")
    effective_from = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    monthly_price = forms.CharField(max_length=20)


class TierForm(forms.Form):
    offering = forms.ChoiceField(choices=_offerings)
    currency = forms.CharField(max_length=3, initial="USD")
    effective_from = DateField(widget=forms.DateInput(attrs={"type": "date"}))
    tier_size = forms.CharField(max_length=10, initial="10")
    step = forms.CharField(max_length=20, initial="100.00")
    cap = forms.CharField(max_length=10, initial="100")
    base_mrc = forms.CharField(max_length=20)
