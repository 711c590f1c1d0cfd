from enum import StrEnum


class WebhookError(StrEnum):
    BAD_URL = "webhook.bad_url"
    BAD_TOPICS = "webhook.bad_topics"
    BAD_SECRET = "webhook.bad_secret"
    BAD_IDEMPOTENCY_KEY = "webhook.bad_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "webhook.idempotency_key_reused"
