"""Clients (organisations), people (staff and client users), roles, designations and TAM assignments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class StaffRole(models.TextChoices):
    AGENT = "agent", "Agent"
    TAM = "tam", "Technical account manager"
    MANAGER = "manager", "Support manager"
    BILLING = "billing", "Billing admin"
    SYSADMIN = "sysadmin", "System admin"


class ClientRole(models.TextChoices):
    ADMIN = "client_admin", "Client admin"
    USER = "client_user", "Client user"


class Client(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="America/Toronto")
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientDomain(models.Model):
    """Mail domains whose senders belong to the client (identity comes from the address only)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class ClientPhone(models.Model):
    """Phone numbers (E.164) known for a client, so a call opens a ticket for the right client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=32, unique=True)
    label = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.number


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        email = self.normalize_email(email).lower()
        user = self.model(email=email, username=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: vendor staff (client is null) or a client's user."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    client_role = models.CharField(max_length=20, choices=ClientRole.choices, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default="America/Toronto")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]  # django-stubs types it on the base
    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="client_role_iff_client",
                condition=(Q(client__isnull=True, client_role="") | Q(client__isnull=False) & ~Q(client_role="")),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_vendor_staff(self) -> bool:
        return self.client_id is None


class RoleGrant(models.Model):
    """A staff role held by a person; a person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=StaffRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


class Designation(models.Model):
    """A client user designated for Premium perks from `start` until `end` (null: still designated).

    `slot` numbers the active designations 1..limit; the partial unique constraint lets the
    database refuse two concurrent designations taking the same slot.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="designations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designations")
    slot = models.PositiveSmallIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "slot"], condition=Q(end__isnull=True),
                                    name="one_active_designation_per_slot"),
            models.UniqueConstraint(fields=["user"], condition=Q(end__isnull=True),
                                    name="one_active_designation_per_user"),
            models.CheckConstraint(name="designation_slot_positive", condition=Q(slot__gte=1)),
        ]
        indexes = [models.Index(fields=["client", "end"])]


class TamAssignment(models.Model):
    """The client's dedicated TAM from `start` until `end`; one active per client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="tam_assignments")
    tam = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tam_clients")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(end__isnull=True), name="one_active_tam_per_client"),
        ]


class ApiToken(models.Model):
    """An integration token; only a SHA-256 of the secret is stored, the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Who made it from the web screen or the API (none from the CLI), and that screen's submission: a form sent
    # twice makes one token (actions.issue_token), which the unique constraint holds under concurrent sends too.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_token_per_submission"),
        ]


class AccountEvent(models.Model):
    """Append-only history of changes to clients, people, designations and TAM assignments."""

    client = models.ForeignKey(Client, null=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
