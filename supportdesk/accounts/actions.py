"""Clients, people, roles, TAM assignments and API tokens: every change checked, then written with an event."""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from supportdesk.errors import Conflict, Invalid
from supportdesk.idempotency_keys import check_key
from supportdesk.revisions.cache import RevisionCache

from .errors import AccountError
from .models import (
    AccountEvent,
    ApiToken,
    Client,
    ClientDomain,
    ClientPhone,
    ClientRole,
    RoleGrant,
    StaffRole,
    TamAssignment,
    User,
)

TOKEN_PREFIX = "sd_"
PREFIX_LENGTH = 10  # the start of a secret kept in plain, to tell tokens apart in lists


def check_zone(zone: str, field: str = "timezone") -> str:
    if zone not in available_timezones():
        raise Invalid(AccountError.UNKNOWN_ZONE, f"Unknown time zone {zone!r}; use an IANA name such as America/Toronto.",
                      fields={field: "unknown time zone"})
    ZoneInfo(zone)
    return zone


def create_client(actor: User | None, *, name: str, timezone_name: str = "America/Toronto",
                  domains: list[str] | None = None, phones: list[str] | None = None, address: str = "") -> Client:
    name = " ".join(name.split())
    if not name:
        raise Invalid(AccountError.NAME_REQUIRED, "A client name is required.", fields={"name": "required"})
    check_zone(timezone_name)
    slug = slugify(name)[:80] or "client"
    if Client.objects.filter(name__iexact=name).exists() or Client.objects.filter(slug=slug).exists():
        raise Conflict(AccountError.DUPLICATE_CLIENT, f"A client named {name!r} already exists.", fields={"name": "taken"})
    domains, numbers = _mail_domains(domains or []), _phone_numbers(phones or [])
    _refuse_taken_contacts(domains, numbers)
    try:
        with transaction.atomic():
            client = Client.objects.create(name=name, slug=slug, timezone=timezone_name, address=address)
            ClientDomain.objects.bulk_create([ClientDomain(client=client, domain=d) for d in domains])
            ClientPhone.objects.bulk_create([ClientPhone(client=client, number=n) for n in numbers])
            AccountEvent.objects.create(client=client, actor=actor, kind="client.created",
                                        data={"name": name, "domains": domains})
    except IntegrityError:
        # Another client took the name, a domain or a number between the checks and the insert: the same
        # answer as if it had come first, never a 500.
        if Client.objects.filter(name__iexact=name).exists() or Client.objects.filter(slug=slug).exists():
            raise Conflict(AccountError.DUPLICATE_CLIENT, f"A client named {name!r} already exists.",
                           fields={"name": "taken"}) from None
        _refuse_taken_contacts(domains, numbers)
        raise
    return client


def _refuse_taken_contacts(domains: list[str], numbers: list[str]) -> None:
    """Conflict when a mail domain or phone number already belongs to a client (each identifies one)."""
    for model, column, values, code, what, field in (
            (ClientDomain, "domain", domains, AccountError.DOMAIN_TAKEN, "Mail domain(s)", "domains"),
            (ClientPhone, "number", numbers, AccountError.PHONE_TAKEN, "Phone number(s)", "phones")):
        taken = list(model.objects.filter(**{f"{column}__in": values}).values_list(column, flat=True))
        if taken:
            raise Conflict(code, f"{what} already belong to another client: {', '.join(taken)}.",
                           fields={field: "taken"})


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _mail_domains(values: list[str]) -> list[str]:
    """Mail domains as intake matches them: lower case, no "@", each once; anything else is refused."""
    domains: list[str] = []
    for raw in values:
        domain = str(raw).strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        try:
            ascii_form = domain.encode("idna").decode("ascii")  # an international name checks as its xn-- form
        except UnicodeError:
            ascii_form = ""
        if not _DOMAIN.match(ascii_form):
            raise Invalid(AccountError.BAD_DOMAIN, f"{raw!r} is not a mail domain (like lawfirm.example).",
                          fields={"domains": "not a domain"})
        if domain not in domains:
            domains.append(domain)
    return domains


