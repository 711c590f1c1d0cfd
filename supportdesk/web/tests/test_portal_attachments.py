"""R17: the portal's ticket form and replies take attachments; the client sees and downloads them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.tickets import attachments
from supportdesk.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def signed_in(user) -> HttpClient:  # noqa: ANN001
    http = HttpClient()
    assert http.login(email=user.email, password=PASSWORD)
    return http


def upload(name: str, content: bytes = b"log line\n", content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def new_ticket(http: HttpClient, files: list) -> object:  # noqa: ANN001
    return http.post("/portal/tickets/new/", {"subject": "Sync fails", "severity": "2", "body": "Since 9:00.",
                                              "attachments": files})


def test_the_new_ticket_form_offers_attachments_with_their_limits():
    html = signed_in(ClientUserFactory()).get("/portal/tickets/new/").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and "multiple" in html
    assert "25 MB" in html and "10 files" in html


def test_given_files_with_odd_names_when_a_client_opens_a_ticket_then_they_are_attached_under_generated_names():
    person = ClientUserFactory()
    http = signed_in(person)
    response = new_ticket(http, [upload("../../etc/passwd", b"root:x:0:0"),
                                 upload('r\u00e9sum\u00e9 \u2603 "q"<x>.pdf', b"%PDF-1.4", "application/pdf")])
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    opening = ticket.messages.get()
    stored = list(ticket.attachments.order_by("id"))
    assert [a.filename for a in stored] == ["passwd", "r\u00e9sum\u00e9 \u2603 qx.pdf"]
    assert all(a.message == opening and a.uploaded_by == person and not a.internal for a in stored)
    assert all(a.file.name.startswith(f"attachments/{ticket.pk}/") and "passwd" not in a.file.name for a in stored)
    page = http.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "passwd" in page and f"/portal/tickets/{ticket.pk}/attachments/{stored[0].pk}/" in page
    download = http.get(f"/portal/tickets/{ticket.pk}/attachments/{stored[0].pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"root:x:0:0"
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("case", ["too_large", "too_many", "empty"])
def test_given_files_over_the_limits_then_the_error_is_shown_in_place_and_nothing_is_opened(monkeypatch, case):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 16)
    files = {"too_large": [upload("ok.txt"), upload("big.log", b"x" * 17)],
             "too_many": [upload(f"f{n}.txt") for n in range(attachments.MAX_FILES_PER_MESSAGE + 1)],
             "empty": [upload("empty.txt", b"")]}[case]
    response = new_ticket(signed_in(ClientUserFactory()), files)
    assert response.status_code == 200
    html = response.content.decode()
    assert {"too_large": "big.log is larger than", "too_many": "at most 10 files", "empty": "is empty"}[case] in html
    assert 'data-field="attachments"' in html and "Sync fails" in html      # the form keeps what was typed
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_given_a_reply_with_a_file_then_it_is_attached_to_that_reply():
    ticket = TicketFactory()
    http = signed_in(ticket.requester)
    response = http.post(f"/portal/tickets/{ticket.pk}/", {"body": "Here is the log.", "attachments": [upload("sync.log")]})
    assert response.status_code == 302
    reply = ticket.messages.get(body="Here is the log.")
    assert ticket.attachments.get().message == reply


def test_downloads_follow_the_policy_other_clients_and_internal_files_are_404():
    ticket = TicketFactory()
    shared = attachments.add_attachment(ticket.requester, ticket, upload=upload("shared.txt"), filename="shared.txt")
    internal = attachments.add_attachment(StaffFactory(), ticket, upload=upload("notes.txt"), filename="notes.txt",
                                          internal=True)
    owner = signed_in(ticket.requester)
    assert owner.get(f"/portal/tickets/{ticket.pk}/attachments/{shared.pk}/").status_code == 200
    assert owner.get(f"/portal/tickets/{ticket.pk}/attachments/{internal.pk}/").status_code == 404
    assert "notes.txt" not in owner.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    stranger = signed_in(ClientUserFactory())
    assert stranger.get(f"/portal/tickets/{ticket.pk}/attachments/{shared.pk}/").status_code == 404
    other_ticket = TicketFactory(requester=ticket.requester)
    assert owner.get(f"/portal/tickets/{other_ticket.pk}/attachments/{shared.pk}/").status_code == 404
    assert HttpClient().get(f"/portal/tickets/{ticket.pk}/attachments/{shared.pk}/").status_code == 302


def test_agents_see_the_clients_files_and_internal_ones_in_the_console():
    ticket = TicketFactory()
    agent = StaffFactory()
    shared = attachments.add_attachment(ticket.requester, ticket, upload=upload("from-client.log"), filename="from-client.log")
    internal = attachments.add_attachment(agent, ticket, upload=upload("notes.txt"), filename="notes.txt", internal=True)
    http = signed_in(agent)
    page = http.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "from-client.log" in page and "notes.txt" in page
    for attachment in (shared, internal):
        url = f"/console/tickets/{ticket.pk}/attachments/{attachment.pk}/"
        assert url in page and http.get(url).status_code == 200
    assert signed_in(ticket.requester).get(f"/console/tickets/{ticket.pk}/attachments/{internal.pk}/").status_code == 404


def test_given_a_file_missing_from_storage_then_its_download_page_is_404_not_500():
    person = ClientUserFactory()
    http = signed_in(person)
    assert new_ticket(http, [upload("trace.log", b"boom")]).status_code == 302
    stored = Ticket.objects.get().attachments.get()
    stored.file.storage.delete(stored.file.name)
    assert http.get(f"/portal/tickets/{stored.ticket_id}/attachments/{stored.pk}/").status_code == 404
