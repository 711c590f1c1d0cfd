"""Help center (R22): sections, articles (guides), comments. Articles may be private to one client
(resolution guides written by a TAM) or visible to entitled clients only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Section(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Visibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    SIGNED_IN = "signed_in", "Signed-in users"
    ENTITLED = "entitled", "Clients with an active plan"
    CLIENT = "client", "One client only (private guide)"


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField(help_text="Markdown-free plain text or sanitised HTML")
    status = models.CharField(max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE)
    required_offering = models.CharField(max_length=60, blank=True,
                                         help_text="With 'entitled': the offering code required (empty: any plan)")
    client = models.ForeignKey("accounts.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="private_articles", help_text="With 'client': the only client who sees it")
    comments_open = models.BooleanField(default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False,
                                   help_text="Title and body as plain text: what full-text search reads")
    # The author's Idempotency-Key (API) or the new-article page's submission key, and the digest of what was sent
    # (actions.write_article): a retried POST answers this article instead of writing a second one under "-2".
    # Nullable without a default: ALTER TABLE ADD COLUMN, no table rebuild.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["section__position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["author", "idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="one_article_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")
    created_at = models.DateTimeField(auto_now_add=True)
    # The author's Idempotency-Key (API) or the comment form's submission key, and the digest of what was sent
    # (actions.post_comment): a retried POST answers this comment instead of posting it twice.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)
    idempotency_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="one_comment_per_idempotency_key"),
        ]


class HelpEvent(models.Model):
    article = models.ForeignKey(Article, null=True, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    import uuid

    return f"help/{instance.article_id}/{uuid.uuid4().hex}"


class ArticleAttachment(models.Model):
    """A file offered with a guide (screen recording, script, PDF); always served as a download."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filename", "id"]
