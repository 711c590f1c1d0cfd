"""Merging a duplicate into another ticket of the same client (what agents expect of a helpdesk when one
outage arrives by email, phone and chat): the duplicate closes, its conversation lands on the target as an
internal note, its requester is told, and later replies to it go to the target."""

from __future__ import annotations

import pytest

from supportdesk.errors import Conflict, Forbidden, Invalid, NotFound
from supportdesk.factories import TicketFactory
from supportdesk.notifications.models import OutboxItem
from supportdesk.sla.models import Clock
from supportdesk.tickets import actions, merges
from supportdesk.tickets.models import Message, Status, Ticket, TicketEvent


def _duplicate(world, subject: str = "Calendar sync down again") -> Ticket:  # noqa: ANN001
    return TicketFactory(requester=world["people"]["client_user"], subject=subject,
                         body="Same outage as this morning: the calendar shows nothing.")


def test_merging_closes_the_duplicate_and_carries_its_conversation_to_the_target(world):
    # Given an open ticket and a duplicate of it from the same client
    target, source = world["tickets"]["own"], _duplicate(world)
    agent = world["people"]["agent"]
    # When an agent merges the duplicate into the ticket
    merged = merges.merge_ticket(agent, source, target)
    # Then the duplicate is closed and points at the target; its running clocks went with it, not met
    source.refresh_from_db()
    assert merged.pk == target.pk and merged.status != Status.CLOSED
    assert (source.status, source.is_open, source.merged_into_id) == (Status.CLOSED, False, target.pk)
    assert not Clock.objects.filter(ticket=source, stopped_at__isnull=True).exists()
    assert not Clock.objects.filter(ticket=source, state="met").exists()
    # And the target holds the duplicate's conversation as an internal note
    note = Message.objects.get(ticket=target, kind="internal", source_id=f"merge:{source.pk}")
    assert f"Merged from #{source.pk} (Calendar sync down again)" in note.body
    assert "the calendar shows nothing" in note.body
    # And the requester is told where the work continues, by email (no public reply: it is no response)
    mail = OutboxItem.objects.get(ticket=source, topic="ticket.merged")
    assert f"merged into #{target.pk}" in mail.body and mail.recipient == source.requester.email
    assert not source.messages.filter(kind="public", from_staff=True).exists()
    # And both histories say so
    assert TicketEvent.objects.get(ticket=source, kind="ticket.merged_into").data["into"] == target.pk
    assert TicketEvent.objects.get(ticket=target, kind="ticket.merged").data["merged"] == source.pk


def test_the_requester_need_not_be_told(world):
    target, source = world["tickets"]["own"], _duplicate(world)
    merges.merge_ticket(world["people"]["agent"], source, target, tell_requester=False)
    assert not OutboxItem.objects.filter(ticket=source, topic="ticket.merged").exists()
    assert Message.objects.get(ticket=source, body__contains="was merged into").kind == "internal"


@pytest.mark.parametrize("case, code", [
    ("itself", "ticket.merge_self"),
    ("other client", "ticket.merge_other_client"),
    ("closed target", "ticket.merge_closed"),
    ("already merged", "ticket.already_merged"),
    ("into a merged ticket", "ticket.already_merged"),
])
def test_a_merge_that_cannot_be_is_refused_and_changes_nothing(world, case, code):
    agent, own = world["people"]["agent"], world["tickets"]["own"]
    source, target = _duplicate(world), own
    if case == "itself":
        target = source
    elif case == "other client":
        target = world["tickets"]["foreign"]
    elif case == "closed target":
        actions.update_ticket(agent, own, expected_version=own.version, status="closed")
    elif case == "already merged":
        merges.merge_ticket(agent, source, own)
        target = world["tickets"]["colleague"]
    elif case == "into a merged ticket":
        third = _duplicate(world, "Third report")
        merges.merge_ticket(agent, third, own)
        target = third
    before = {t.pk: (t.status, t.merged_into_id, t.messages.count()) for t in Ticket.objects.all()}
    with pytest.raises((Invalid, Conflict)) as refused:
        merges.merge_ticket(agent, source, target)
    assert refused.value.code == code
    assert {t.pk: (t.status, t.merged_into_id, t.messages.count()) for t in Ticket.objects.all()} == before


