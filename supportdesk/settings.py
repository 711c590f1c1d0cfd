"""Django settings: embedded defaults (SQLite, in-memory channels, SqliteHuey) unless DATABASE_URL / REDIS_URL say otherwise."""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
import tempfile
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
# Under pytest (or SUPPORTDESK_TESTING=1): fast hashing, jobs run inline, mail kept in memory, data in a temp dir.
TESTING = os.environ.get("SUPPORTDESK_TESTING", "1" if "pytest" in sys.modules else "0") == "1"
_default_data = Path(tempfile.mkdtemp(prefix="supportdesk-test-")) if TESTING else Path.cwd() / "data"
DATA_DIR = Path(os.environ.get("SUPPORTDESK_DATA_DIR") or _default_data).resolve()


def _secret_key() -> str:
    """Use the configured key, else one persisted in the data folder so sessions survive restarts."""
    if key := os.environ.get("SUPPORTDESK_SECRET_KEY"):
        return key
    if TESTING:
        return "test-only-secret-key-not-for-production-use-0123456789"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SUPPORTDESK_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("SUPPORTDESK_ALLOWED_HOSTS", "*").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SUPPORTDESK_CSRF_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SUPPORTDESK_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "huey.contrib.djhuey",
    "supportdesk.revisions",
    "supportdesk.accounts",
    "supportdesk.catalogue",
    "supportdesk.contracts",
    "supportdesk.tickets",
    "supportdesk.sla",
    "supportdesk.notifications",
    "supportdesk.intake",
    "supportdesk.livechat",
    "supportdesk.telephony",
    "supportdesk.oncall",
    "supportdesk.tam",
    "supportdesk.learning",
    "supportdesk.billing",
    "supportdesk.helpcenter",
    "supportdesk.macros",
    "supportdesk.satisfaction",
    "supportdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "supportdesk.throttling.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.web.middleware.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "supportdesk.web.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
ASGI_APPLICATION = "supportdesk.asgi.application"
WSGI_APPLICATION = "supportdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supportdesk.web.context.navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=int(os.environ.get("SUPPORTDESK_CONN_MAX_AGE", "0"))))
        # Each checkout gets its own test database so parallel runs never share one.
        suffix = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
        db["TEST"] = {"NAME": f"test_supportdesk_{suffix}"}
        if os.environ.get("SUPPORTDESK_DB_POOL") == "1":
            # psycopg's connection pool inside each process (Django >= 5.1); pgbouncer works too.
            db["CONN_MAX_AGE"] = 0
            db.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": int(os.environ.get("SUPPORTDESK_DB_POOL_SIZE", "10"))}
        return db
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "supportdesk.sqlite_writer_queue",
        "NAME": DATA_DIR / "supportdesk.sqlite3",
        "TEST": {"NAME": ":memory:"},  # explicit: test runners only infer this for Django's own engine name
        # Web requests run on a fixed thread pool (supportdesk.asgi), so a connection per thread can stay
        # open between requests instead of being opened, set up (WAL, pragmas) and closed every time.
        "CONN_MAX_AGE": 0 if TESTING else int(os.environ.get("SUPPORTDESK_CONN_MAX_AGE", "600")),
        "OPTIONS": {
            # WAL + IMMEDIATE: readers never block the writer and write transactions
            # take the lock up front, so concurrent check-then-insert is serialised.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # temp_store=MEMORY: statement journals and temp b-trees in memory, not a file created and
            # unlinked in /var/tmp by most ticket openings (seen with strace under W1, bench/README.md).
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                             "PRAGMA temp_store=MEMORY;"),
        },
    }


DATABASES = {"default": _database()}
# SQLite: WAL checkpoints on a background thread per process, not inside a writer's commit
# (supportdesk/sqlite_writer_queue/checkpointer.py). Tests keep SQLite's automatic checkpoints.
SUPPORTDESK_SQLITE_BACKGROUND_CHECKPOINTS = (
    os.environ.get("SUPPORTDESK_SQLITE_BACKGROUND_CHECKPOINTS", "0" if TESTING else "1") == "1")
