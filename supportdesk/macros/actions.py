"""Every change of a saved reply: check first, then do, in one transaction, writing a MacroEvent.

Also the two steps of using one on a ticket: `render_reply` (a read) fills the composer, and
`set_status_after_reply` runs in the reply's own transaction when the agent kept "then set status to …".
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from supportdesk import policy
from supportdesk.accounts.models import User
from supportdesk.errors import Conflict, Forbidden, Invalid, NotFound
from supportdesk.policy import macros as macro_policy
from supportdesk.tickets import actions as ticket_actions
from supportdesk.tickets.models import Ticket

from . import placeholders
from .errors import MacroError
from .models import REPLY_STATUSES, MacroEvent, MacroEventKind, ReplyKind, SavedReply

MAX_TITLE = 120
MAX_BODY = 20_000
EDITABLE = ("title", "body", "kind", "status")


class Rendered(NamedTuple):
    body: str
    kind: str
    status: str | None  # offered only when the ticket may move to it from where it is


def record_event(reply: SavedReply, actor: User | None, kind: str, **data: Any) -> MacroEvent:
    return MacroEvent.objects.create(reply=reply, actor=actor, kind=kind, data=data)


def save_reply(actor: User, *, title: str, body: str, kind: str = ReplyKind.PUBLIC, status: str | None = "",
               shared: bool = False, reply: SavedReply | None = None) -> SavedReply:
    """Create a reply (personal, or shared with all staff when `shared`), or change `reply`, whose scope stays."""
    if reply is None:
        if not macro_policy.can_create_reply(actor, shared=shared):
            raise Forbidden("Shared replies are written by managers and system admins." if shared and
                            macro_policy.can_use_replies(actor) else "Only support staff use saved replies.",
                            code=MacroError.FORBIDDEN)
        return _create(actor, _validated(title, body, kind, status), shared=shared)
    _require_editor(actor, reply)
    return _change(actor, reply, _validated(title, body, kind, status))


def archive_reply(actor: User, reply: SavedReply) -> SavedReply:
    """Retire a reply: it is no longer offered, and its title may be used again. Archiving twice is a no-op."""
    _require_editor(actor, reply)
    with transaction.atomic():
        locked = SavedReply.objects.select_for_update().get(pk=reply.pk)
        if not locked.archived:
            locked.archived = True
            locked.save(update_fields=["archived", "updated_at"])
            record_event(locked, actor, MacroEventKind.ARCHIVED)
    return locked


def render_reply(actor: User, reply: SavedReply, ticket: Ticket) -> Rendered:
    """The reply's text for this ticket, its kind, and the status to offer (or None)."""
    usable = macro_policy.visible_replies(actor).filter(pk=reply.pk, archived=False).exists()
    if not usable:
        raise NotFound("saved reply")
    if not policy.can_view_ticket(actor, ticket):
        raise NotFound("ticket")
    body = placeholders.fill(reply.body, placeholders.values_for(ticket, actor))
    return Rendered(body, reply.kind, _offered_status(reply.status, ticket))


def set_status_after_reply(actor: User, ticket: Ticket, status: str) -> None:
    """After the agent's reply (call inside its transaction): move the ticket to `status` unless it is there."""
    if not status or status == ticket.status:
        return
    if status not in REPLY_STATUSES:
        raise Invalid(MacroError.BAD_STATUS, f"Unknown status {status!r}.", fields={"then_status": "unknown"})
    ticket_actions.update_ticket(actor, ticket, expected_version=ticket.version, source="web", status=status)


def _offered_status(status: str, ticket: Ticket) -> str | None:
    if status and status != ticket.status and status in ticket_actions.TRANSITIONS[ticket.status]:
        return status
    return None


def _require_editor(actor: User, reply: SavedReply) -> None:
    if macro_policy.can_edit_reply(actor, reply):
        return
    if macro_policy.visible_replies(actor).filter(pk=reply.pk).exists():
        raise Forbidden("Shared replies are changed by managers and system admins.", code=MacroError.FORBIDDEN)
    raise NotFound("saved reply")


