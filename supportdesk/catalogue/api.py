from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from . import queries

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
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj) -> list:  # noqa: ANN001
        return list(obj.versions.all())


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
    features: dict
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
                      summary=payload.summary)
    return Status(201, version)
