"""The list prices shipped with the product (plain data: the seeding migration reads it; a billing
admin edits the result by adding entries with a later effective date).

Defaults chosen where the spec is silent (documented in docs/billing.md): flat monthly list prices for
Maintenance, TAM and Premium; the 24/7 Support tier rule of SPEC R14 (tiers of 10 users, +100 per
further tier, no automatic price above 100 users) on a base MRC per currency.
"""

from datetime import date
from decimal import Decimal

EFFECTIVE_FROM = date(2020, 1, 1)

LIST_PRICES: dict[str, dict[str, Decimal]] = {
    "maintenance": {"USD": Decimal("400.00"), "CAD": Decimal("550.00"), "EUR": Decimal("370.00"),
                    "GBP": Decimal("320.00")},
    "tam": {"USD": Decimal("1000.00"), "CAD": Decimal("1350.00"), "EUR": Decimal("920.00"),
            "GBP": Decimal("790.00")},
    "premium": {"USD": Decimal("1500.00"), "CAD": Decimal("2050.00"), "EUR": Decimal("1380.00"),
                "GBP": Decimal("1190.00")},
}

TIER_OFFERING = "support-24x7"
TIER_SIZE = 10
TIER_STEP = Decimal("100.00")
TIER_CAP = 100
TIER_BASE_MRC: dict[str, Decimal] = {"USD": Decimal("500.00"), "CAD": Decimal("680.00"),
                                     "EUR": Decimal("460.00"), "GBP": Decimal("395.00")}
