"""Saved-reply factories, building through the actions so validation and events are real."""

from __future__ import annotations

import factory

from supportdesk.factories import StaffFactory
from supportdesk.macros import actions
from supportdesk.macros.models import SavedReply


class SavedReplyFactory(factory.Factory):
    """A personal reply of `actor` (a new agent unless given)."""

    class Meta:
        model = SavedReply

    actor = factory.SubFactory(StaffFactory)
    title = factory.Sequence(lambda n: f"Saved reply {n}")
    body = "Hello {{requester_first_name}}, we are on it.\n{{agent_name}}"
    kind = "public"
    status = ""
    shared = False

    @classmethod
    def _create(cls, model_class, actor, **kwargs):  # noqa: ANN001, ANN206
        return actions.save_reply(actor, **kwargs)


class SharedReplyFactory(SavedReplyFactory):
    """A reply shared with all staff, written by a manager."""

    actor = factory.SubFactory(StaffFactory, staff_roles=["manager"])
    shared = True
