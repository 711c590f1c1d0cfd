"""R12: guides and recordings on tickets of marked categories, kept in the client's library; files typed
by their bytes, streamed with a size limit, always served as downloads. R8: escalation to the TAM."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.errors import Forbidden, Invalid
from supportdesk.helpcenter.models import Visibility
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import actions, library
from supportdesk.tam.models import LibraryItem
from supportdesk.tickets.models import Category, TicketEvent

from .factories import HTML, MP4, SVG, WEBM


def put_recording(http, ticket, content: bytes, filename: str = "fix.mp4", **extra):  # noqa: ANN001, ANN201
    return http.generic("PUT", f"/api/v1/tam/tickets/{ticket.pk}/recordings?filename={filename}&title=How+to",
                        content, content_type="application/octet-stream", **extra)


def test_a_private_guide_becomes_a_client_only_article_in_the_library(world, as_person):
    ticket = world["ticket"]
    item = library.attach_guide(world["people"]["tam"], ticket, title="Speed up reports",
                                body="1. Open settings\n2. <b>Rebuild</b> the index")
    assert item.article.visibility == Visibility.CLIENT and item.article.client == world["own"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="tam.guide_attached").exists()
    http = as_person(world["people"]["client_user"])
    listing = http.get("/portal/library/")
    assert b"Speed up reports" in listing.content
    page = http.get(f"/portal/library/{item.pk}/")
    assert page.status_code == 200 and b"&lt;b&gt;Rebuild" in page.content
    assert as_person(world["people"]["foreign_admin"]).get(f"/portal/library/{item.pk}/").status_code == 404


def test_a_guide_is_a_proper_help_center_article_found_by_search_and_shown_step_by_step(world, as_person):
    # Given a private guide with steps on separate lines
    item = library.attach_guide(world["people"]["tam"], world["ticket"], title="Rebuild the docket index",
                                body="1. Open settings\n2. Press <Rebuild>\n\nDone.")
    # When the client's user searches the help center for a word of its steps
    found = as_person(world["people"]["client_user"]).get("/help/", {"q": "settings"})
    # Then the guide is found (it was never indexed), but not by another client
    assert b"Rebuild the docket index" in found.content
    assert b"Rebuild the docket index" not in as_person(world["people"]["foreign_admin"]).get(
        "/help/", {"q": "settings"}).content
    # and its steps keep their lines, escaped, in the help center and in the library
    for url in (f"/help/articles/{item.article.slug}/", f"/portal/library/{item.pk}/"):
        page = as_person(world["people"]["client_user"]).get(url).content.decode()
        assert "1. Open settings<br>2. Press &lt;Rebuild&gt;" in page, url
    assert TicketEvent.objects.filter(ticket=world["ticket"], kind="tam.guide_attached").exists()


def test_guides_need_a_category_marked_for_them(world):
    ticket = world["ticket"]
    ticket.category = Category.objects.create(name="Billing question")
    ticket.save()
    with pytest.raises(Invalid) as refused:
        library.attach_guide(world["people"]["tam"], ticket, title="x", body="y")
    assert refused.value.code == "tam.guides_not_enabled"


@pytest.mark.parametrize("content,name", [(MP4, "fix.mp4"), (WEBM, "fix.webm")])
def test_a_video_recording_is_streamed_stored_under_a_generated_name_and_served_as_a_download(world, as_person,
                                                                                              content, name):
    http = as_person(world["people"]["tam"])
    response = put_recording(http, world["ticket"], content, filename=name)
    assert response.status_code == 201, response.content
    item = LibraryItem.objects.get(pk=response.json()["id"])
    assert item.file.name.startswith(f"tam/recordings/{world['own'].pk}/") and name not in item.file.name
    assert item.size == len(content) and item.content_type.startswith("video/")
    download = as_person(world["people"]["client_user"]).get(f"/tam/library/{item.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize("content,name", [(HTML, "fix.mp4"), (SVG, "movie.webm"), (b"GIF89a" + b"\x00" * 50, "a.mp4")])
def test_what_is_not_video_is_refused_whatever_its_name(world, as_person, content, name):
    response = put_recording(as_person(world["people"]["tam"]), world["ticket"], content, filename=name)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "tam.recording_not_video"
    assert not LibraryItem.objects.exists()


def test_a_recording_over_the_limit_is_refused_while_streaming_and_by_its_declared_length(world, as_person, monkeypatch):
    monkeypatch.setattr(library, "MAX_RECORDING_BYTES", 1000)
    http = as_person(world["people"]["tam"])
    streamed = put_recording(http, world["ticket"], MP4 + b"\x00" * 2000)
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "tam.recording_too_large"
    with pytest.raises(Invalid) as refused:
        library.attach_recording(world["people"]["tam"], world["ticket"], chunks=iter([MP4] * 10), filename="x.mp4")
    assert refused.value.code == "tam.recording_too_large"
    assert not LibraryItem.objects.exists()


def test_a_declared_length_is_checked_after_who_asks_and_a_malformed_one_is_a_clear_400(world, as_person):
    # Given a recording upload whose Content-Length declares more than the limit
    huge = {"CONTENT_LENGTH": str(library.MAX_RECORDING_BYTES + 1)}
    # When anonymous people or another client's admin send it, they learn nothing about the ticket
    assert put_recording(as_person(None), world["ticket"], MP4, **huge).status_code == 401
    assert put_recording(as_person(world["people"]["foreign_admin"]), world["ticket"], MP4, **huge).status_code == 404
    # When the client's TAM sends it, it is refused before the body is read
    too_large = put_recording(as_person(world["people"]["tam"]), world["ticket"], MP4, **huge)
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "tam.recording_too_large"
    # When the header is not a number, the answer is a 400 naming it (it was a 500)
    malformed = put_recording(as_person(world["people"]["tam"]), world["ticket"], MP4, CONTENT_LENGTH="abc")
    assert malformed.status_code == 400 and "Content-Length" in malformed.json()["error"]["message"]
    superscript = put_recording(as_person(world["people"]["tam"]), world["ticket"], MP4, CONTENT_LENGTH="\u00b2")
    assert superscript.status_code == 400  # '²' passes str.isdigit() but not int(): it was a 500
    # When it is sent chunked, without a length (the body would read as empty), the answer says to send one
    chunked = put_recording(as_person(world["people"]["tam"]), world["ticket"], b"", HTTP_TRANSFER_ENCODING="chunked")
    assert chunked.status_code == 411 and chunked.json()["error"]["code"] == "tam.length_required"
    assert not LibraryItem.objects.exists()


def test_the_web_upload_form_refuses_non_video_in_place(world, as_person):
    http = as_person(world["people"]["tam"])
    page = http.post(f"/tam/tickets/{world['ticket'].pk}/recording/",
                     {"title": "x", "file": SimpleUploadedFile("x.mp4", HTML, content_type="video/mp4")})
    assert page.status_code == 422 and b"not a video" in page.content
    ok = http.post(f"/tam/tickets/{world['ticket'].pk}/recording/",
                   {"title": "Fix", "file": SimpleUploadedFile("x.mp4", MP4, content_type="video/mp4")})
    assert ok.status_code == 302
    assert LibraryItem.objects.filter(kind="recording").count() == 1


def test_the_web_upload_form_stops_reading_past_the_limit(world, as_person, monkeypatch):
    monkeypatch.setattr(library, "MAX_RECORDING_BYTES", 1000)
    page = as_person(world["people"]["tam"]).post(
        f"/tam/tickets/{world['ticket'].pk}/recording/",
        {"title": "x", "file": SimpleUploadedFile("x.mp4", MP4 + b"\x00" * 5000, content_type="video/mp4")})
    assert page.status_code == 422 and b"larger than the limit" in page.content


def test_escalating_records_the_event_mails_the_tam_and_may_assign(world, as_person):
    ticket, agent, tam = world["ticket"], world["people"]["agent"], world["people"]["tam"]
    response = as_person(agent).post(f"/api/v1/tam/tickets/{ticket.pk}/escalate",
                                     {"reason": "Customer threatens to churn", "assign": True},
                                     content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["assignee_id"] == tam.pk
    event = TicketEvent.objects.get(ticket=ticket, kind="ticket.escalated_to_tam")
    assert event.actor == agent and event.data["tam"] == tam.email and event.data["assigned"] is True
    mail = OutboxItem.objects.get(topic="tam.escalation")
    assert mail.recipient == tam.email and "churn" in mail.body


def test_escalation_from_the_ticket_page_and_without_a_tam(world, as_person):
    from supportdesk.factories import TicketFactory

    http = as_person(world["people"]["agent"])
    page = http.get(f"/console/tickets/{world['ticket'].pk}/")
    assert b"Escalate to TAM" in page.content
    assert http.post(f"/tam/tickets/{world['ticket'].pk}/escalate/", {"reason": "help"}).status_code == 302
    assert TicketEvent.objects.filter(kind="ticket.escalated_to_tam").count() == 1
    # A client without a TAM: a clear refusal
    from supportdesk.factories import ClientUserFactory

    lonely = TicketFactory(requester=ClientUserFactory())
    with pytest.raises(Invalid) as refused:
        actions.escalate_to_tam(world["people"]["agent"], lonely, reason="x")
    assert refused.value.code == "tam.no_tam"
    # Clients cannot escalate
    with pytest.raises(Forbidden):
        actions.escalate_to_tam(world["people"]["client_admin"], world["ticket"])


def test_the_ticket_panel_offers_guides_to_the_tam_and_the_library_to_the_client(world, as_person):
    ticket = world["ticket"]
    library.attach_recording(world["people"]["tam"], ticket, chunks=[MP4], filename="fix.mp4", title="Rebuild index")
    staff_page = as_person(world["people"]["tam"]).get(f"/console/tickets/{ticket.pk}/").content
    assert b"Attach a guide" in staff_page and b"Rebuild index" in staff_page
    assert b"Attach a guide" not in as_person(world["people"]["agent"]).get(f"/console/tickets/{ticket.pk}/").content
    client_page = as_person(world["people"]["client_user"]).get(f"/portal/tickets/{ticket.pk}/").content
    assert b"/portal/library/" in client_page and b"Escalate" not in client_page


def test_every_ticket_shows_the_clients_tam_as_primary_contact_in_the_api_too(world, as_person):
    # Given a ticket of a client with a dedicated TAM, and one of a client without
    from supportdesk.factories import ClientUserFactory, TicketFactory

    ticket, tam = world["ticket"], world["people"]["tam"]
    lonely = TicketFactory(requester=ClientUserFactory())
    # When the requester and an agent read them through the API
    for person in (world["people"]["client_user"], world["people"]["agent"]):
        detail = as_person(person).get(f"/api/v1/tickets/{ticket.pk}")
        # Then the TAM is named on the ticket (the pages show it in the ticket panel)
        assert detail.status_code == 200 and detail.json()["tam"] == tam.email
    assert as_person(world["people"]["agent"]).get(f"/api/v1/tickets/{lonely.pk}").json()["tam"] is None
    # and after a reassignment the ticket names the new TAM
    actions.reassign_tam(world["people"]["manager"], client=world["own"], tam=world["people"]["other_tam"])
    assert as_person(world["people"]["client_user"]).get(f"/api/v1/tickets/{ticket.pk}").json()["tam"] == \
        world["people"]["other_tam"].email


def test_reassignment_keeps_history_and_moves_the_series_to_the_new_tam(world, as_person):
    from supportdesk.tam import calls

    own, tam, other_tam = world["own"], world["people"]["tam"], world["people"]["other_tam"]
    series = calls.create_series(tam, client=own, cadence="weekly", weekday=1, local_time="10:00")
    http = as_person(world["people"]["manager"])
    response = http.post(f"/api/v1/tam/clients/{own.pk}/assignment", {"tam_id": other_tam.pk},
                         content_type="application/json")
    assert response.status_code == 201
    history = http.get(f"/api/v1/tam/clients/{own.pk}/assignments").json()["items"]
    assert [h["tam_email"] for h in history] == [other_tam.email, tam.email]
    assert history[1]["end"] is not None
    series.refresh_from_db()
    assert series.tam == other_tam
    assert {o.sequence for o in series.occurrences.all()} == {1}
    # The former TAM no longer works the client
    assert as_person(tam).get(f"/tam/clients/{own.pk}/").status_code == 404
    assert as_person(tam).post(f"/api/v1/tam/clients/{own.pk}/assignment", {"tam_id": tam.pk},
                               content_type="application/json").status_code == 404


def test_given_a_manager_when_the_tam_named_does_not_hold_the_role_then_422_naming_tam_id(world, as_person):
    # Given a manager and a staff member who is not a TAM
    http = as_person(world["people"]["manager"])
    agent = world["people"]["agent"]
    # When the manager makes that person the client's TAM through the API
    response = http.post(f"/api/v1/tam/clients/{world['own'].pk}/assignment", {"tam_id": agent.pk},
                         content_type="application/json")
    # Then a 422 naming the body's field, as sent
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["tam_id"]
