"""Nothing accepted is lost or done twice: a client retrying a reply or an upload after a timeout (Idempotency-Key)
writes it once; an upload whose write fails leaves no file behind, and a file no row names is swept up."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supportdesk import stored_files
from supportdesk.tickets import attachments
from supportdesk.tickets.models import Attachment, Message, Ticket


def _reply(http, ticket, body, key, kind="public"):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": body, "kind": kind},
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def _upload(http, ticket, content, key, name="log.txt"):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": SimpleUploadedFile(name, content)},
                     HTTP_IDEMPOTENCY_KEY=key)


def _stored() -> list[str]:
    return list(stored_files._files_under(default_storage, "attachments/"))


def test_given_a_reply_retried_with_its_idempotency_key_then_one_message_and_the_first_answer(world, as_person):
    # Given a client user whose reply reached the server, but whose client timed out before the answer
    ticket = world["tickets"]["own"]
    http = as_person(world["people"]["client_user"])
    first = _reply(http, ticket, "The export still fails", "reply-1")
    # When the client retries the same POST with the same key
    again = _reply(http, ticket, "The export still fails", "reply-1")
    # Then the retry answers the first message (200), and the conversation and history hold it once
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(ticket=ticket, body="The export still fails").count() == 1
    assert ticket.events.filter(kind="message.public").count() == 1


@pytest.mark.parametrize("other", [{"body": "Something else"}, {"kind": "internal"}, {"ticket": "colleague"}])
def test_given_an_idempotency_key_reused_for_another_message_then_422_and_nothing_written(world, as_person, other):
    # Given an agent's note sent with a key
    http = as_person(world["people"]["agent"])
    ticket = world["tickets"]["own"]
    assert _reply(http, ticket, "Checked the logs", "note-1", kind="public").status_code == 201
    messages = Message.objects.count()
    # When the same key comes with another text, kind or ticket
    target = world["tickets"][other.get("ticket", "own")]
    answer = _reply(http, target, other.get("body", "Checked the logs"), "note-1", kind=other.get("kind", "public"))
    # Then it is refused clearly, and nothing more is written
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "ticket.idempotency_key_reused"
    assert Message.objects.count() == messages


def test_given_a_reply_retried_after_the_ticket_closed_then_the_first_message_not_a_refusal(world, as_person):
    ticket = world["tickets"]["own"]
    http = as_person(world["people"]["client_user"])
    first = _reply(http, ticket, "Thanks, solved", "reply-2")
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", is_open=False)
    again = _reply(http, ticket, "Thanks, solved", "reply-2")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_given_the_same_key_from_two_people_then_each_reply_is_written(world, as_person):
    ticket = world["tickets"]["own"]
    a = _reply(as_person(world["people"]["client_user"]), ticket, "Same words", "shared")
    b = _reply(as_person(world["people"]["client_admin"]), ticket, "Same words", "shared")
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]


def test_given_a_malformed_idempotency_key_on_a_reply_then_422(world, as_person):
    answer = _reply(as_person(world["people"]["client_user"]), world["tickets"]["own"], "Hello", "k" * 101)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "ticket.bad_idempotency_key"
    assert not Message.objects.filter(body="Hello").exists()


def test_given_an_upload_retried_with_its_idempotency_key_then_one_attachment_and_one_stored_file(world, as_person):
    # Given an upload that was stored, its answer lost
    ticket = world["tickets"]["own"]
    http = as_person(world["people"]["client_user"])
    first = _upload(http, ticket, b"trace 1", "up-1")
    # When it is sent again with the same key
    again = _upload(http, ticket, b"trace 1", "up-1")
    # Then the retry answers the first attachment and stores no second file
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert len(_stored()) == 1


@pytest.mark.parametrize("other", [{"content": b"trace 2"}, {"name": "other.txt"}, {"ticket": "colleague"}])
def test_given_an_idempotency_key_reused_for_another_upload_then_422_and_nothing_stored(world, as_person, other):
    http = as_person(world["people"]["client_admin"])
    assert _upload(http, world["tickets"]["own"], b"trace 1", "up-2").status_code == 201
    answer = _upload(http, world["tickets"][other.get("ticket", "own")], other.get("content", b"trace 1"), "up-2",
                     name=other.get("name", "log.txt"))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "ticket.idempotency_key_reused"
    assert Attachment.objects.count() == 1 and len(_stored()) == 1


def test_given_a_retry_racing_its_first_upload_then_the_second_file_is_removed_and_the_first_answered(
        world, monkeypatch):
    # Given the first upload committed just after its retry looked for it (the retry saw nothing yet)
    ticket, agent = world["tickets"]["own"], world["people"]["agent"]
    first = attachments.store_attachment(agent, ticket, upload=ContentFile(b"dump"), filename="dump.bin",
                                         idempotency_key="race")
    looked, lookups = attachments._earlier_attachment, []

    def missed_once(*args):  # noqa: ANN002, ANN202
        lookups.append(args)
        return None if len(lookups) == 1 else looked(*args)

    monkeypatch.setattr(attachments, "_earlier_attachment", missed_once)
    # When the retry stores its file and the unique key refuses its row
    again = attachments.store_attachment(agent, ticket, upload=ContentFile(b"dump"), filename="dump.bin",
                                         idempotency_key="race")
    # Then it answers the first attachment (found after the refusal) and its own file is gone
    assert len(lookups) == 2
    assert (again.created, again.attachment.pk) == (False, first.attachment.pk)
    assert _stored() == [first.attachment.file.name]


def test_given_a_failure_after_the_file_was_stored_then_neither_row_nor_file_is_left(world, monkeypatch):
    # Given storage that works and an event write that fails after the file is stored
    ticket, agent = world["tickets"]["own"], world["people"]["agent"]

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachments, "record_event", broken)
    # When a file is attached
    with pytest.raises(RuntimeError):
        attachments.add_attachment(agent, ticket, upload=ContentFile(b"log"), filename="log.txt")
    # Then no row and no stored file remain
    assert not Attachment.objects.exists()
    assert _stored() == []


def test_given_a_failure_after_an_upload_was_written_then_its_file_is_kept(world):
    # Given an upload whose row was written, then a failure later in the same guarded block (as a callback
    # failing after the commit would be)
    ticket, agent = world["tickets"]["own"], world["people"]["agent"]
    with pytest.raises(RuntimeError), stored_files.removed_on_failure():
        attached = attachments.add_attachment(agent, ticket, upload=ContentFile(b"log"), filename="log.txt")
        raise RuntimeError("a callback after the commit failed")
    # Then the row's file is kept: only files no row names are removed
    assert Attachment.objects.filter(pk=attached.pk).exists()
    assert _stored() == [attached.file.name]


def test_given_a_reply_whose_second_file_fails_then_the_first_file_is_removed_too(world, monkeypatch):
    # Given a reply with two files, the second of which fails to be recorded
    ticket, client_user = world["tickets"]["own"], world["people"]["client_user"]
    real, calls = attachments.record_event, []

    def second_fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(attachments, "record_event", second_fails)
    uploads = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]
    # When it is sent
    with pytest.raises(RuntimeError):
        attachments.reply_with_attachments(client_user, ticket, uploads, body="Two files", kind="public")
    # Then nothing of it remains: no message, no rows, no files
    assert not Message.objects.filter(body="Two files").exists()
    assert not Attachment.objects.exists()
    assert _stored() == []


def test_given_files_no_row_names_then_the_sweep_removes_them_once_a_day_old(world):
    # Given an attachment with its file, an orphan stored two days ago (a killed upload) and one stored just now
    ticket = world["tickets"]["own"]
    kept = attachments.add_attachment(world["people"]["agent"], ticket, upload=ContentFile(b"kept"), filename="k.txt")
    old = default_storage.save("attachments/999/orphan-old", ContentFile(b"x"))
    young = default_storage.save("receipts/orphan-young", ContentFile(b"y"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    # When the daily sweep runs
    removed = stored_files.sweep_orphans()
    # Then only the old orphan is gone: a named file stays, and a young one may belong to a write still running
    assert removed == [old]
    assert default_storage.exists(kept.file.name) and default_storage.exists(young)
    assert not default_storage.exists(old)


def test_given_a_file_removed_while_the_sweep_runs_then_the_sweep_goes_on_to_the_other_orphans(world, monkeypatch):
    # Given two old orphans, the first of which a failed upload's own cleanup removes after the sweep listed it
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    gone = default_storage.save("attachments/998/orphan-gone", ContentFile(b"x"))
    old = default_storage.save("attachments/999/orphan-old", ContentFile(b"y"))
    for name in (gone, old):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    listed = stored_files._files_under

    def listed_then_one_removed(storage, folder):  # noqa: ANN001, ANN202
        names = list(listed(storage, folder))
        if gone in names:
            storage.delete(gone)
        return iter(names)

    monkeypatch.setattr(stored_files, "_files_under", listed_then_one_removed)
    # When the daily sweep runs
    removed = stored_files.sweep_orphans()
    # Then it does not stop at the vanished file: the other orphan is removed
    assert removed == [old]
    assert not default_storage.exists(old)
