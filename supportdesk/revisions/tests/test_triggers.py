"""Every write to a watched table, by any path, gives its revision a new value; other tables do not."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from supportdesk.accounts.models import ApiToken, Designation
from supportdesk.catalogue.models import Offering
from supportdesk.factories import ClientFactory, ClientUserFactory, OrderFactory, StaffFactory
from supportdesk.revisions.cache import RevisionCache, current

pytestmark = pytest.mark.django_db


def test_given_each_kind_of_write_to_a_watched_table_then_the_revision_changes_each_time():
    client = ClientFactory()
    writes = [
        lambda: OrderFactory(client=client, offerings=["premium"]),                      # insert (actions)
        lambda: client.orders.update(effective_to=date(2030, 1, 1)),                     # QuerySet.update
        lambda: Offering.objects.filter(code="premium").update(name="Premium Support"),  # catalogue
        lambda: connection.cursor().execute("DELETE FROM contracts_orderline"),          # raw SQL
    ]
    seen = {current("entitlements")}
    for write in writes:
        write()
        seen.add(current("entitlements"))
    assert len(seen) == len(writes) + 1


def test_given_a_write_to_another_table_then_the_revision_stays():
    before_entitlements, before_sla = current("entitlements"), current("sla_settings")
    ClientFactory()
    assert current("entitlements") == before_entitlements
    assert current("sla_settings") == before_sla


def test_given_a_new_client_or_designation_then_the_access_revision_moves():
    before = current("access")
    client = ClientFactory()
    after_client = current("access")
    person = ClientUserFactory(client=client)
    after_person = current("access")
    Designation.objects.create(client=client, user=person, slot=1, start=timezone.now())
    assert len({before, after_client, after_person, current("access")}) == 4



def test_given_a_rolled_back_write_then_the_revision_is_back_to_what_it_was():
    before = current("access")
    with pytest.raises(RuntimeError), transaction.atomic():
        ApiToken.objects.create(user=StaffFactory(), name="x", prefix="sd_x", key_hash="0" * 64)
        assert current("access") != before
        raise RuntimeError("roll back")
    assert current("access") == before


def test_given_a_cache_when_the_revision_changes_then_the_answer_is_computed_again():
    cache: RevisionCache[str] = RevisionCache("access", limit=2)
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        return f"answer {len(calls)}"

    assert cache.get("k", compute) == "answer 1"
    assert cache.get("k", compute) == "answer 1"
    StaffFactory()
    assert cache.get("k", compute) == "answer 2"
    assert cache.get("other", lambda: None) is None and len(cache) == 2  # None is never stored
    cache.get("third", compute)
    assert len(cache) == 1  # full (limit 2): it started again empty


def test_given_an_sla_rule_or_calendar_edit_then_the_cached_settings_are_read_again():
    from supportdesk.sla import calendars_store
    from supportdesk.sla.models import CalendarConfig, MetricRule
    from supportdesk.sla.objectives import rules

    assert rules()["resolution"].warning_minutes == 15
    MetricRule.objects.create(metric="resolution", pause_statuses=["waiting"], warning_minutes=45)
    assert rules()["resolution"].warning_minutes == 45
    assert calendars_store.settings_for("business-hours").edited is False
    CalendarConfig.objects.create(kind="business-hours", zone="Europe/London", weekly={"0": ["09:00-17:00"]},
                                  updated_at=timezone.now())
    assert calendars_store.settings_for("business-hours").zone == "Europe/London"
