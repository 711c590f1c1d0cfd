"""Stored XSS, header injection, downloads, CORS, CSRF, oversize and malformed input, secrets in logs."""

from __future__ import annotations

import ast
import io
import json
import logging
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.actions import add_message, open_ticket
from supportdesk.tickets.attachments import add_attachment

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


@pytest.mark.django_db
def test_given_script_in_subject_body_and_filename_when_pages_render_then_it_is_escaped(world):
    ticket = open_ticket(world.user_a, subject=f"Subject {XSS}", body=f"Body {XSS}").ticket
    add_message(world.agent, ticket, body=f"Reply {XSS}")
    add_attachment(world.user_a, ticket, upload=io.BytesIO(b"x"), filename=f"{XSS}.txt", content_type="text/plain")
    pages = [(world.user_a, f"/portal/tickets/{ticket.pk}/"), (world.user_a, "/portal/"),
             (world.agent, f"/console/tickets/{ticket.pk}/"), (world.agent, "/console/")]
    for user, url in pages:
        response = signed_in(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(" not in html, url
        assert "<img src=x onerror" not in html, url
    detail = signed_in(world.agent).get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "&lt;script&gt;" in detail


@pytest.mark.django_db
def test_given_a_subject_with_line_breaks_when_mail_is_queued_then_no_header_can_be_injected(world):
    open_ticket(world.user_a, subject="Help\r\nBcc: victim@example.com\nX-Evil: 1", body="Body")
    subjects = list(OutboxItem.objects.values_list("subject", flat=True))
    assert subjects
    assert all("\r" not in s and "\n" not in s for s in subjects)


@pytest.mark.django_db
def test_given_an_attachment_when_downloaded_then_it_is_a_sandboxed_download_with_sniffing_off(world):
    http = world.token_client(world.user_a)
    response = http.get(f"/api/v1/tickets/{world.ticket_a.pk}/attachments/{world.attachment_a.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_given_a_traversal_filename_when_uploaded_then_it_is_stored_inside_media_root(world, settings):
    evil = add_attachment(world.user_a, world.ticket_a, upload=io.BytesIO(b"x"), filename="../../../../etc/passwd",
                          content_type="text/plain")
    stored = Path(evil.file.path).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() in stored.parents
    response = world.token_client(world.user_a).get(f"/api/v1/tickets/{world.ticket_a.pk}/attachments/{evil.pk}")
    assert b"".join(response.streaming_content) == b"x"
    assert "/" not in response["Content-Disposition"].split("filename", 1)[1]


@pytest.mark.django_db
def test_given_an_attachment_id_of_another_ticket_when_downloading_then_404(world):
    other = open_ticket(world.user_a, subject="Other", body="Other").ticket
    response = world.token_client(world.user_a).get(f"/api/v1/tickets/{other.pk}/attachments/{world.attachment_a.pk}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_given_a_foreign_origin_when_calling_the_api_then_no_cors_grant(world):
    http = world.token_client(world.agent)
    for response in (http.get("/api/v1/tickets/", HTTP_ORIGIN="https://evil.example"),
                     http.options("/api/v1/tickets/", HTTP_ORIGIN="https://evil.example",
                                  HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")):
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_given_no_csrf_token_when_posting_a_form_then_403(world):
    http = HttpClient(enforce_csrf_checks=True)
    http.login(email=world.user_a.email, password=PASSWORD)
    response = http.post("/portal/tickets/new/", {"subject": "x", "body": "y", "severity": 3})
    assert response.status_code == 403
    assert not world.client_a.tickets.filter(subject="x").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"{not json", b"[1, 2", b"\xff\xfe\x00", b'{"subject": 1e999999}', b"null", b"[]"])
def test_given_malformed_json_when_posting_then_4xx_not_5xx(world, body):
    response = world.token_client(world.user_a).generic("POST", "/api/v1/tickets/", body,
                                                       content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_given_a_huge_json_body_when_posting_then_4xx_not_5xx(world):
    huge = json.dumps({"subject": "x", "body": "y" * 5_000_000, "severity": 3})
    response = world.token_client(world.user_a).post("/api/v1/tickets/", huge, content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_given_a_too_long_subject_when_posting_then_422_naming_the_field(world):
    response = world.token_client(world.user_a).post("/api/v1/tickets/", {"subject": "s" * 5000, "body": "b"},
                                                     content_type="application/json")
    assert response.status_code == 422
    assert "subject" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1.5", "%00"])
def test_given_a_garbage_id_when_calling_then_4xx_not_5xx(world, value):
    response = world.token_client(world.agent).get(f"/api/v1/tickets/{value}")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_given_a_sign_in_and_a_token_use_when_logging_everything_then_no_secret_is_logged(world, caplog, settings):
    from supportdesk.accounts.actions import create_token

    caplog.set_level(logging.DEBUG)
    _, secret = create_token(None, user=world.user_a, name="log check")
    HttpClient().post("/login/", {"username": world.user_a.email, "password": PASSWORD})
    HttpClient().post("/login/", {"username": world.user_a.email, "password": "wrong-password-123"})
    HttpClient(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/tickets/")
    HttpClient(HTTP_AUTHORIZATION=f"Bearer {secret}x").get("/api/v1/tickets/")
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for value in (secret, PASSWORD, "wrong-password-123"):
        assert value not in logged


SECRET_NAMES = {"secret", "signature", "token", "key", "digest", "mac", "expected", "sig", "password", "key_hash"}


def test_secrets_are_compared_in_constant_time_everywhere():
    """No `==`/`!=` between a name that holds a secret, a signature or a digest (use hmac.compare_digest)."""
    offenders = []
    root = Path(__file__).resolve().parents[2] / "supportdesk"
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Compare) or not any(isinstance(o, ast.Eq | ast.NotEq) for o in node.ops):
                continue
            for side in (node.left, *node.comparators):
                name = side.id if isinstance(side, ast.Name) else side.attr if isinstance(side, ast.Attribute) else ""
                if name.lower() in SECRET_NAMES or name.lower().endswith(("_signature", "_secret", "_digest")):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/phone/calls?ticket_id=9341990191611286707503104",
                                 "/api/v1/tickets/9341990191611286707503104",
                                 "/api/v1/tickets/?queue=x&page=9341990191611286707503104"])
def test_given_a_number_beyond_64_bits_when_calling_then_no_5xx(world, url):
    response = world.token_client(world.agent).get(url)
    assert response.status_code < 500, response.content[:200]  # 422 on SQLite; PostgreSQL simply finds nothing


@pytest.mark.django_db
def test_a_survey_link_or_a_feed_token_in_a_refused_request_is_not_logged(caplog):
    from supportdesk.log_redaction import redact

    caplog.set_level(logging.DEBUG)
    survey_token, feed_token = "Od4feUQsurveyTOKENabc123", "feedTOKENxyz789"
    HttpClient(enforce_csrf_checks=True).post(f"/satisfaction/{survey_token}/", {"rating": "good"})  # 403 or 404
    HttpClient().get(f"/satisfaction/{survey_token}/")  # unknown: 404
    HttpClient().get(f"/tam/feed/{feed_token}.ics")  # unknown: 404
    logged = caplog.text + "".join(str(r.args) for r in caplog.records) + "".join(str(r.msg) for r in caplog.records)
    assert survey_token not in logged and feed_token not in logged
    assert redact("Not Found: /tam/feed/abc.ics") == "Not Found: /tam/feed/[redacted].ics"
    assert redact("Forbidden: /satisfaction/abc/?rating=good") == "Forbidden: /satisfaction/[redacted]/?rating=good"