def normalise_phone(number: str) -> str:
    """"+" and the digits: the one form client phones are stored in and callers are matched in (telephony)."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"+{digits}" if digits else ""


def _phone_numbers(values: list[str], field: str = "phones") -> list[str]:
    numbers: list[str] = []
    for raw in values:
        if not str(raw).strip():
            continue
        number = normalise_phone(raw)
        if not number.isascii() or not 7 <= len(number) - 1 <= 15:
            raise Invalid(AccountError.BAD_PHONE, f"{raw!r} is not a phone number (7 to 15 digits, like +14165550100).",
                          fields={field: "not a phone number"})
        if number not in numbers:
            numbers.append(number)
    return numbers


def add_client_phone(actor: User | None, client: Client, number: str, label: str = "") -> ClientPhone:
    """Add a number to the client, so calls from it open the client's tickets (telephony.caller_of).

    The number already being this client's is no change; another client's is a conflict (a number
    identifies one client)."""
    normalised = _phone_numbers([number], field="number")
    if not normalised:
        raise Invalid(AccountError.BAD_PHONE, "A phone number is required.", fields={"number": "required"})
    own = ClientPhone.objects.filter(client=client, number=normalised[0]).first()
    if own is not None:
        return own
    _refuse_taken_contacts([], normalised)
    try:
        with transaction.atomic():
            phone = ClientPhone.objects.create(client=client, number=normalised[0], label=label[:80])
            AccountEvent.objects.create(client=client, actor=actor, kind="client.phone_added",
                                        data={"number": phone.number, "label": phone.label})
    except IntegrityError:
        _refuse_taken_contacts([], normalised)  # another client took it between the check and the insert
        raise
    return phone


def create_person(actor: User | None, *, email: str, password: str | None = None, full_name: str = "",
                  client: Client | None = None, client_role: str = "", staff_roles: list[str] | None = None,
                  timezone_name: str = "America/Toronto", phone: str = "") -> User:
    email = str(email or "").strip().lower()
    local, _, domain = email.rpartition("@")
    # Loosely: a local part and a domain without spaces (intake meets "x@host" and worse senders in real mail).
    if not local or not domain or any(ch.isspace() or ch in '<>(),;:"[]\\@' for ch in domain) or len(email) > 254:
        raise Invalid("person.bad_email", "A valid email address is required (like dana@lawfirm.example).",
                      fields={"email": "invalid"})
    if _email_taken(email):
        raise _duplicate_email(email)
    check_zone(timezone_name)
    phone = (_phone_numbers([phone], field="phone") or [""])[0]
    staff_roles = list(staff_roles or [])
    bad = [r for r in staff_roles if r not in StaffRole.values]
    if bad or (client is not None and staff_roles) or (client is None and client_role):
        raise Invalid(AccountError.BAD_ROLE, "Staff roles are for vendor staff; client roles for client people.",
                      fields={"roles": "invalid for this person"})
    if client is not None:
        client_role = client_role or ClientRole.USER
        if client_role not in ClientRole.values:
            raise Invalid(AccountError.BAD_ROLE, f"Unknown client role {client_role!r}.", fields={"client_role": "unknown"})
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, full_name=full_name, client=client,
                                            client_role=client_role, timezone=timezone_name, phone=phone,
                                            is_staff=StaffRole.SYSADMIN in staff_roles,
                                            is_superuser=StaffRole.SYSADMIN in staff_roles)
            RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in staff_roles])
            AccountEvent.objects.create(client=client, actor=actor, kind="person.created",
                                        data={"email": email, "client_role": client_role, "staff_roles": staff_roles})
    except IntegrityError:
        # A form sent twice at once: both looked before either wrote, and the unique index refused the second.
        if _email_taken(email):
            raise _duplicate_email(email) from None
        raise
    return user


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _duplicate_email(email: str) -> Conflict:
    return Conflict(AccountError.DUPLICATE_EMAIL, f"{email} already has an account.", fields={"email": "taken"})


def assign_tam(actor: User | None, *, client: Client, tam: User) -> TamAssignment:
    """Make `tam` the client's dedicated TAM from now; the previous assignment ends (history kept)."""
    if not tam.role_grants.filter(role=StaffRole.TAM).exists():
        raise Invalid(AccountError.NOT_A_TAM, f"{tam.email} does not hold the TAM role.", fields={"tam": "not a TAM"})
    now = timezone.now()
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        previous = TamAssignment.objects.filter(client=client, end__isnull=True).first()
        if previous and previous.tam_id == tam.pk:
            return previous
        if previous:
            previous.end = now
            previous.save(update_fields=["end"])
        assignment = TamAssignment.objects.create(client=client, tam=tam, start=now, assigned_by=actor)
        AccountEvent.objects.create(client=client, actor=actor, kind="tam.assigned",
                                    data={"tam": tam.email, "previous": previous.tam.email if previous else None})
    return assignment


