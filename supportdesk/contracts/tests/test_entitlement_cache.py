"""Entitlements are cached per process, keyed on the entitlement revision that database triggers rewrite
on every write to orders, lines and the catalogue: a cached answer is never stale, whatever the write path."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk.catalogue.models import OfferingVersion
from supportdesk.contracts import entitlements
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.contracts.models import OrderLine
from supportdesk.factories import ClientFactory, OrderFactory
from supportdesk.revisions.cache import current


def current_revision() -> int | None:
    return current("entitlements")

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 4)


def test_given_entitlements_read_once_when_read_again_then_only_the_revision_is_queried():
    client = ClientFactory()
    OrderFactory(client=client, offerings=["premium"])
    first = entitlements_for(client, ON)
    with CaptureQueriesContext(connection) as queries:
        again = entitlements_for(client, ON)
    assert again == first and again.features.priority_queue
    [only] = queries.captured_queries
    assert "FROM revisions_revision" in only["sql"]


def test_given_cached_entitlements_when_an_addendum_is_recorded_then_the_next_read_sees_it():
    client = ClientFactory()
    form = OrderFactory(client=client, offerings=["maintenance"])
    assert not entitlements_for(client, ON).features.priority_queue
    record_order(None, client=client, number="SOA-9", kind="addendum", amends=form, signed_on=date(2026, 4, 1),
                 effective_from=date(2026, 4, 1), lines=[LineInput(offering="premium")])
    assert entitlements_for(client, ON).features.priority_queue


def test_given_cached_entitlements_when_a_line_is_ended_by_a_bulk_update_then_the_next_read_sees_it():
    # QuerySet.update sends no signals: only the trigger notices this write
    client = ClientFactory()
    OrderFactory(client=client, offerings=["premium"])
    before = current_revision()
    assert entitlements_for(client, ON).features.priority_queue
    OrderLine.objects.filter(order__client=client).update(ends_on=date(2026, 5, 1))
    assert current_revision() != before
    assert not entitlements_for(client, ON).features.priority_queue


def test_given_cached_entitlements_when_the_catalogue_changes_by_raw_sql_then_the_next_read_sees_it():
    client = ClientFactory()
    OrderFactory(client=client, offerings=["premium"])
    assert entitlements_for(client, ON).features.designated_user_limit == 10
    version = OfferingVersion.objects.get(pk=OrderLine.objects.get(order__client=client).offering_version_id)
    features = {**version.features, "designated_user_limit": 12}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_offeringversion SET features = %s WHERE id = %s",
                       [json.dumps(features), version.pk])
    assert entitlements_for(client, ON).features.designated_user_limit == 12


def test_given_a_change_rolled_back_after_a_read_then_the_cached_answer_of_the_change_is_never_served():
    client = ClientFactory()
    OrderFactory(client=client, offerings=["maintenance"])
    before = current_revision()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_order(None, client=client, number="SOF-X", kind="form", signed_on=ON, effective_from=ON,
                     lines=[LineInput(offering="premium")])
        assert entitlements_for(client, ON).features.priority_queue  # cached under the uncommitted revision
        raise RuntimeError("roll back")
    assert current_revision() == before
    assert not entitlements_for(client, ON).features.priority_queue


def test_given_no_revision_row_then_nothing_is_cached_and_answers_stay_right():
    client = ClientFactory()
    OrderFactory(client=client, offerings=["premium"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM revisions_revision WHERE name = 'entitlements'")
    entitlements._cache.clear()
    assert entitlements_for(client, ON).features.priority_queue
    assert len(entitlements._cache) == 0
