"""Who uses, writes, changes and archives saved replies: staff workers use shared ones and their own; they
write personal ones; managers and system admins the shared ones; nobody sees another person's personal ones."""

from __future__ import annotations

import pytest

from supportdesk.errors import Conflict, Forbidden, NotFound
from supportdesk.macros import actions, queries
from supportdesk.macros.models import MacroEvent

from .factories import SavedReplyFactory, SharedReplyFactory


def test_given_an_agent_when_writing_a_personal_reply_then_it_is_theirs_with_a_created_event(desk):
    reply = actions.save_reply(desk.agent, title="Asking for logs", body="Please send the log.", status="waiting")
    assert reply.owner == desk.agent and reply.created_by == desk.agent and not reply.shared
    assert list(MacroEvent.objects.filter(reply=reply).values_list("kind", "actor")) == [("created", desk.agent.pk)]


def test_given_an_agent_when_writing_a_shared_reply_then_403(desk):
    with pytest.raises(Forbidden) as refused:
        actions.save_reply(desk.agent, title="Everyone's", body="Hello", shared=True)
    assert "managers and system admins" in refused.value.message


@pytest.mark.parametrize("role", ["manager", "sysadmin"])
def test_given_a_manager_or_system_admin_when_writing_changing_archiving_a_shared_reply_then_done(desk, role):
    boss = getattr(desk, role)
    reply = actions.save_reply(boss, title="Solved, please confirm", body="Solved.", status="solved", shared=True)
    assert reply.shared
    changed = actions.save_reply(boss, reply=reply, title=reply.title, body="Solved, thanks.", status="solved")
    archived = actions.archive_reply(boss, changed)
    assert archived.archived
    events = list(MacroEvent.objects.filter(reply=reply).values_list("kind", "data"))
    assert events == [("created", {"shared": True}), ("changed", {"fields": ["body"]}), ("archived", {})]


def test_given_an_agent_when_changing_or_archiving_a_shared_reply_then_403_and_nothing_changes(desk):
    reply = SharedReplyFactory(body="Original")
    with pytest.raises(Forbidden):
        actions.save_reply(desk.agent, reply=reply, title=reply.title, body="Hijacked")
    with pytest.raises(Forbidden):
        actions.archive_reply(desk.agent, reply)
    reply.refresh_from_db()
    assert reply.body == "Original" and not reply.archived


@pytest.mark.parametrize("who", ["other_agent", "manager", "sysadmin"])
def test_given_another_persons_personal_reply_then_it_is_invisible_404(desk, who):
    mine = SavedReplyFactory(actor=desk.agent, title="My private one")
    person = getattr(desk, who)
    assert mine not in queries.replies(person)
    for attempt in (lambda: queries.reply_for(person, mine.pk),
                    lambda: actions.save_reply(person, reply=mine, title="x", body="y"),
                    lambda: actions.archive_reply(person, mine),
                    lambda: actions.render_reply(person, mine, desk.ticket)):
        with pytest.raises(NotFound):
            attempt()


@pytest.mark.parametrize("who", ["requester", "billing"])
def test_given_a_client_or_non_working_staff_then_no_reply_exists_for_them(desk, who):
    person = getattr(desk, who)
    shared = SharedReplyFactory()
    with pytest.raises(NotFound):
        queries.replies(person)
    with pytest.raises(NotFound):
        queries.reply_for(person, shared.pk)
    with pytest.raises(NotFound):
        actions.render_reply(person, shared, desk.ticket)
    with pytest.raises(Forbidden):
        actions.save_reply(person, title="Mine", body="Hello")


def test_given_shared_and_own_replies_when_listing_then_shared_first_and_archived_left_out(desk):
    own = SavedReplyFactory(actor=desk.agent, title="A personal one")
    shared = SharedReplyFactory(title="Z shared one")
    gone = SharedReplyFactory(title="B retired one")
    actions.archive_reply(desk.manager, gone)
    assert list(queries.replies(desk.agent)) == [shared, own]
    assert gone in queries.replies(desk.agent, include_archived=True)
    with pytest.raises(NotFound):
        queries.reply_for(desk.agent, gone.pk, usable=True)
    with pytest.raises(NotFound):
        actions.render_reply(desk.agent, gone, desk.ticket)


def test_titles_are_unique_per_scope_ignoring_case_until_archived(desk):
    SavedReplyFactory(actor=desk.agent, title="Asking for logs")
    SavedReplyFactory(actor=desk.other_agent, title="Asking for logs")  # another person's scope
    shared = SharedReplyFactory(title="Asking for logs")  # the shared scope
    with pytest.raises(Conflict) as refused:
        actions.save_reply(desk.agent, title="asking FOR logs", body="Again")
    assert refused.value.fields == {"title": "already used"}
    with pytest.raises(Conflict):
        actions.save_reply(desk.manager, title="ASKING for logs", body="Again", shared=True)
    actions.archive_reply(desk.manager, shared)
    assert actions.save_reply(desk.manager, title="Asking for logs", body="Anew", shared=True).shared


def test_given_an_archived_reply_when_changing_it_then_409_and_archiving_again_changes_nothing(desk):
    reply = SavedReplyFactory(actor=desk.agent)
    actions.archive_reply(desk.agent, reply)
    with pytest.raises(Conflict):
        actions.save_reply(desk.agent, reply=reply, title="New title", body="New")
    actions.archive_reply(desk.agent, reply)
    assert MacroEvent.objects.filter(reply=reply, kind="archived").count() == 1


def test_given_no_change_when_saving_then_no_event(desk):
    reply = SavedReplyFactory(actor=desk.agent, title="Same", body="Same")
    actions.save_reply(desk.agent, reply=reply, title=" Same ", body="Same\n")
    assert list(MacroEvent.objects.filter(reply=reply).values_list("kind", flat=True)) == ["created"]
