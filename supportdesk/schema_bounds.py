"""Number ranges declared in the OpenAPI document and enforced by the action.

Each bounded number of the API is checked in one place, the action that the API, the web forms and the CLI all call,
which refuses a value outside its range with its own error code naming the field (`contract.bad_quantity` on
`lines[0].quantity`, `sla.bad_range` on `months`, …). The request schema only declares that range, so the OpenAPI
document shows it (`minimum` / `maximum`) without pydantic refusing first with another code and message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Query
from pydantic.json_schema import JsonDict


def declared_range(low: int | Decimal, high: int | Decimal) -> JsonDict:
    """`json_schema_extra` for a number the action bounds to low..high (both included)."""

    def plain(value: int | Decimal) -> int | float:
        return value if isinstance(value, int) else float(value)

    return {"minimum": plain(low), "maximum": plain(high)}


def ranged_query(default: int, low: int, high: int) -> Any:
    """A query parameter's default, declaring the range the view checks (ninja's `Query()` takes no
    `json_schema_extra`, and an `Annotated` one is not resolved under postponed annotations)."""
    param = Query(default)
    param.json_schema_extra = {**(param.json_schema_extra or {}), **declared_range(low, high)}
    return param
