"""The staff review queue at /console/review/: unknown senders and unreadable mail wait there; staff
open a ticket for a chosen client user or dismiss; clients never see it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD
from supportdesk.intake import actions
from supportdesk.intake.models import Outcome
from supportdesk.notifications.models import OutboxItem
from supportdesk.tickets.models import Ticket

from .conftest import corpus_raw


def _login(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


@pytest.fixture
def in_review(mail_world):  # noqa: ANN001, ANN201
    inbound = actions.receive(corpus_raw("28_client_domain_unknown_user.eml", 0), channel="smtp").inbound
    return actions.process_inbound(inbound.pk)


def test_an_unknown_sender_waits_in_review_and_gets_no_reply(in_review):
    assert in_review.outcome == Outcome.REVIEW and in_review.needs_review
    assert "carol@acme.example" in in_review.error and "Acme" in in_review.error
    assert not OutboxItem.objects.filter(recipient="carol@acme.example").exists()


def test_staff_see_the_queue_and_the_message(mail_world, in_review):
    http = _login(mail_world["agent"])
    page = http.get("/console/review/")
    assert page.status_code == 200 and b"New here, need access" in page.content
    detail = http.get(f"/console/review/{in_review.pk}/")
    assert detail.status_code == 200 and b"I started last week" in detail.content
    assert b"alice@acme.example" in detail.content  # people at the sender's client domain are suggested
    raw = http.get(f"/console/review/{in_review.pk}/raw/")
    assert raw.status_code == 200 and raw["Content-Type"] == "application/octet-stream"
    assert raw.content == bytes(in_review.raw)


def test_clients_and_anonymous_people_cannot_see_the_review_queue(mail_world, in_review):
    client_admin = _login(mail_world["alice"])
    assert client_admin.get("/console/review/").status_code == 404
    assert client_admin.get(f"/console/review/{in_review.pk}/raw/").status_code == 404
    assert HttpClient().get("/console/review/").status_code == 302  # to sign-in


def test_staff_open_a_ticket_for_a_client_user_from_review(mail_world, in_review):
    http = _login(mail_world["agent"])
    response = http.post(f"/console/review/{in_review.pk}/", {"requester": "bob@acme.example"})
    in_review.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/console/tickets/{in_review.ticket_id}/"
    assert in_review.outcome == Outcome.NEW_TICKET and in_review.reviewed_by == mail_world["agent"]
    assert in_review.ticket.requester == mail_world["bob"] and in_review.ticket.subject == "New here, need access"
    # handled once: a second attempt is refused in place
    again = http.post(f"/console/review/{in_review.pk}/", {"requester": "bob@acme.example"})
    assert again.status_code == 200 and b"already handled" in again.content


def test_a_requester_must_be_a_client_user(mail_world, in_review):
    http = _login(mail_world["agent"])
    response = http.post(f"/console/review/{in_review.pk}/", {"requester": "agent@vendor.example"})
    assert response.status_code == 200 and b"No active client user" in response.content


def test_an_unreadable_message_can_be_assigned_with_the_original_attached(mail_world):
    inbound = actions.process_inbound(
        actions.receive(corpus_raw("32_not_an_email.eml", 0), channel="smtp").inbound.pk)
    assert inbound.outcome == Outcome.UNPARSEABLE
    ticket = actions.assign_to_requester(mail_world["agent"], inbound.pk, requester=mail_world["alice"])
    original = ticket.attachments.get()
    assert original.filename == "original.eml" and original.file.read() == bytes(inbound.raw)


def test_staff_dismiss_a_message(mail_world, in_review):
    http = _login(mail_world["agent"])
    assert http.post(f"/console/review/{in_review.pk}/", {"dismiss": "1"}).status_code == 302
    in_review.refresh_from_db()
    assert in_review.outcome == Outcome.DISMISSED and not in_review.needs_review
    assert b"No mail waits for review" in http.get("/console/review/").content


def test_the_api_lists_assigns_and_refuses_clients(mail_world, in_review):
    staff = _login(mail_world["agent"])
    listed = staff.get("/api/v1/intake/inbound")
    assert listed.status_code == 200 and [i["id"] for i in listed.json()["items"]] == [in_review.pk]
    assert _login(mail_world["alice"]).get(f"/api/v1/intake/inbound/{in_review.pk}").status_code == 404
    bad = staff.post(f"/api/v1/intake/inbound/{in_review.pk}/assign", {"requester_email": "nobody@acme.example"},
                     content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "intake.bad_requester"
    done = staff.post(f"/api/v1/intake/inbound/{in_review.pk}/assign", {"requester_email": "bob@acme.example"},
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["outcome"] == "new_ticket" and done.json()["ticket_id"]
    again = staff.post(f"/api/v1/intake/inbound/{in_review.pk}/dismiss")
    assert again.status_code == 409 and again.json()["error"]["code"] == "intake.already_handled"


def test_assigning_a_second_copy_of_a_message_links_it_instead_of_failing(mail_world, in_review):
    # Given the same unknown sender's message arrived twice by two routes (one copy with an extra spam
    # header, so both were stored) and both wait in review
    copy = actions.receive(b"X-Spam-Score: 0.1\r\n" + bytes(in_review.raw), channel="imap").inbound
    copy = actions.process_inbound(copy.pk)
    assert copy.outcome == Outcome.REVIEW and copy.message_id == in_review.message_id
    staff = _login(mail_world["agent"])
    first = staff.post(f"/api/v1/intake/inbound/{in_review.pk}/assign", {"requester_email": "bob@acme.example"},
                       content_type="application/json")
    assert first.status_code == 200
    # When staff assign the second copy too
    second = staff.post(f"/api/v1/intake/inbound/{copy.pk}/assign", {"requester_email": "bob@acme.example"},
                        content_type="application/json")
    # Then it is marked a duplicate on the ticket the first copy opened, not a 500 nor a second ticket
    assert second.status_code == 200, second.content[:300]
    assert second.json()["outcome"] == "duplicate" and second.json()["ticket_id"] == first.json()["ticket_id"]
    assert Ticket.objects.filter(requester=mail_world["bob"]).count() == 1


@pytest.mark.parametrize("page", ["99", "9" * 10, "9341990191611286707503104"])
def test_given_a_page_past_the_end_of_the_review_queue_then_its_last_page_is_shown(mail_world, page):
    # Given 26 messages waiting for review (two pages of 25)
    from django.utils import timezone

    from supportdesk.intake.models import InboundMessage, InboundStatus

    for n in range(26):
        InboundMessage.objects.create(
            channel="smtp", raw=b"x", size=1, sha256=f"{n:064d}", message_id=f"<m{n}@example.org>",
            content_hash=f"{n:064d}", sender=f"s{n}@unknown.example", subject=f"Waiting {n:02d}",
            status=InboundStatus.PROCESSED, outcome=Outcome.REVIEW, received_at=timezone.now())
    # When staff ask for a page past the end, however large its number
    response = _login(mail_world["agent"]).get("/console/review/", {"page": page})
    # Then the last page is shown, as on the other console lists
    assert response.status_code == 200, response.content[:200]
    assert "Page 2 of 2 · 26 in all" in response.content.decode()
