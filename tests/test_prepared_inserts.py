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
from supportdesk.prepared_inserts import InsertBatch, NotPreparable, insert, insert_many
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


# InsertBatch: values prepared before the transaction, statements run inside it.


def ticket_added_to(batch: InsertBatch, subject: str = "Printer") -> Ticket:
    requester = ClientUserFactory()
    now = timezone.now()
    return batch.add(Ticket(client=requester.client, requester=requester, subject=subject, created_at=now,
                            updated_at=now))

def test_given_a_parent_and_children_added_unsaved_when_the_batch_is_inserted_then_children_point_at_the_parent():
    now = timezone.now()
    batch = InsertBatch()
    ticket = ticket_added_to(batch)
    events = [batch.add(TicketEvent(ticket=ticket, kind=f"e{i}", source="api", created_at=now)) for i in range(2)]
    assert ticket.pk is None and not Ticket.objects.filter(subject="Printer").exists()  # nothing written yet
    with transaction.atomic():
        batch.insert()
    assert ticket.pk is not None
    assert [(e.ticket_id, e.kind) for e in TicketEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")] == [
        (ticket.pk, "e0"), (ticket.pk, "e1")]
    assert events[0].ticket is ticket  # the cached parent is kept: no query to read it back


def test_given_a_value_computed_at_insert_then_it_sees_the_keys_of_rows_inserted_before_it():
    now = timezone.now()
    batch = InsertBatch()
    ticket = ticket_added_to(batch)
    event = batch.add(TicketEvent(ticket=ticket, kind="ticket.opened", source="api", created_at=now),
                      at_insert={"data": lambda: {"ticket_number": ticket.pk}})
    batch.insert()
    assert TicketEvent.objects.get(pk=event.pk).data == {"ticket_number": ticket.pk}
    assert event.data == {"ticket_number": ticket.pk}


def test_a_batched_row_stores_exactly_what_save_stores():
    ticket, actor = TicketFactory(), StaffFactory()
    at = timezone.now() - timedelta(days=3)
    fields = dict(ticket=ticket, actor=actor, kind="ticket.opened", source="api",
                  data={"severity": 2, "nested": {"ü": [1, None]}}, created_at=at)
    saved = TicketEvent(**fields)
    saved.save()
    batch = InsertBatch()
    batched = batch.add(TicketEvent(**fields))
    batch.insert()
    assert stored(batched) == stored(saved)


def test_given_a_child_whose_parent_is_not_in_the_batch_and_unsaved_then_insert_refuses_before_writing_it():
    requester = ClientUserFactory()
    now = timezone.now()
    orphan_parent = Ticket(client=requester.client, requester=requester, subject="never saved", created_at=now,
                           updated_at=now)
    batch = InsertBatch()
    batch.add(TicketEvent(ticket=orphan_parent, kind="x", source="api", created_at=now))
    with pytest.raises(ValueError, match="not inserted"), transaction.atomic():
        batch.insert()
    assert not TicketEvent.objects.filter(kind="x", ticket__isnull=True).exists()


def test_given_a_bad_batch_entry_then_add_refuses_it_at_once():
    ticket = TicketFactory()
    batch = InsertBatch()
    with pytest.raises(NotPreparable, match="own save"):
        batch.add(Invoice())
    with pytest.raises(ValueError, match="unsaved"):
        batch.add(ticket)
    with pytest.raises(ValueError, match="no insertable field nonsense"):
        batch.add(TicketEvent(ticket=ticket, kind="x", source="api", created_at=timezone.now()),
                  at_insert={"nonsense": lambda: 1})


def test_given_the_transaction_rolls_back_then_no_batched_row_remains():
    now = timezone.now()
    batch = InsertBatch()
    ticket = ticket_added_to(batch, "Rolled back")
    batch.add(TicketEvent(ticket=ticket, kind="x", source="api", created_at=now))
    with pytest.raises(RuntimeError), transaction.atomic():
        batch.insert()
        raise RuntimeError("roll back")
    assert not Ticket.objects.filter(subject="Rolled back").exists()
