"""The one error type every action raises: a stable code, a message for people, optional field errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum


class DomainError(Exception):
    """A refusal by the domain. `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, code: StrEnum | str, message: str, *, fields: dict[str, str] | None = None,
                 status: int | None = None, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.fields = fields or {}
        self.details = details or {}
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """Missing, or not visible to this person: both answer the same, so ids leak nothing."""

    status = 404

    def __init__(self, what: str = "object") -> None:
        super().__init__("not_found", f"No such {what}.")


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "You may not do this.", code: str = "forbidden") -> None:
        super().__init__(code, message)


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422


@contextmanager
def fields_as_sent(names: Mapping[str, str]) -> Iterator[None]:
    """An API call's refusals name the fields of its request body (`user_id`), not the action's (`user`): the
    actions name what they were given, and the web forms show errors on those names."""
    try:
        yield
    except DomainError as exc:
        exc.fields = {names.get(name, name): message for name, message in exc.fields.items()}
        raise
