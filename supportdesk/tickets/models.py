"""Tickets, their conversation, attachments and the append-only event history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on client"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.ON_HOLD)


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    API = "api", "API"


class Queue(models.TextChoices):
    PRIORITY = "priority", "Priority"
    STANDARD = "standard", "Standard"
    REVIEW = "review", "Review"


# Lower sorts first: the priority queue is served before the standard one.
QUEUE_RANK = {Queue.PRIORITY: 0, Queue.STANDARD: 1, Queue.REVIEW: 2}


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    guides_enabled = models.BooleanField(default=False, help_text="TAM may attach resolution guides or recordings")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    # No single-column indexes on client, requester, assignee: ticket_client_open, ticket_requester and
    # ticket_assignee_open start with them, and every index is one more page written per new ticket (W1).
    client = models.ForeignKey("accounts.Client", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets",
                                  db_index=False)
    severity = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    queue = models.CharField(max_length=10, choices=Queue.choices, default=Queue.STANDARD)
    queue_rank = models.PositiveSmallIntegerField(default=1, help_text="Denormalised QUEUE_RANK for the queue sort")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_tickets", db_index=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    subject = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    is_open = models.BooleanField(default=True, help_text="Denormalised: status is not solved/closed")
    # Nearest due instant of the ticket's running clocks (null: none / best efforts); serves the queue sort.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(max_length=12, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, blank=True)
    linked_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tickets",
                                    help_text="Closed as a duplicate of this ticket; replies to it go there")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["requester", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_ticket_per_idempotency_key"),
            models.CheckConstraint(name="severity_1_to_3", condition=Q(severity__gte=1, severity__lte=3)),
        ]
        indexes = [
            # Agent queue: open tickets, priority queue first, nearest due, severity, age.
            models.Index(fields=["is_open", "queue_rank", "sla_due_at", "severity", "created_at"], name="ticket_queue_sort"),
            models.Index(fields=["is_open", "severity", "created_at"], name="ticket_open_severity"),
            models.Index(fields=["client", "is_open", "created_at"], name="ticket_client_open"),
            models.Index(fields=["requester", "created_at"], name="ticket_requester"),
            models.Index(fields=["assignee", "is_open"], name="ticket_assignee_open"),
            # satisfaction.due_tickets every 10 minutes: solves in a window of days, not a scan of all tickets
            models.Index(fields=["solved_at"], name="ticket_solved_at", condition=Q(status__in=["solved", "closed"])),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk


class MessageKind(models.TextChoices):
    PUBLIC = "public", "Public reply"
    INTERNAL = "internal", "Internal note"
    CALL = "call", "Logged call"
    SYSTEM = "system", "Automatic message"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.PUBLIC)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    body_html = models.TextField(blank=True, help_text="Sanitised HTML, when the source had HTML")
    source_id = models.CharField(max_length=255, blank=True, help_text="Message-ID, chat client id, call id")
    # The author's Idempotency-Key (API) or a web form's submission key: a retried POST returns this message.
    # Nullable without a default, so adding it was an ALTER TABLE ADD COLUMN, not a rebuild of the SQLite table.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "source_id"], condition=~Q(source_id=""),
                                    name="one_message_per_source_id"),
            models.UniqueConstraint(fields=["author", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="one_message_per_idempotency_key"),
        ]

    @property
    def is_customer_visible(self) -> bool:
        return self.kind in (MessageKind.PUBLIC, MessageKind.CALL)


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a generated name: user-supplied names never reach the filesystem.
    import uuid

    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    internal = models.BooleanField(default=False, help_text="Attached to an internal note: staff only")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The uploader's Idempotency-Key: a retried upload returns this attachment (as Message.idempotency_key).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["uploaded_by", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="one_attachment_per_idempotency_key"),
        ]


class TicketEvent(models.Model):
    """Append-only: who changed what, when, from where.

    The database refuses an UPDATE of what an event says (trigger, tickets.0012); `delete()` of one event is
    refused here. Events go only with their ticket (CASCADE). No custom save(): prepared_inserts writes them.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events",
                               db_index=False)  # the (ticket, created_at) index serves it
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=10, help_text="web, api, email, chat, phone, system")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Ticket events are append-only; an event cannot be deleted.")


class OpenTicketCount(models.Model):
    """How many open tickets a client has in a queue, kept exact by database triggers (tickets.0005).

    The agent queue's total (`GET /api/v1/tickets/?open_only=true`) sums a few of these rows instead of
    counting every open ticket. Triggers on `tickets_ticket` (INSERT, DELETE, UPDATE OF is_open, client_id,
    queue) keep it exact on every path: actions, `QuerySet.update`, `bulk_create`, raw SQL, merges, deletes.
    Never written by Python code; `tickets.queries.open_ticket_count` reads it.
    """

    client_id = models.BigIntegerField()
    queue = models.CharField(max_length=10)
    open_count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "queue"], name="one_open_count_per_client_queue")]

    def __str__(self) -> str:
        return f"client {self.client_id} {self.queue}: {self.open_count} open"


class SearchIndexProgress(models.Model):
    """SQLite only: the last message whose text is in the tickets_fts index (tickets.search.catch_up).

    One row. Messages get their ids in commit order (SQLite has one writer at a time), so every message
    with a larger id is one the index has not seen yet."""

    last_message_id = models.BigIntegerField(default=0)
