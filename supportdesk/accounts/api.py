from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from supportdesk import policy
from supportdesk.errors import Forbidden, NotFound

from . import actions
from .models import Client, User

router = Router()


class ClientIn(Schema):
    name: str = Field(..., max_length=200)
    timezone: str = "America/Toronto"
    domains: list[str] = []
    phones: list[str] = []


class ClientOut(Schema):
    id: int
    name: str
    slug: str
    timezone: str
    domains: list[str]
    tam: str | None

    @staticmethod
    def resolve_domains(obj) -> list[str]:  # noqa: ANN001
        return [d.domain for d in obj.domains.all()]

    @staticmethod
    def resolve_tam(obj) -> str | None:  # noqa: ANN001
        tam = actions.current_tam(obj)
        return tam.email if tam else None


class PersonIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = ""
    client_role: str = Field("client_user", pattern="^(client_admin|client_user)$")


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    client_id: int | None
    client_role: str


def client_for(user: User, client_id: int) -> Client:
    client = policy.visible_clients(user).filter(pk=client_id).first()
    if client is None:
        raise NotFound("client")
    return client


@router.get("/", response=list[ClientOut], summary="Clients you may see")
@paginate(PageNumberPagination, page_size=25)
def list_clients(request: HttpRequest):
    return policy.visible_clients(policy.signed_in(request)).prefetch_related("domains")


@router.post("/", response={201: ClientOut}, summary="Create a client")
def create_client(request: HttpRequest, payload: ClientIn):
    if not policy.can_manage_clients(policy.signed_in(request)):
        raise Forbidden("Only managers, billing and system admins create clients.")
    client = actions.create_client(policy.signed_in(request), name=payload.name, timezone_name=payload.timezone,
                                   domains=payload.domains, phones=payload.phones)
    return Status(201, client)


@router.get("/{client_id}", response=ClientOut)
def get_client(request: HttpRequest, client_id: int):
    return client_for(policy.signed_in(request), client_id)


@router.get("/{client_id}/people", response=list[PersonOut])
@paginate(PageNumberPagination, page_size=50)
def list_people(request: HttpRequest, client_id: int):
    client = client_for(policy.signed_in(request), client_id)
    if not (policy.is_staff_member(policy.signed_in(request)) or policy.is_client_admin(policy.signed_in(request))):
        raise NotFound("client")
    return client.people.order_by("email")


@router.post("/{client_id}/people", response={201: PersonOut}, summary="Add a person to a client")
def add_person(request: HttpRequest, client_id: int, payload: PersonIn):
    client = client_for(policy.signed_in(request), client_id)
    if not (policy.can_manage_clients(policy.signed_in(request)) or
            (policy.is_client_admin(policy.signed_in(request)) and policy.signed_in(request).client_id == client.pk)):
        raise Forbidden("Only the client's admin or vendor managers add people.")
    person = actions.create_person(policy.signed_in(request), email=payload.email, full_name=payload.full_name, client=client,
                                   client_role=payload.client_role, timezone_name=client.timezone)
    return Status(201, person)
