"""`supportdesk import clients|people`: every row is checked, then created through the accounts actions (which
write their event rows), all in one transaction.

A row is refused with its line and field; unless `skip_invalid`, one bad row rolls everything back, so a file is
imported whole or not at all. Rows for a client name or email that already exists are skipped and counted, which
makes running an import twice harmless. `dry_run` does all of it and rolls back at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction

from supportdesk.accounts.actions import check_zone, create_client, create_person
from supportdesk.accounts.models import Client, ClientRole, StaffRole, User
from supportdesk.errors import DomainError
from supportdesk.progress import progress_bar

from .csv_files import Columns, Row, read_rows
from .lookups import client_named

CLIENT_COLUMNS = Columns(required=("name",), optional=("timezone", "domains", "phones", "address"),
                         ignored=("tam_email", "people"))
PEOPLE_COLUMNS = Columns(required=("email",), optional=("full_name", "client", "role", "phone", "timezone"),
                         ignored=("designated",))
T = TypeVar("T")
DEFAULT_ZONE = "America/Toronto"
# Field names the actions use in their errors, as the file's columns are called.
_COLUMN_OF = {"roles": "role", "client_role": "role", "email": "email", "name": "name", "domains": "domains",
              "phones": "phones", "phone": "phone", "timezone": "timezone"}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass(frozen=True)
class Skipped:
    line: int
    key: str
    reason: str


@dataclass(frozen=True)
class _Plan:
    row: Row
    key: str
    create: Callable[[], object]


@dataclass
class Outcome:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False


def import_clients(user: Any, path: Path, *, skip_invalid: bool = False, dry_run: bool = False) -> Outcome:
    rows = read_rows(path, CLIENT_COLUMNS)
    outcome = Outcome(rows=len(rows))
    plans: list[_Plan] = []
    seen = _Seen(outcome)
    for row in rows:
        name = row.get("name")
        _, problem = _checked(row, partial(_client_row_checks, row))
        if problem is not None:
            outcome.problems.append(problem)
        elif not seen.fresh(row, name.casefold(), name, _client_exists(name)):
            continue
        else:
            plans.append(_Plan(row, name, _client_creator(row, name)))
    return _run(plans, outcome, "Importing clients", skip_invalid=skip_invalid, dry_run=dry_run)


def import_people(user: Any, path: Path, *, skip_invalid: bool = False, dry_run: bool = False) -> Outcome:
    rows = read_rows(path, PEOPLE_COLUMNS)
    outcome = Outcome(rows=len(rows))
    plans: list[_Plan] = []
    seen = _Seen(outcome)
    clients: dict[str, Client] = {}
    for row in rows:
        email = row.get("email").lower()
        checked, problem = _checked(row, partial(_person_row_checks, user, row, clients))
        if problem is not None:
            outcome.problems.append(problem)
        elif not seen.fresh(row, email, email, User.objects.filter(email__iexact=email).exists()):
            continue
        else:
            plans.append(_Plan(row, email, _person_creator(email, row, checked or {})))
    return _run(plans, outcome, "Importing people", skip_invalid=skip_invalid, dry_run=dry_run)


class _Seen:
    """Rows already in the database or earlier in the file: skipped and counted, never an error."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.lines: dict[str, int] = {}

    def fresh(self, row: Row, identity: str, key: str, exists: bool) -> bool:
        if exists:
            self.outcome.skipped.append(Skipped(row.line, key, "already exists"))
        elif identity in self.lines:
            self.outcome.skipped.append(Skipped(row.line, key, f"same as line {self.lines[identity]}"))
        else:
            self.lines[identity] = row.line
            return True
        return False


def _checked(row: Row, check: Callable[[], T]) -> tuple[T | None, Problem | None]:
    try:
        return check(), None
    except DomainError as exc:
        return None, _problem(row, exc)


def _problem(row: Row, exc: DomainError) -> Problem:
    column = next((_COLUMN_OF.get(f, f) for f in exc.fields), "row")
    return Problem(row.line, column, exc.message)


def _required(row: Row, column: str) -> str:
    from supportdesk.errors import Invalid

    value = row.get(column)
    if not value:
        raise Invalid("interchange.required", f"a {column} is required", fields={column: "required"})
    return value


def _client_row_checks(row: Row) -> None:
    _required(row, "name")
    if row.get("timezone"):
        check_zone(row.get("timezone"))


def _client_exists(name: str) -> bool:
    """create_client's own duplicate rule (same name in any case, or the same slug), in one query."""
    from django.db.models import Q
    from django.utils.text import slugify

    return Client.objects.filter(Q(name__iexact=name) | Q(slug=slugify(name)[:80] or "client")).exists()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def _client_creator(row: Row, name: str) -> Callable[[], object]:
    return lambda: create_client(None, name=name, timezone_name=row.get("timezone") or DEFAULT_ZONE,
                                 domains=_split(row.get("domains")), phones=_split(row.get("phones")),
                                 address=row.get("address"))


def _person_row_checks(user: Any, row: Row, clients: dict[str, Client]) -> dict[str, Any]:
    """The person's client (by name, slug or id), role(s) and zone; a client's people take its zone by default."""
    from supportdesk.errors import Invalid

    _required(row, "email")
    reference, role = row.get("client"), row.get("role").lower()
    client = None
    if reference:
        if reference.casefold() not in clients:
            try:
                clients[reference.casefold()] = client_named(user, reference, "client")
            except DomainError as exc:
                raise Invalid(exc.code, f"no client {reference!r} (import the clients first)",
                              fields={"client": "unknown"}) from None
        client = clients[reference.casefold()]
    if client is not None and role not in ("", *ClientRole.values):
        raise Invalid("interchange.bad_role", f"{role!r} is not a client role; use {' or '.join(ClientRole.values)}",
                      fields={"role": "unknown"})
    staff_roles = _split(role) if client is None else []
    if client is None and (not staff_roles or any(r not in StaffRole.values for r in staff_roles)):
        raise Invalid("interchange.bad_role", f"a person without a client is vendor staff: give staff role(s) from "
                                              f"{', '.join(StaffRole.values)} (separated by ;), or a client",
                      fields={"role": "staff role needed"})
    zone = row.get("timezone") or (client.timezone if client else DEFAULT_ZONE)
    check_zone(zone)
    return {"client": client, "client_role": role if client else "", "staff_roles": staff_roles, "timezone_name": zone}


def _person_creator(email: str, row: Row, checked: dict[str, Any]) -> Callable[[], object]:
    # No password: the person cannot sign in until one is set for them (a file is no place for passwords).
    return lambda: create_person(None, email=email, full_name=row.get("full_name"), phone=row.get("phone"), **checked)


class _RollBack(Exception):
    pass


def _run(plans: list[_Plan], outcome: Outcome, label: str, *, skip_invalid: bool, dry_run: bool) -> Outcome:
    """Create each planned row in its own savepoint; keep all of it only when nothing blocks it. A file refused
    for its bad rows is still tried through (then rolled back), so one run names every row to fix: the first
    pass's refusals and the actions' alike, and the counts add up to the rows."""
    try:
        with transaction.atomic(), progress_bar(len(plans), label) as advance:
            for plan in plans:
                try:
                    with transaction.atomic():
                        plan.create()
                    outcome.created.append(plan.key)
                except DomainError as exc:
                    outcome.problems.append(_problem(plan.row, exc))
                advance()
            if dry_run or (outcome.problems and not skip_invalid):
                raise _RollBack
    except _RollBack:
        outcome.problems.sort(key=lambda p: p.line)
        return outcome
    outcome.problems.sort(key=lambda p: p.line)
    outcome.written = True
    return outcome