def test_only_staff_who_work_tickets_merge(world):
    source, target = _duplicate(world), world["tickets"]["own"]
    for role, refusal in (("billing", NotFound), ("client_admin", Forbidden), ("client_user", Forbidden)):
        with pytest.raises(refusal):  # billing staff do not see tickets at all; clients see them, may not merge
            merges.merge_ticket(world["people"][role], source, target)
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_a_reply_on_a_merged_ticket_follows_to_its_target(world):
    agent, target = world["people"]["agent"], world["tickets"]["own"]
    first, second = _duplicate(world), _duplicate(world, "Second report")
    merges.merge_ticket(agent, first, second)  # the second was later merged too
    second.refresh_from_db()
    merges.merge_ticket(agent, second, target)
    first.refresh_from_db()
    assert merges.follow_merges(first).pk == target.pk


def test_the_api_merges_and_refuses_with_codes(world, as_person):
    agent_http = as_person(world["people"]["agent"])
    source, target = _duplicate(world), world["tickets"]["own"]
    response = agent_http.post(f"/api/v1/tickets/{source.pk}/merge", {"into": target.pk},
                               content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == target.pk
    assert agent_http.get(f"/api/v1/tickets/{source.pk}").json()["merged_into_id"] == target.pk
    again = agent_http.post(f"/api/v1/tickets/{source.pk}/merge", {"into": target.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "ticket.already_merged"
    client_http = as_person(world["people"]["client_user"])
    other = _duplicate(world, "Another")
    refused = client_http.post(f"/api/v1/tickets/{other.pk}/merge", {"into": target.pk},
                               content_type="application/json")
    assert refused.status_code == 403


def test_the_console_merges_and_the_portal_points_to_the_target(world, as_person):
    source, target = _duplicate(world), world["tickets"]["own"]
    http = as_person(world["people"]["agent"])
    page = http.get(f"/console/tickets/{source.pk}/").content.decode()
    assert "Merge into ticket #" in page
    # the client's other open tickets are offered; another client's are not
    assert f'<option value="{target.pk}">#{target.pk} Own ticket about invoices</option>' in page
    assert "Foreign ticket about secrets" not in page
    unknown = http.post(f"/console/tickets/{source.pk}/", {"merge-into": "99999", "merge-tell_requester": "on"})
    assert unknown.status_code == 200 and "There is no ticket #99999 you can see." in unknown.content.decode()
    done = http.post(f"/console/tickets/{source.pk}/", {"merge-into": str(target.pk), "merge-tell_requester": "on"})
    assert done.status_code == 302 and done["Location"] == f"/console/tickets/{target.pk}/"
    assert f"Merged into <a href=\"/console/tickets/{target.pk}/\">" in http.get(f"/console/tickets/{source.pk}/").content.decode()
    portal = as_person(world["people"]["client_user"]).get(f"/portal/tickets/{source.pk}/").content.decode()
    assert f"merged into #{target.pk}" in portal and f'href="/portal/tickets/{target.pk}/"' in portal


# Found in review ------------------------------------------------------------------------------------------

def test_a_merge_is_no_response_the_duplicates_clocks_go_on_on_the_target(world):
    from datetime import UTC, datetime, timedelta

    import time_machine

    agent, person = world["people"]["agent"], world["people"]["client_user"]
    opened = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # a Tuesday
    with time_machine.travel(opened, tick=False):  # Given a severity 1 ticket, its response due 30 minutes later
        urgent = TicketFactory(requester=person, subject="Matters down", severity=1)
    with time_machine.travel(opened + timedelta(minutes=20), tick=False):
        later = TicketFactory(requester=person, subject="Matters down (again)", severity=3)
    clock = Clock.objects.get(ticket=urgent, metric="initial_response")
    due = clock.due_at
    # When the urgent one is merged, a minute before its response is due, into the later, less urgent one
    with time_machine.travel(opened + timedelta(minutes=29), tick=False):
        merges.merge_ticket(agent, urgent, later)
    # Then its clock is neither met nor stopped: it runs on the target, due as before
    clock.refresh_from_db()
    assert (clock.ticket_id, clock.state, clock.stopped_at, clock.due_at) == (later.pk, "running", None, due)
    later.refresh_from_db()
    assert later.sla_due_at == due
    # And the target's first reply after the due instant breaches it
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        actions.add_message(agent, later, body="Looking now")
    clock.refresh_from_db()
    assert clock.state == "breached"


def test_the_requester_who_may_not_see_the_target_is_not_told_its_subject(world):
    colleague_ticket = world["tickets"]["colleague"]
    source = _duplicate(world)  # the client user may not see a colleague's ticket
    merges.merge_ticket(world["people"]["agent"], source, colleague_ticket)
    mail = OutboxItem.objects.get(ticket=source, topic="ticket.merged")
    assert "Colleague ticket about calendars" not in mail.body and f"#{colleague_ticket.pk}" not in mail.body
    assert "related request from your organisation" in mail.body


def test_a_client_reply_on_a_stale_copy_of_a_merged_ticket_is_refused_not_buried(world):
    source, target = _duplicate(world), world["tickets"]["own"]
    stale = Ticket.objects.get(pk=source.pk)  # read before the merge committed
    merges.merge_ticket(world["people"]["agent"], source, target)
    with pytest.raises(Invalid) as refused:
        actions.add_message(world["people"]["client_user"], stale, body="More details")
    assert refused.value.code == "ticket.closed" and f"merged into #{target.pk}" in refused.value.message
    assert not source.messages.filter(body="More details").exists()


def test_merging_into_a_solved_ticket_is_refused(world):
    agent, target = world["people"]["agent"], world["tickets"]["own"]
    actions.update_ticket(agent, target, expected_version=target.version, status="solved")
    with pytest.raises(Conflict) as refused:
        merges.merge_ticket(agent, _duplicate(world), target)
    assert refused.value.code == "ticket.merge_closed" and "reopen it" in refused.value.message


# Found in audit: the target of a merge is named only to those who may see it ----------------------------------

def test_given_a_ticket_merged_into_a_colleagues_when_its_requester_reads_it_then_the_target_is_not_named(
        world, as_person):
    # Given a plain client user's ticket merged into a colleague's ticket of the same client
    source, colleague_ticket = _duplicate(world), world["tickets"]["colleague"]
    merges.merge_ticket(world["people"]["agent"], source, colleague_ticket)
    requester = as_person(world["people"]["client_user"])
    # When its requester reads it through the API and the portal
    detail = requester.get(f"/api/v1/tickets/{source.pk}").json()
    history = requester.get(f"/api/v1/tickets/{source.pk}/events").json()
    portal = requester.get(f"/portal/tickets/{source.pk}/").content.decode()
    # Then neither names the colleague's ticket
    assert detail["status"] == "closed" and detail["merged_into_id"] is None
    assert "ticket.merged_into" not in [e["kind"] for e in history["items"]]
    assert history["count"] == len(history["items"])
    assert f"#{colleague_ticket.pk}" not in portal and "related request from your organisation" in portal
    # And a reply refused on it does not name it either
    refused = requester.post(f"/api/v1/tickets/{source.pk}/messages", {"body": "More"}, content_type="application/json")
    assert refused.json()["error"]["code"] == "ticket.closed"
    assert f"#{colleague_ticket.pk}" not in refused.json()["error"]["message"]


@pytest.mark.parametrize("who", ["agent", "client_admin", "designated"])
def test_given_a_ticket_merged_into_a_colleagues_when_someone_who_sees_both_reads_it_then_the_target_is_named(
        world, as_person, who):
    source, colleague_ticket = _duplicate(world), world["tickets"]["colleague"]
    merges.merge_ticket(world["people"]["agent"], source, colleague_ticket)
    http = as_person(world["people"][who])
    assert http.get(f"/api/v1/tickets/{source.pk}").json()["merged_into_id"] == colleague_ticket.pk
    kinds = [e["kind"] for e in http.get(f"/api/v1/tickets/{source.pk}/events").json()["items"]]
    assert "ticket.merged_into" in kinds


def test_given_a_ticket_merged_into_the_requesters_own_then_the_requester_is_shown_the_target(world, as_person):
    source, target = _duplicate(world), world["tickets"]["own"]
    merges.merge_ticket(world["people"]["agent"], source, target)
    http = as_person(world["people"]["client_user"])
    assert http.get(f"/api/v1/tickets/{source.pk}").json()["merged_into_id"] == target.pk
    assert f'href="/portal/tickets/{target.pk}/"' in http.get(f"/portal/tickets/{source.pk}/").content.decode()
