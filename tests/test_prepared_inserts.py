"""A prepared insert stores exactly what save() stores, and refuses what it cannot do the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models.signals import pre_save
from django.forms.models import model_to_dict
from django.utils import timezone

from supportdesk.billing.models import Invoice
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.prepared_inserts import NotPreparable, insert, insert_many
from supportdesk.tickets.models import OpenTicketCount, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def stored(obj: object) -> dict:
    row = type(obj).objects.get(pk=obj.pk)  # type: ignore[attr-defined]
    values = model_to_dict(row)
    values.pop("id")
    return values


def test_given_an_event_with_json_and_an_aware_time_when_inserted_then_the_row_equals_what_save_stores():
    ticket, actor = TicketFactory(), StaffFactory()
    at = timezone.now() - timedelta(days=3)
    fields = dict(ticket=ticket, actor=actor, kind="ticket.opened", source="api",
                  data={"severity": 2, "queue": "priority", "nested": {"ü": [1, None]}}, created_at=at)
    saved = TicketEvent(**fields)
    saved.save()
    prepared = insert(TicketEvent(**fields))
    assert stored(prepared) == stored(saved)
    assert TicketEvent.objects.get(pk=prepared.pk).created_at == at


def test_given_unsaved_objects_when_inserted_then_each_gets_its_own_pk_and_counts_as_saved():
    ticket = TicketFactory()
    events = [TicketEvent(ticket=ticket, kind=f"e{i}", source="api", created_at=timezone.now()) for i in range(3)]
    insert_many(events)
    assert len({e.pk for e in events}) == 3
    assert all(not e._state.adding and e._state.db == "default" for e in events)
    assert [e.kind for e in TicketEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")] == ["e0", "e1", "e2"]


def test_given_a_ticket_with_model_defaults_when_inserted_then_defaults_and_database_triggers_apply():
    requester = ClientUserFactory()
    now = timezone.now()
    before = sum(OpenTicketCount.objects.filter(client_id=requester.client_id).values_list("open_count", flat=True))
    ticket = insert(Ticket(client=requester.client, requester=requester, subject="Printer", created_at=now,
                           updated_at=now))
    row = Ticket.objects.get(pk=ticket.pk)
    assert (row.status, row.severity, row.version, row.is_open, row.queue) == ("new", 3, 1, True, "standard")
    if connection.vendor == "sqlite":  # PostgreSQL's counter triggers are deferred to the test's commit
        after = sum(OpenTicketCount.objects.filter(client_id=requester.client_id).values_list("open_count", flat=True))
        assert after == before + 1  # the trigger-kept counter saw the insert


def test_given_a_rolled_back_transaction_then_nothing_inserted_remains():
    ticket = TicketFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        event = insert(TicketEvent(ticket=ticket, kind="x", source="api", created_at=timezone.now()))
        raise RuntimeError("roll back")
    assert not TicketEvent.objects.filter(pk=event.pk).exists()


def test_given_a_model_with_its_own_save_then_insert_refuses_it():
    with pytest.raises(NotPreparable, match="own save"):
        insert(Invoice())


def test_given_a_pre_save_receiver_connected_after_first_use_then_insert_refuses_the_model():
    ticket = TicketFactory()
    insert(TicketEvent(ticket=ticket, kind="first", source="api", created_at=timezone.now()))

    def receiver(**kwargs: object) -> None:
        pass

    pre_save.connect(receiver, sender=TicketEvent)
    try:
        with pytest.raises(NotPreparable, match="pre_save"):
            insert(TicketEvent(ticket=ticket, kind="second", source="api", created_at=timezone.now()))
    finally:
        pre_save.disconnect(receiver, sender=TicketEvent)


def test_given_an_object_already_saved_then_insert_refuses_it():
    ticket = TicketFactory()
    event = insert(TicketEvent(ticket=ticket, kind="x", source="api", created_at=timezone.now()))
    with pytest.raises(ValueError, match="unsaved"):
        insert(event)


def test_the_statement_is_the_orms_own_insert_with_returning():
    ticket = TicketFactory()
    insert(TicketEvent(ticket=ticket, kind="x", source="api", created_at=timezone.now()))
    statement = connections["default"].__dict__["_sd_prepared_inserts"][TicketEvent]
    assert statement.sql.startswith('INSERT INTO "tickets_ticketevent"')
    assert statement.sql.count("%s") == len(statement.fields)
    if connection.features.can_return_columns_from_insert:
        assert "RETURNING" in statement.sql