SUPPORTDESK_SQLITE_CHECKPOINT_INTERVAL = float(os.environ.get("SUPPORTDESK_SQLITE_CHECKPOINT_INTERVAL", "0.25"))
SUPPORTDESK_SQLITE_WAL_RESTART_FRAMES = int(os.environ.get("SUPPORTDESK_SQLITE_WAL_RESTART_FRAMES", "16384"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("SUPPORTDESK_VENDOR_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("SUPPORTDESK_MEDIA_DIR", DATA_DIR / "media"))
MEDIA_URL = "/media-not-served/"
WHITENOISE_USE_FINDERS = True
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("SUPPORTDESK_STORAGE") == "s3":
    # Uploaded files shared by every replica (pip install "supportdesk[s3]"; AWS_* settings from the environment).
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["SUPPORTDESK_S3_BUCKET"],
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("SUPPORTDESK_SECURE_COOKIES") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Outbound webhooks never reach private, loopback or link-local addresses (SSRF) unless allowed here.
SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE = TESTING or os.environ.get("SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE") == "1"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _huey() -> dict:
    if TESTING:
        return {"huey_class": "huey.MemoryHuey", "immediate": True, "name": "supportdesk"}
    if REDIS_URL:
        return {"huey_class": "huey.PriorityRedisHuey", "name": "supportdesk", "url": REDIS_URL, "immediate": False}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "huey_class": "huey.SqliteHuey",
        "name": "supportdesk",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
    }


HUEY = _huey()

# With no outbound SMTP server configured, mail is written to files in the data folder (nothing is lost).
EMAIL_BACKEND = os.environ.get(
    "SUPPORTDESK_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("SUPPORTDESK_SMTP_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"
EMAIL_HOST = os.environ.get("SUPPORTDESK_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("SUPPORTDESK_SMTP_OUT_PORT", "1025"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("SUPPORTDESK_FROM_EMAIL", "support@supportdesk.example")
# The address may carry a display name ("Acme Support <support@acme.example>"): the domain is the address's.
SUPPORTDESK_MAIL_DOMAIN = parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower() or "supportdesk.example"
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

SUPPORTDESK: dict[str, Any] = {
    "VENDOR_ZONE": TIME_ZONE,
    "VENDOR_HOLIDAYS": os.environ.get("SUPPORTDESK_VENDOR_HOLIDAYS", "CA-ON"),
    "BUSINESS_HOURS": os.environ.get("SUPPORTDESK_BUSINESS_HOURS", "08:00-17:00"),
    "REOPEN_DAYS": int(os.environ.get("SUPPORTDESK_REOPEN_DAYS", "14")),
    # No default: a secret everybody can read in the source would let anyone post calls. Until it is set the
    # phone webhook answers 503 phone.not_configured (docs/phone.md).
    "PHONE_WEBHOOK_SECRET": os.environ.get("SUPPORTDESK_PHONE_SECRET", ""),
    "SMTP_LISTEN": os.environ.get("SUPPORTDESK_SMTP_LISTEN", "127.0.0.1:2525"),
    "CHAT_ORIGINS": [o for o in os.environ.get("SUPPORTDESK_CHAT_ORIGINS", "").split(",") if o],
    # Minutes after a ticket is solved before its satisfaction survey is sent (still solved by then).
    "CSAT_DELAY_MINUTES": int(os.environ.get("SUPPORTDESK_CSAT_DELAY_MINUTES", "60")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secret_paths": {"()": "supportdesk.log_redaction.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SUPPORTDESK_LOG_LEVEL", "WARNING")},
    # The loggers that write request paths: a survey link or a calendar feed's token is hidden there
    # (a filter acts on the logger that creates the record, so each is named).
    "loggers": {name: {"filters": ["redact_secret_paths"]} for name in (
        "django.request", "django.server", "django.security.csrf", "django.security.DisallowedHost",
        "django.security.SuspiciousOperation")},
}
