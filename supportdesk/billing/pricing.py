"""Prices: the list price of an offering, the 24/7 Support user-tier rule (SPEC R14), and quotes.

`price_for(offering, users, currency, on)` answers a `Quote` that says which tier applies, the base,
the step and the resulting MRC, and why. Above the tier rule's cap there is no automatic price: it
refuses with `billing.custom_price_required` (an order line then needs a manager-approved agreed price).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies

from supportdesk.accounts.models import StaffRole
from supportdesk.catalogue.models import Offering
from supportdesk.errors import Invalid
from supportdesk.local_times import vendor_today

from .errors import BillingError
from .models import PriceListEntry, TierPricing

MAX_USERS = 1_000_000  # anything above is absurd input, not a custom-pricing case
MAX_AMOUNT = Decimal("9999999999.99")
_WHOLE_NUMBER = re.compile(r"^\+?\d{1,12}$")


@dataclass(frozen=True)
class Quote:
    offering_code: str
    offering_name: str
    currency: str
    on: date
    users: int | None
    per_user_tier: bool
    mrc: Decimal
    base: Decimal
    step: Decimal = Decimal("0")
    tier_size: int = 0
    cap: int = 0
    tier: int = 0  # 1-based tier number
    tier_from: int = 0
    tier_to: int = 0
    steps_added: int = 0

    @property
    def tier_label(self) -> str:
        return f"{self.tier_from}–{self.tier_to} users" if self.per_user_tier else "flat monthly price"

    @property
    def explanation(self) -> str:
        if not self.per_user_tier:
            return f"{self.offering_name} has a flat list price of {self.base} {self.currency} a month."
        if self.steps_added == 0:
            return (f"{self.users} users fall in tier {self.tier} ({self.tier_label}): the base MRC "
                    f"{self.base} {self.currency} covers 1–{self.tier_size} users.")
        return (f"{self.users} users fall in tier {self.tier} ({self.tier_label}): base {self.base} + "
                f"{self.steps_added} further tier(s) of {self.tier_size} users x {self.step} = {self.mrc} {self.currency}.")

    def to_json(self) -> dict[str, Any]:
        return {
            "offering": self.offering_code, "offering_name": self.offering_name, "currency": self.currency,
            "on": self.on.isoformat(), "users": self.users, "per_user_tier": self.per_user_tier,
            "tier": self.tier or None, "tier_label": self.tier_label, "tier_size": self.tier_size or None,
            "cap": self.cap or None, "base": str(self.base), "step": str(self.step),
            "steps_added": self.steps_added, "mrc": str(self.mrc), "explanation": self.explanation,
        }


def offering_named(code_or_name: str) -> Offering:
    value = (code_or_name or "").strip()
    offering = (Offering.objects.filter(code=value).first() or Offering.objects.filter(name__iexact=value).first()
                if value else None)
    if offering is None:
        known = ", ".join(f"{o.name} ({o.code})" for o in Offering.objects.all())
        raise Invalid(BillingError.UNKNOWN_OFFERING, f"Unknown offering {code_or_name!r}. Known: {known}.",
                      fields={"offering": "unknown offering"})
    return offering


def parse_currency(value: object, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or code not in list_currencies():
        raise Invalid(BillingError.UNKNOWN_CURRENCY, f"Unknown currency {value!r}: give an ISO 4217 code like USD.",
                      fields={field: "unknown currency"})
    return code


def parse_user_count(value: object, field: str = "users") -> int:
    """A whole number of users from 1 to MAX_USERS; strings are accepted only as plain digits."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        number = int(value.strip())
    else:
        number = None
    if number is None or number < 1 or number > MAX_USERS:
        raise Invalid(BillingError.BAD_USER_COUNT,
                      f"The number of users must be a whole number from 1 to {MAX_USERS:,} (got {value!r}).",
                      fields={field: "whole number >= 1"})
    return number