def _create(actor: User, values: dict[str, str], *, shared: bool) -> SavedReply:
    owner = None if shared else actor
    try:
        with transaction.atomic():
            _check_title_free(values["title"], owner_id=owner.pk if owner else None)
            reply = SavedReply.objects.create(**values, owner=owner, created_by=actor)
            record_event(reply, actor, MacroEventKind.CREATED, shared=shared)
    except IntegrityError as exc:  # a concurrent save took the title between the check and the insert
        raise _duplicate(values["title"]) from exc
    return reply


def _change(actor: User, reply: SavedReply, values: dict[str, str]) -> SavedReply:
    try:
        with transaction.atomic():
            locked = SavedReply.objects.select_for_update().get(pk=reply.pk)
            if locked.archived:
                raise Conflict(MacroError.ARCHIVED, "This saved reply is archived; write a new one instead.")
            changed = [name for name in EDITABLE if values[name] != getattr(locked, name)]
            if not changed:
                return locked
            if "title" in changed:
                _check_title_free(values["title"], owner_id=locked.owner_id, exclude=locked.pk)
            for name in changed:
                setattr(locked, name, values[name])
            locked.save()
            record_event(locked, actor, MacroEventKind.CHANGED, fields=changed)
    except IntegrityError as exc:
        raise _duplicate(values["title"]) from exc
    return locked


def _check_title_free(title: str, *, owner_id: int | None, exclude: int | None = None) -> None:
    # Lower() on both sides, as in the unique constraints, so the check and the database agree.
    same = SavedReply.objects.filter(owner_id=owner_id, archived=False)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.annotate(key=Lower("title")).filter(key=Lower(Value(title))).exists():
        raise _duplicate(title)


def _duplicate(title: str) -> Conflict:
    return Conflict(MacroError.DUPLICATE_TITLE, f"There is already a saved reply called {title!r} here.",
                    fields={"title": "already used"})


def _validated(title: str, body: str, kind: str, status: str | None) -> dict[str, str]:
    """Cleaned values, or one 422 naming every field that is wrong."""
    title = " ".join(str(title or "").replace("\x00", "").split())  # NUL: PostgreSQL text cannot hold it
    body = str(body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    status = status or ""
    problems = _problems(title, body, kind, status)
    if problems:
        named = any(code == MacroError.UNKNOWN_PLACEHOLDER for code, _, _ in problems)
        raise Invalid(problems[0][0], " ".join(message for _, _, message in problems),
                      fields={field: message for _, field, message in problems},
                      details={"unknown": placeholders.unknown_in(body), "known": placeholders.known_tokens()}
                      if named else None)
    return {"title": title, "body": body, "kind": kind, "status": status}


def _problems(title: str, body: str, kind: str, status: str) -> list[tuple[MacroError, str, str]]:
    problems: list[tuple[MacroError, str, str]] = []
    if not title:
        problems.append((MacroError.TITLE_REQUIRED, "title", "A saved reply needs a title."))
    elif len(title) > MAX_TITLE:
        problems.append((MacroError.TITLE_TOO_LONG, "title", f"Titles are limited to {MAX_TITLE} characters."))
    if not body:
        problems.append((MacroError.BODY_REQUIRED, "body", "A saved reply needs a text."))
    elif len(body) > MAX_BODY:
        problems.append((MacroError.BODY_TOO_LONG, "body", f"Texts are limited to {MAX_BODY} characters."))
    elif unknown := placeholders.unknown_in(body):
        names = ", ".join("{{" + name[:40] + "}}" for name in unknown)
        plural = "s" if len(unknown) > 1 else ""
        problems.append((MacroError.UNKNOWN_PLACEHOLDER, "body", f"Unknown placeholder{plural} {names}; the known "
                         f"ones are {', '.join(placeholders.known_tokens())}."))
    if kind not in ReplyKind.values:
        problems.append((MacroError.BAD_KIND, "kind", f"Kind must be one of {', '.join(ReplyKind.values)}."))
    if status and status not in REPLY_STATUSES:
        problems.append((MacroError.BAD_STATUS, "status", "Status must be empty or one of "
                         f"{', '.join(s.value for s in REPLY_STATUSES)}."))
    return problems
