from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from supportdesk.pagination import PageNumberPagination

from . import queries
from .features import MAX_DESIGNATED_USERS, MAX_ONSITE_VISITS, MAX_TARGET_MINUTES

router = Router()


class VersionOut(Schema):
    version: int
    effective_from: date
    features: dict
    includes: list[str]

    @staticmethod
    def resolve_includes(obj) -> list[str]:  # noqa: ANN001
        return [o.code for o in obj.includes.all()]


class OfferingOut(Schema):
    id: int
    code: str
    name: str
    description: str
    recurring: bool
    priced_per_user_tier: bool
    features: dict = Field(description="What the latest version grants (each version's are under `versions`)")
    includes: list[str] = Field(description="Offerings the latest version includes")
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj) -> list:  # noqa: ANN001
        return list(obj.versions.all())

    @staticmethod
    def resolve_features(obj) -> dict:  # noqa: ANN001
        versions = list(obj.versions.all())
        return versions[-1].features if versions else {}

    @staticmethod
    def resolve_includes(obj) -> list[str]:  # noqa: ANN001
        versions = list(obj.versions.all())
        return [o.code for o in versions[-1].includes.all()] if versions else []


class SeverityOut(Schema):
    level: int
    name: str
    definition: str


@router.get("/offerings", response=list[OfferingOut], summary="The catalogue with each offering's entitlements (R1)")
@paginate(PageNumberPagination, page_size=25)
def list_offerings(request: HttpRequest):
    return queries.offerings_with_versions()


@router.get("/severities", response=list[SeverityOut], summary="Severity definitions")
@paginate(PageNumberPagination, page_size=25)
def list_severities(request: HttpRequest):
    return queries.severity_levels()


class VersionIn(Schema):
    effective_from: date
    features: dict = Field(..., description="Features to change: each key given replaces the current version's value; "
                                            "keys left out keep theirs (give the whole `objectives` or `channels`). "
                                            f"`designated_user_limit` is 0 to {MAX_DESIGNATED_USERS}; "
                                            f"`onsite_visits_per_year` and `extra_onsite_visits` 0 to "
                                            f"{MAX_ONSITE_VISITS}; `event_discount_percent` 0 to 100; objective "
                                            f"minutes 1 to {MAX_TARGET_MINUTES}. A bad value is 422 "
                                            "`catalogue.bad_features` naming `features.<feature>` (an objective: "
                                            "`features.objectives.<metric>.<severity>`)")
    includes: list[str] | None = Field(None, description="Codes of the offerings this one includes; "
                                                         "left out: as in the current version")
    summary: str = ""


@router.post("/offerings/{code}/versions", response={201: VersionOut},
             summary="Publish a new version of an offering (system admin); old contracts keep theirs")
def publish_version(request: HttpRequest, code: str, payload: VersionIn):
    from supportdesk import policy
    from supportdesk.errors import Forbidden, NotFound

    from .actions import publish_version as publish
    from .models import Offering

    user = policy.signed_in(request)
    if not policy.has_role(user, "sysadmin"):
        raise Forbidden("Only system admins edit the catalogue.")
    offering = Offering.objects.filter(code=code).first()
    if offering is None:
        raise NotFound("offering")
    version = publish(user, offering=offering, features=payload.features, effective_from=payload.effective_from,
                      summary=payload.summary, includes=payload.includes)
    return Status(201, version)
