"""A reply form sent twice (a double click, a retried POST) adds one message: the portal's reply, the console's
public reply and its internal note, as the portal's new-ticket form opens one ticket."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory, premium_client
from supportdesk.tickets.models import Attachment, Message


@pytest.fixture
def ticket(db):  # noqa: ANN001, ANN201
    return TicketFactory(requester=ClientUserFactory(client=premium_client(name="Twice LLP")), subject="Slow reports")


def _submission(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([0-9a-f]{{32}})"', page)
    assert found, "the reply form carries its submission value"
    return found.group(1)


def test_given_a_portal_reply_with_a_file_sent_twice_then_one_message_and_one_file(ticket, as_person):
    # Given the client on their ticket's page
    http = as_person(ticket.requester)
    url = f"/portal/tickets/{ticket.pk}/"
    submission = _submission(http.get(url).content.decode(), "submission")
    # When the reply with a file is sent twice
    answers = [http.post(url, {"body": "Still slow today", "submission": submission,
                               "attachments": SimpleUploadedFile("trace.txt", b"trace")}) for _ in range(2)]
    # Then both land on the ticket, which holds the reply and its file once
    assert [a.status_code for a in answers] == [302, 302]
    assert Message.objects.filter(ticket=ticket, body="Still slow today").count() == 1
    assert Attachment.objects.filter(ticket=ticket).count() == 1


def test_given_a_portal_reply_edited_and_sent_again_then_a_second_message(ticket, as_person):
    http = as_person(ticket.requester)
    url = f"/portal/tickets/{ticket.pk}/"
    submission = _submission(http.get(url).content.decode(), "submission")
    http.post(url, {"body": "First", "submission": submission})
    http.post(url, {"body": "Second", "submission": submission})
    assert list(Message.objects.filter(ticket=ticket).values_list("body", flat=True))[-2:] == ["First", "Second"]


@pytest.mark.parametrize("kind", ["public", "internal"])
@pytest.mark.parametrize("htmx", [False, True])
def test_given_a_console_reply_or_note_sent_twice_then_one_message(ticket, as_person, kind, htmx):
    # Given an agent on the ticket's console page
    http = as_person(StaffFactory(staff_roles=["agent"]))
    url = f"/console/tickets/{ticket.pk}/"
    submission = _submission(http.get(url).content.decode(), "msg-submission")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    # When the composer is sent twice
    form = {"msg-body": "We are on it", "msg-kind": kind, "msg-submission": submission}
    answers = [http.post(url, form, **headers) for _ in range(2)]
    # Then the conversation holds the message once
    assert all(a.status_code in (200, 302) for a in answers)
    assert Message.objects.filter(ticket=ticket, body="We are on it", kind=kind).count() == 1
    assert ticket.events.filter(kind=f"message.{kind}").count() == 1


def test_given_a_console_composer_answered_by_htmx_then_the_next_reply_has_a_new_submission(ticket, as_person):
    http = as_person(StaffFactory(staff_roles=["agent"]))
    url = f"/console/tickets/{ticket.pk}/"
    submission = _submission(http.get(url).content.decode(), "msg-submission")
    answer = http.post(url, {"msg-body": "One", "msg-kind": "public", "msg-submission": submission},
                       HTTP_HX_REQUEST="true")
    following = _submission(answer.content.decode(), "msg-submission")
    assert following != submission
    http.post(url, {"msg-body": "One", "msg-kind": "public", "msg-submission": following}, HTTP_HX_REQUEST="true")
    assert Message.objects.filter(ticket=ticket, body="One").count() == 2
