from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from supportdesk import policy
from supportdesk.errors import Forbidden, Invalid, NotFound, fields_as_sent
from supportdesk.pagination import PageNumberPagination
from supportdesk.policy.designations import designations_client

from . import actions, designations, queries
from .errors import DesignationError
from .models import Client, Designation, User

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


class DesignateIn(Schema):
    user_id: StrictInt  # strict: JSON true is refused (422), not read as user 1 (as contracts.api, sla.api)


class DesignationOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    slot: int
    start: str
    end: str | None
    created_by: str | None
    ended_by: str | None

    @staticmethod
    def resolve_email(obj: Designation) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj: Designation) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_start(obj: Designation) -> str:
        return obj.start.isoformat()

    @staticmethod
    def resolve_end(obj: Designation) -> str | None:
        return obj.end.isoformat() if obj.end else None

    @staticmethod
    def resolve_created_by(obj: Designation) -> str | None:
        return obj.created_by.email if obj.created_by else None

    @staticmethod
    def resolve_ended_by(obj: Designation) -> str | None:
        return obj.ended_by.email if obj.ended_by else None


class DesignationsOut(Schema):
    client_id: int
    limit: int
    count: int
    current: list[DesignationOut]
    history: list[DesignationOut]


def _client_user(client: Client, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, client=client).first()
    if user is None:
        raise Invalid(DesignationError.NOT_CLIENT_USER, f"User {user_id} is not a user of {client.name}.",
                      fields={"user_id": "not a user of this client"})
    return user


@router.get("/{client_id}/designations", response=DesignationsOut,
            summary="Designated users: the current ones, the limit, and the whole history")
def list_designations(request: HttpRequest, client_id: int):
    client = designations_client(policy.signed_in(request), client_id)
    current = list(designations.active_designations(client).select_related("created_by", "ended_by"))
    return {"client_id": client.pk, "limit": designations.designation_limit(client), "count": len(current),
            "current": current, "history": list(designations.designation_history(client))}


@router.get("/{client_id}/designations/history", response=list[DesignationOut],
            summary="Every designation of the client, current and ended, newest first (paged)")
@paginate(PageNumberPagination, page_size=50)
def designation_history(request: HttpRequest, client_id: int):
    client = designations_client(policy.signed_in(request), client_id)
    return designations.designation_history(client)


@router.post("/{client_id}/designations", response={201: DesignationOut}, summary="Designate a client user",
             description="Refused with `designation.limit_reached` (409) when the entitled number is reached; "
                         "the error names the limit and the current designated users.")
def designate(request: HttpRequest, client_id: int, payload: DesignateIn):
    client = designations_client(policy.signed_in(request), client_id)
    with fields_as_sent({"user": "user_id"}):
        designation = designations.designate(policy.signed_in(request), client=client,
                                             user=_client_user(client, payload.user_id))
    return Status(201, designation)


@router.post("/{client_id}/designations/{user_id}/replace", response={201: DesignationOut},
             summary="Replace a designated user by another (remove then add, atomically; history kept)",
             description="Ends `user_id`'s designation and designates the body's `user_id` in one transaction, so "
                         "at the limit no other designation takes the freed place in between. Any refusal "
                         "(`designation.not_designated`, `designation.already_designated`, "
                         "`designation.not_client_user`) changes nothing; replacing a person by themselves is "
                         "`designation.already_designated` (409).")
def replace_designation(request: HttpRequest, client_id: int, user_id: int, payload: DesignateIn):
    client = designations_client(policy.signed_in(request), client_id)
    with fields_as_sent({"user": "user_id"}):
        designation = designations.replace(policy.signed_in(request), client=client,
                                           old=_client_user(client, user_id), new=_client_user(client, payload.user_id))
    return Status(201, designation)


@router.delete("/{client_id}/designations/{user_id}", response=DesignationOut,
               summary="Remove a designation (history is kept)")
def undesignate(request: HttpRequest, client_id: int, user_id: int):
    client = designations_client(policy.signed_in(request), client_id)
    return designations.undesignate(policy.signed_in(request), client=client, user=_client_user(client, user_id))


# Integration tokens (mounted at /api/v1/tokens): system admins only; everyone else gets 404, as for webhooks.
token_router = Router()


class TokenIn(Schema):
    user: str = Field(..., max_length=254, description="The email of the active person the integration acts as")
    name: str = Field("integration", max_length=100, description="What uses it, shown beside its prefix")


class TokenOut(Schema):
    prefix: str = Field(..., description="The secret's first characters, kept in plain to tell tokens apart")
    user: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_user(obj) -> str:  # noqa: ANN001
        return obj.user.email

    @staticmethod
    def resolve_active(obj) -> bool:  # noqa: ANN001
        return obj.revoked_at is None


class TokenCreated(TokenOut):
    secret: str = Field(..., description="Shown only in this answer; only its SHA-256 is stored")


@token_router.get("", response=list[TokenOut], summary="Integration tokens (system admins)",
                  description="Every token, newest first, revoked ones included; never a secret.")
@paginate(PageNumberPagination, page_size=25)
def list_tokens(request: HttpRequest):
    return queries.visible_tokens(policy.signed_in(request))


@token_router.post("", response={201: TokenCreated}, summary="Create an integration token (system admins)",
                   description="The token acts as `user` with exactly their access. The `secret` is in this answer "
                               "only: copy it now. A deactivated person is 422 `token.inactive_user`; an unknown "
                               "email 404.")
def create_api_token(request: HttpRequest, payload: TokenIn):
    admin = policy.signed_in(request)
    person = queries.token_holder(admin, payload.user)
    issued = actions.issue_token(admin, user=person, name=payload.name)
    issued.token.secret = issued.secret  # type: ignore[attr-defined]  # this answer only: never stored
    return Status(201, issued.token)


@token_router.post("/{prefix}/revoke", response={200: TokenOut, 409: None}, summary="Revoke a token (system admins)",
                   description="Named by its listed `prefix`. Its next request is refused (401). The token stays "
                               "listed, revoked. Already revoked: 409 `token.already_revoked`. No token with that "
                               "prefix: 404. A prefix two tokens share: 422 `token.ambiguous_prefix` and neither is "
                               "revoked (revoke one with `supportdesk token revoke` and its whole secret).")
def revoke_api_token(request: HttpRequest, prefix: str):
    admin = policy.signed_in(request)
    return actions.revoke_token(admin, queries.visible_token(admin, prefix))
