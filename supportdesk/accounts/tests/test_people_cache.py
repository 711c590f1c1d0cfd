"""The cached person-with-client and designation periods (accounts.queries) follow every write at once:
a renamed client, a deactivated person, a new or ended designation, by any path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supportdesk.accounts.designations import designate, undesignate
from supportdesk.accounts.models import Client, User
from supportdesk.accounts.queries import designation_periods, person_with_client
from supportdesk.factories import ClientUserFactory, premium_client
from supportdesk.policy import is_designated

pytestmark = pytest.mark.django_db


def test_given_a_cached_person_when_asked_again_then_no_person_query_runs():
    person = ClientUserFactory()
    person_with_client(person.pk)
    with CaptureQueriesContext(connection) as ctx:
        again = person_with_client(person.pk)
    assert again is not None and again.client.name == person.client.name
    assert [q["sql"] for q in ctx.captured_queries] == [
        "SELECT value FROM revisions_revision WHERE name = 'access'"]


def test_given_a_client_renamed_by_a_queryset_update_then_the_next_answer_has_the_new_name():
    person = ClientUserFactory()
    person_with_client(person.pk)
    Client.objects.filter(pk=person.client_id).update(name="Renamed LLP")
    assert person_with_client(person.pk).client.name == "Renamed LLP"


def test_given_a_deactivated_person_then_the_next_answer_says_so():
    person = ClientUserFactory()
    assert person_with_client(person.pk).is_active
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert not person_with_client(person.pk).is_active


def test_given_an_unknown_id_then_none():
    assert person_with_client(10**9) is None


def test_given_two_answers_then_changing_one_leaves_the_other_and_the_cache_alone():
    person = ClientUserFactory()
    first = person_with_client(person.pk)
    first.full_name = "Changed in one request"
    first.client.name = "Changed too"
    second = person_with_client(person.pk)
    assert (second.full_name, second.client.name) == (person.full_name, person.client.name)


def test_given_a_designation_made_and_ended_then_is_designated_follows_at_once():
    client = premium_client(name="Cache Firm")
    person = ClientUserFactory(client=client)
    assert not is_designated(person)
    designate(None, client=client, user=person)
    assert is_designated(person)
    undesignate(None, client=client, user=person)
    assert not is_designated(person)


def test_designation_periods_answer_for_any_instant():
    client = premium_client(name="History Firm")
    person = ClientUserFactory(client=client)
    designation = designate(None, client=client, user=person)
    undesignate(None, client=client, user=person)
    periods = designation_periods(person.pk)
    start = designation.start
    ended = periods.periods[0][1]
    assert ended is not None
    assert not periods.designated_at(start - timedelta(microseconds=1))
    assert periods.designated_at(start)
    assert not periods.designated_at(ended)
    assert not periods.designated_at(timezone.now() + timedelta(days=1))
