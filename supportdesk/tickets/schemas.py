from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import AliasChoices, BaseModel, Field, TypeAdapter, create_model, field_validator

from supportdesk.catalogue.default_catalogue import SEVERITIES

# The seed's definitions (the defaults of catalogue.SeverityLevel; GET /api/v1/catalogue/severities has the text in force).
SEVERITY_HELP = " ".join(f"{level} – {name}: {definition}" for level, name, definition in SEVERITIES) + (
    " The definitions in force: GET /api/v1/catalogue/severities.")


class TicketIn(Schema):
    # Also read under the names other helpdesks' APIs use (title, description, requester): an integration written
    # for them opens a ticket here without renaming its fields. The document names ours.
    subject: str = Field(..., max_length=200, description="One line (also accepted as `title`)",
                         validation_alias=AliasChoices("subject", "title"))
    body: str = Field(..., max_length=100_000, description="What happened (also accepted as `description`)",
                      validation_alias=AliasChoices("body", "description"))
    severity: int = Field(3, ge=1, le=3, description=SEVERITY_HELP)
    requester_id: int | None = Field(None, description="Staff opening for a client user: that user's id (also "
                                                       "accepted as `requester`)",
                                     validation_alias=AliasChoices("requester_id", "requester"))
    category_id: int | None = None

    @field_validator("severity", "requester_id", "category_id", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        return _not_a_boolean(value)


def _not_a_boolean(value: object) -> object:
    """JSON `true`/`false` where a number is expected is refused (pydantic's lax mode would read it as 1/0)."""
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value


class TicketUpdateIn(Schema):
    version: int = Field(..., ge=1, description="The version you loaded; a stale one gets 409")
    status: str | None = None
    severity: int | None = Field(None, ge=1, le=3, description=SEVERITY_HELP)
    assignee_id: int | None = Field(None, description="Staff id; 0 to unassign")
    queue: str | None = None
    subject: str | None = Field(None, max_length=200)

    @field_validator("version", "severity", "assignee_id", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        return _not_a_boolean(value)


class MergeIn(Schema):
    into: int = Field(..., description="The ticket (same client, not closed) this duplicate is merged into")
    tell_requester: bool = Field(True, description="Tell the duplicate's requester by a public reply where the work "
                                                   "continues (false: an internal note)")


class MessageIn(Schema):
    body: str = Field(..., max_length=100_000)
    kind: str = Field("public", pattern="^(public|internal|call)$")


class MessageOut(Schema):
    id: int
    kind: str
    channel: str
    from_staff: bool
    author: str | None
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj) -> str | None:  # noqa: ANN001
        return obj.author.display_name if obj.author else None


class TicketOut(Schema):
    id: int
    number: int
    client_id: int
    client: str
    requester_id: int
    requester: str
    subject: str
    severity: int
    status: str
    channel: str
    queue: str
    assignee_id: int | None
    version: int
    sla_due_at: datetime | None
    sla_state: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_number(obj) -> int:  # noqa: ANN001
        return obj.pk

    @staticmethod
    def resolve_client(obj) -> str:  # noqa: ANN001
        return obj.client.name

    @staticmethod
    def resolve_requester(obj) -> str:  # noqa: ANN001
        return obj.requester.display_name


# TicketOut's fields, types and order as a plain pydantic model, validated from the dicts that
# `queries.ticket_items` builds from `.values_list()` rows: list pages skip model instances and DjangoGetter.
TicketRow: type[BaseModel] = create_model(
    "TicketRow", **{name: (field.annotation, ...) for name, field in TicketOut.model_fields.items()})  # type: ignore[call-overload]
TICKET_ROWS: TypeAdapter[list[BaseModel]] = TypeAdapter(list[TicketRow])  # type: ignore[valid-type]


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    merged_into_id: int | None = Field(None, description="Closed as a duplicate of this ticket; shown only to those "
                                                         "who may see that ticket (else null)")
    tam: str | None = Field(None, description="The client's dedicated TAM (email): its primary contact (R8)")

    @staticmethod
    def resolve_messages(obj) -> list:  # noqa: ANN001
        return obj.messages_visible

    @staticmethod
    def resolve_merged_into_id(obj) -> int | None:  # noqa: ANN001
        # Set by the view from policy.visible_merge_target; absent means not shown, never the raw column.
        return getattr(obj, "merged_into_visible", None)

    @staticmethod
    def resolve_tam(obj) -> str | None:  # noqa: ANN001
        from supportdesk.accounts.actions import current_tam

        tam = current_tam(obj.client)
        return tam.email if tam else None


class TicketEventOut(Schema):
    id: int
    kind: str
    source: str
    actor: str | None
    data: dict
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:  # noqa: ANN001
        return obj.actor.display_name if obj.actor else None
