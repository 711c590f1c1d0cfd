"""REST endpoints of the satisfaction context (mounted at /api/v1/satisfaction): the CSAT report for managers.
Surveys are answered on the public page (/satisfaction/<token>/), not through the API."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from supportdesk import policy

from . import queries

router = Router()


class CsatOut(Schema):
    month: str  # YYYY-MM; "" on a total over the period
    good: int
    bad: int
    answered: int
    percent: float | None  # good / answered x 100, one decimal; null when nothing was answered


class ClientCsatOut(Schema):
    client_id: int
    client: str
    total: CsatOut
    months: list[CsatOut]


class CsatSummaryOut(Schema):
    months: int
    since: datetime
    total: CsatOut
    by_month: list[CsatOut]
    by_client: list[ClientCsatOut]


@router.get("/summary", response=CsatSummaryOut, summary="Customer satisfaction per month, overall and per client",
            description="Good answers as a percentage of the answered surveys, by the month (vendor's zone) they "
                        "were answered in: the current month and the `months - 1` before it. Managers and "
                        "system admins (who see the SLA dashboard); anyone else gets 404.")
def summary(request: HttpRequest, months: int = Query(6, ge=1, le=queries.MAX_MONTHS, description="Months")):
    return queries.csat_summary(policy.signed_in(request), months=months)  # serialised by CsatSummaryOut