def current_tam(client: Client) -> User | None:
    assignment = client.tam_assignments.filter(end__isnull=True).select_related("tam").first()
    return assignment.tam if assignment else None


def create_token(actor: User | None, *, user: User, name: str = "integration") -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and stored only as a hash."""
    issued = issue_token(actor, user=user, name=name)
    assert issued.secret is not None  # no idempotency key: always a new token
    return issued.token, issued.secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str | None  # None when a repeated submission returned the token made by the first: its secret is gone
    created: bool


def issue_token(actor: User | None, *, user: User, name: str = "integration",
                idempotency_key: str | None = None) -> IssuedToken:
    """`create_token`, honouring the actor's `idempotency_key` (the web screen's submission, which digests the person
    and the name it sends): the same key again returns the token the first send made, without its secret, which
    only the first answer carried, and writes nothing."""
    check_key(idempotency_key, AccountError.TOKEN_INVALID)
    key = idempotency_key if actor is not None else None  # scoped to a person: the system records no retries
    if key and (earlier := _earlier_token(actor, key)):
        return IssuedToken(earlier, None, created=False)
    if not user.is_active:  # its every request would be refused: say so now rather than hand out a dead secret
        raise Invalid(AccountError.TOKEN_INACTIVE_USER, f"{user.email} is deactivated; a token for them would be "
                      "refused on every request. Reactivate the person first.", fields={"user": "deactivated"})
    name = " ".join(str(name or "").split())[:100] or "integration"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, prefix=secret[:PREFIX_LENGTH],
                                            key_hash=hash_token(secret), created_by=actor, idempotency_key=key)
            AccountEvent.objects.create(client=user.client, actor=actor, kind="token.created",
                                        data={"user": user.email, "name": token.name, "prefix": token.prefix})
    except IntegrityError:
        # The same submission sent again while the first was being written: the unique key refused this row.
        if key and (earlier := _earlier_token(actor, key)):
            return IssuedToken(earlier, None, created=False)
        raise
    return IssuedToken(token, secret, created=True)


def _earlier_token(actor: User | None, key: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(created_by=actor, idempotency_key=key).first()


def revoke_token(actor: User | None, token: ApiToken) -> ApiToken:
    """Refuse every later request made with `token`. The row stays (prefix, user, dates) with its event, as the
    record of what the integration could do; the "access" revision drops the cached lookup on this write."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            raise Conflict(AccountError.TOKEN_ALREADY_REVOKED,
                           f"Token {locked.prefix}... was already revoked on {locked.revoked_at:%Y-%m-%d %H:%M} UTC.")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        AccountEvent.objects.create(client=locked.user.client, actor=actor, kind="token.revoked",
                                    data={"user": locked.user.email, "name": locked.name, "prefix": locked.prefix})
    return locked


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class _KnownToken:
    token_id: int
    last_used_at: datetime | None
    user: User  # never handed out: each request gets its own copy
    roles: frozenset[str]


# Token lookups per process under the "access" revision, which triggers rewrite on any write to people,
# roles or tokens (accounts.0002): a revoked token, a deactivated person or a changed role is seen by the
# next request, exactly as without the cache. One read of that row replaces two queries per API call.
_known_tokens: RevisionCache[_KnownToken] = RevisionCache("access", limit=10_000)


def user_for_token(secret: str) -> User | None:
    """Look the token up by its hash (the secret itself is never stored or compared in plain)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    key_hash = hash_token(secret)
    known = _known_tokens.get(key_hash, lambda: _load_token(key_hash))
    if known is None:
        return None
    now = timezone.now()
    if known.last_used_at is None or (now - known.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=known.token_id).update(last_used_at=now)
    user = copy.copy(known.user)  # its own field cache: nothing one request loads leaks into another
    user._sd_roles = known.roles  # type: ignore[attr-defined]  # policy.roles_of reads it
    return user


def _load_token(key_hash: str) -> _KnownToken | None:
    from supportdesk.policy.roles import roles_of

    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    return _KnownToken(token.pk, token.last_used_at, token.user, roles_of(token.user))