def quote_user_count(offering: Offering, value: object, field: str = "users") -> int | None:
    """The user count a quote is for: required for a per-user-tier offering, optional for a flat-priced one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if offering.priced_per_user_tier:
            raise Invalid(BillingError.BAD_USER_COUNT,
                          f"{offering.name} is priced by the number of users: give the number of users.",
                          fields={field: "required for this offering"})
        return None
    return parse_user_count(value, field)


def parse_amount(value: object, field: str = "amount", *, allow_zero: bool = True) -> Decimal:
    """A finite amount >= 0 (or > 0) with at most two decimals."""
    try:
        amount = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        amount = Decimal("NaN")
    bad = (not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT
           or amount != amount.quantize(Decimal("0.01")))
    if bad:
        floor = ">= 0" if allow_zero else "> 0"
        raise Invalid(BillingError.BAD_AMOUNT,
                      f"The {field.replace('_', ' ')} must be a number {floor} with at most 2 decimals (got {value!r}).",
                      fields={field: f"amount {floor}"})
    return amount.quantize(Decimal("0.01"))


def tier_rule(offering: Offering, currency: str, on: date) -> TierPricing | None:
    return (TierPricing.objects.filter(offering=offering, currency=currency, effective_from__lte=on)
            .order_by("-effective_from").first())


def list_price(offering: Offering, currency: str, on: date) -> PriceListEntry | None:
    return (PriceListEntry.objects.filter(offering=offering, currency=currency, effective_from__lte=on)
            .order_by("-effective_from").first())


def custom_pricing_message(offering: Offering, users: int, cap: int) -> str:
    return (f"Custom pricing is required: {offering.name} for {users} users is over the {cap}-user cap, so there is "
            f"no automatic price; the order line needs a custom MRC (agreed price) approved by a manager.")


def price_for(offering: Offering, users: int | None, currency: str, on: date | None = None) -> Quote:
    """The automatic MRC of an offering for a user count in a currency on a date."""
    on = on or vendor_today()
    currency = parse_currency(currency)
    if offering.priced_per_user_tier:
        return _tier_quote(offering, users, currency, on)
    entry = list_price(offering, currency, on)
    if entry is None:
        raise Invalid(BillingError.NO_LIST_PRICE,
                      f"{offering.name} has no list price in {currency} on {on}; a billing admin can add one.",
                      fields={"currency": "no list price"})
    return Quote(offering.code, offering.name, currency, on, users, False, entry.monthly_price, entry.monthly_price)


def _tier_quote(offering: Offering, users: int | None, currency: str, on: date) -> Quote:
    rule = tier_rule(offering, currency, on)
    if rule is None:
        raise Invalid(BillingError.NO_LIST_PRICE,
                      f"{offering.name} has no tier pricing in {currency} on {on}; a billing admin can add one.",
                      fields={"currency": "no tier pricing"})
    count = parse_user_count(users if users is not None else 1)
    if count > rule.cap:
        raise Invalid(BillingError.CUSTOM_PRICE_REQUIRED, custom_pricing_message(offering, count, rule.cap),
                      fields={"users": f"over the {rule.cap}-user cap"},
                      details={"cap": rule.cap, "users": count})
    tier = math.ceil(count / rule.tier_size)
    mrc = rule.base_mrc + rule.step * (tier - 1)
    return Quote(offering.code, offering.name, currency, on, count, True, mrc, rule.base_mrc, rule.step,
                 rule.tier_size, rule.cap, tier, (tier - 1) * rule.tier_size + 1, min(tier * rule.tier_size, rule.cap),
                 tier - 1)


def needs_custom_price(offering: Offering, users: int | None, currency: str, on: date) -> int | None:
    """The cap when this user count is over it (so no automatic price exists), else None."""
    if not offering.priced_per_user_tier or users is None:
        return None
    rule = tier_rule(offering, currency, on) or TierPricing.objects.filter(offering=offering).order_by(
        "-effective_from").first()
    if rule is None or users <= rule.cap:
        return None
    return rule.cap


def require_approved_custom_price(actor: Any, *, offering: Offering, users: int | None,
                                  agreed_price: Decimal | None, currency: str, on: date, field: str) -> None:
    """Contracts call this for each order line: a per-user-tier line over the cap needs an agreed price
    given by a manager (who becomes the line's price_approved_by)."""
    from supportdesk.contracts.errors import ContractError
    from supportdesk.policy import has_role

    cap = needs_custom_price(offering, users, currency.upper(), on)
    if cap is None:
        return
    assert users is not None
    if agreed_price is None:
        raise Invalid(ContractError.CUSTOM_PRICE_REQUIRED, f"{field}: " + custom_pricing_message(offering, users, cap),
                      fields={f"{field}.agreed_price": "custom MRC required"})
    if actor is None or not has_role(actor, StaffRole.MANAGER):
        raise Invalid(ContractError.CUSTOM_PRICE_REQUIRED,
                      f"{field}: custom pricing is required for {users} users (over the {cap}-user cap) and the custom "
                      f"MRC must be approved by a manager; you do not hold the manager role.",
                      fields={f"{field}.agreed_price": "needs a manager's approval"})
