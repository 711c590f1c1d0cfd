"""Placeholders: filled from the real ticket, "" when there is no value, unknown ones refused on saving,
and values never read again as placeholders or template code."""

from __future__ import annotations

import pytest

from supportdesk.errors import Invalid
from supportdesk.factories import ClientUserFactory, TicketFactory
from supportdesk.macros import actions, placeholders
from supportdesk.macros.models import REPLY_STATUSES
from supportdesk.macros.schemas import ReplyStatus
from supportdesk.tickets.actions import TRANSITIONS

from .factories import SavedReplyFactory

EVERY_PLACEHOLDER = " | ".join(placeholders.known_tokens())


def test_given_a_ticket_when_rendering_then_every_placeholder_has_the_tickets_value(desk):
    reply = SavedReplyFactory(actor=desk.agent, body=EVERY_PLACEHOLDER)
    rendered = actions.render_reply(desk.agent, reply, desk.ticket)
    assert rendered.body == (f"Dana Whitfield | Dana | {desk.ticket.pk} | Matter database down | "
                             "Hartley & Moss LLP | Alex Agent | Taylor Tam")
    assert rendered.kind == "public"


def test_given_spaces_inside_the_braces_when_rendering_then_the_placeholder_is_still_filled(desk):
    reply = SavedReplyFactory(actor=desk.agent, body="Ticket #{{ ticket_number }}")
    assert actions.render_reply(desk.agent, reply, desk.ticket).body == f"Ticket #{desk.ticket.pk}"


def test_given_no_tam_and_a_requester_without_a_name_when_rendering_then_those_values_are_empty(desk):
    nameless = ClientUserFactory(full_name="")  # a client of its own, without a TAM
    ticket = TicketFactory(requester=nameless, subject="Printing fails")
    reply = SavedReplyFactory(actor=desk.agent, body="Hi {{requester_first_name}}|{{requester_name}}|{{tam_name}}|")
    assert actions.render_reply(desk.agent, reply, ticket).body == "Hi |||"


def test_given_a_subject_that_looks_like_a_placeholder_or_template_when_rendering_then_it_stays_text(desk):
    ticket = TicketFactory(requester=desk.requester, subject="{{agent_name}} {% debug %} {0.__class__}")
    reply = SavedReplyFactory(actor=desk.agent, body="Re: {{ticket_subject}}")
    assert actions.render_reply(desk.agent, reply, ticket).body == "Re: {{agent_name}} {% debug %} {0.__class__}"


def test_given_an_unknown_placeholder_when_saving_then_422_names_it_and_lists_the_known_ones(desk):
    with pytest.raises(Invalid) as refused:
        actions.save_reply(desk.agent, title="Typo", body="Hi {{requester_firstname}} and {{ foo }}")
    error = refused.value
    assert error.status == 422 and error.code == "macros.unknown_placeholder"
    assert "{{requester_firstname}}" in error.fields["body"] and "{{foo}}" in error.fields["body"]
    assert "{{requester_first_name}}" in error.message
    assert error.details == {"unknown": ["requester_firstname", "foo"], "known": placeholders.known_tokens()}


def test_given_several_wrong_fields_when_saving_then_one_422_names_each(desk):
    with pytest.raises(Invalid) as refused:
        actions.save_reply(desk.agent, title="  ", body="", kind="shout", status="new")
    assert set(refused.value.fields) == {"title", "body", "kind", "status"}


def test_the_statuses_a_reply_may_set_are_those_a_ticket_may_move_to():
    reachable = set().union(*TRANSITIONS.values())
    assert set(REPLY_STATUSES) == reachable
    assert set(ReplyStatus.__args__) == {s.value for s in REPLY_STATUSES}  # the API's documented enum


def test_a_body_that_opens_a_placeholder_and_never_closes_it_is_checked_in_linear_time():
    # found in review: the old pattern backtracked cubically on "{{" and a long run of spaces (minutes a request)
    import time

    body = "{{" + " " * 19_000 + "x"
    started = time.perf_counter()
    assert placeholders.unknown_in(body) == []
    assert placeholders.fill(body, {}) == body
    # a hang guard, not a performance figure: the old pattern needed about an hour for this body
    assert time.perf_counter() - started < 5.0
    assert placeholders.unknown_in("{{ ticket.number }} and {{  ticket_number  }}") == ["ticket.number"]
