"""django-helpdesk, the peer: a throw-away Django project written to a temp dir (never committed), its own
venv (created when missing), its own SQLite file (or, with --database postgres, its own PostgreSQL
database on the same server) seeded with the same tickets as supportdesk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DEFAULT_VENV = Path("/tmp/helpdesk-venv")

SETTINGS = '''
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware", "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "hdproj.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
import os
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR.parent / "helpdesk.sqlite3",
             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}}
if os.environ.get("HD_POSTGRES_NAME"):  # bench/w1_w2.py --database postgres: the peer on PostgreSQL too
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HD_POSTGRES_NAME"],
                             "HOST": os.environ.get("HD_POSTGRES_HOST", "127.0.0.1"),
                             "PORT": os.environ.get("HD_POSTGRES_PORT", "5432"),
                             "USER": os.environ.get("HD_POSTGRES_USER", "postgres")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
STATIC_URL = "/static/"
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/login/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
    "rest_framework.authentication.TokenAuthentication", "rest_framework.authentication.SessionAuthentication"]}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
'''

URLS = '''
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
urlpatterns = [
    path("bench-ping/", lambda request: HttpResponse("ok")),  # the light request between runs
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
'''

WSGI = '''
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproj.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
'''

SEED = '''
import json, os, random, sys
from datetime import timedelta
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproj.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client as TestClient
from django.utils import timezone
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue, Ticket
sys.path.insert(0, sys.argv[2])
from seed_shared import status_code, text

call_command("migrate", interactive=False, verbosity=0)
n = int(sys.argv[1])
User = get_user_model()
admin = User.objects.create_superuser("bench", "bench@example.com", "bench-password-123")
queue = Queue.objects.create(title="Support", slug="support", allow_public_submission=True)
rng = random.Random(42)
now = timezone.now()
start = now - timedelta(days=365)
made = 0
while made < n:
    size = min(5000, n - made)
    rows = []
    for i in range(size):
        status = status_code(rng)
        created = start + timedelta(seconds=(made + i) * (365 * 86400 // max(n, 1)))
        rows.append(Ticket(title=text(rng, 60), queue=queue, created=created, modified=created,
                           submitter_email="client@example.com", status=status, priority=rng.randint(1, 3),
                           description=text(rng, 190), assigned_to=None))
    with transaction.atomic():
        Ticket.objects.bulk_create(rows, batch_size=1000)
    made += size
with connection.cursor() as cur:
    cur.execute("ANALYZE")
token = Token.objects.create(user=admin)
browser = TestClient()
browser.force_login(admin)
print(json.dumps({"token": token.key, "session": browser.cookies["sessionid"].value, "queue_id": queue.pk,
                  "tickets": Ticket.objects.count()}), flush=True)
'''

SHARED = '''
import random
WORDS = ("printer server login email backup license upgrade network outlook calendar sync error crash slow "
         "install report invoice access password vpn database migration timeout disk queue").split()
def status_code(rng):
    x = rng.random()
    if x < 0.60:
        return 1  # open
    if x < 0.65:
        return 2  # reopened
    return 3 if x < 0.80 else 4  # resolved, closed
def text(rng, length):
    out = ""
    while len(out) < length:
        out += rng.choice(WORDS) + " "
    return out[:length].strip().ljust(length, ".")
'''


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not (python.exists() and (venv / "bin" / "gunicorn").exists()):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "django-helpdesk", "gunicorn"], check=True)
    if subprocess.run([str(python), "-c", "import psycopg"], capture_output=True).returncode != 0:
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "psycopg[binary]"], check=True)
    return python


def write_project(root: Path) -> Path:
    project = root / "hdproj"
    project.mkdir(parents=True, exist_ok=True)
    (project / "__init__.py").write_text("")
    (project / "settings.py").write_text(SETTINGS)
    (project / "urls.py").write_text(URLS)
    (project / "wsgi.py").write_text(WSGI)
    (root / "seed.py").write_text(SEED)
    (root / "seed_shared.py").write_text(SHARED)
    return root


def environment(root: Path, postgres_name: str | None = None) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    if postgres_name:
        env["HD_POSTGRES_NAME"] = postgres_name
    return env


def seed(venv: Path, root: Path, tickets: int, postgres_name: str | None = None) -> dict:
    python = ensure_venv(venv)
    write_project(root)
    out = subprocess.run([str(python), str(root / "seed.py"), str(tickets), str(root)], cwd=root, check=True,
                         capture_output=True, text=True, env=environment(root, postgres_name))
    return json.loads(out.stdout.strip().splitlines()[-1])


def server_command(venv: Path, port: int) -> list[str]:
    return [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
            "hdproj.wsgi:application"]
