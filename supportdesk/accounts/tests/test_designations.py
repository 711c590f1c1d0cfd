"""Designated users (R6): the entitled number enforced by the database under concurrency, clear refusals,
history kept, and perks that stop on the date Premium ends."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient

from supportdesk.accounts.designations import (
    active_designations,
    designate,
    designation_history,
    has_perk,
    undesignate,
)
from supportdesk.accounts.models import AccountEvent, Designation, User
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.errors import Conflict, Invalid
from supportdesk.factories import ClientFactory, ClientUserFactory, premium_client
from supportdesk.learning.actions import discount_for
from supportdesk.policy.learning import training_refusal
from supportdesk.tickets.routing import queue_for

from .concurrency import run_concurrently, shared_file_database


def _client_with(designated: int, extra: int):  # noqa: ANN202
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    people = [ClientUserFactory(client=client) for _ in range(designated + extra)]
    for person in people[:designated]:
        designate(admin, client=client, user=person)
    return client, admin, people[designated:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_9_designated_when_20_designate_requests_race_then_exactly_10_are_designated(tmp_path):
    # Given a Premium client (limit 10) with 9 designated users and 20 other users
    client, admin, candidates = _client_with(designated=9, extra=20)
    with shared_file_database(tmp_path):
        # When 20 API requests to designate them are released at the same instant, each on its own connection
        def sign_in(i: int) -> HttpClient:
            http = HttpClient()
            http.force_login(admin)
            return http

        def post(i: int, http: HttpClient):  # noqa: ANN202
            return http.post(f"/api/v1/clients/{client.pk}/designations", {"user_id": candidates[i].pk},
                             content_type="application/json")

        run = run_concurrently(20, sign_in, post)
        # Then they really ran in parallel, on 20 connections
        assert not run.errors, run.errors
        assert run.peak_in_flight > 1
        assert len(run.backends) == 20
        # And exactly one got the 10th slot; the 19 others a clear 409 naming the limit
        statuses = sorted(r.status_code for r in run.results)
        assert statuses == [201] + [409] * 19, [r.content for r in run.results]
        refusals = [r.json()["error"] for r in run.results if r.status_code == 409]
        assert {e["code"] for e in refusals} == {"designation.limit_reached"}
        assert all("10 of 10" in e["message"] for e in refusals if "same moment" not in e["message"])
        assert active_designations(client).count() == 10
        assert sorted(active_designations(client).values_list("slot", flat=True)) == list(range(1, 11))


@pytest.mark.django_db
def test_the_eleventh_is_refused_naming_the_limit_and_the_designated_people_and_nothing_changes():
    client, admin, extra = _client_with(designated=10, extra=1)
    events_before = AccountEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        designate(admin, client=client, user=extra[0])
    assert refused.value.code == "designation.limit_reached"
    assert "10 of 10" in refused.value.message
    for d in active_designations(client):
        assert d.user.email in refused.value.message
    assert refused.value.details["limit"] == 10
    assert active_designations(client).count() == 10
    assert AccountEvent.objects.count() == events_before


@pytest.mark.django_db
def test_replacing_is_remove_then_add_and_the_history_keeps_who_was_designated_when():
    client, admin, extra = _client_with(designated=10, extra=1)
    leaving = active_designations(client).first().user
    undesignate(admin, client=client, user=leaving)
    designate(admin, client=client, user=extra[0])
    history = list(designation_history(client))
    assert len(history) == 11
    ended = [d for d in history if d.end is not None]
    assert [d.user for d in ended] == [leaving]
    assert ended[0].ended_by == admin
    assert active_designations(client).count() == 10


@pytest.mark.django_db
def test_a_client_without_designated_users_in_its_plan_is_refused_clearly():
    client = ClientFactory()
    person = ClientUserFactory(client=client)
    with pytest.raises(Invalid) as refused:
        designate(None, client=client, user=person)
    assert refused.value.code == "designation.not_entitled"
    assert not Designation.objects.filter(client=client).exists()


@pytest.mark.django_db
def test_a_person_of_another_client_cannot_be_designated():
    client, other = premium_client(), premium_client()
    with pytest.raises(Invalid) as refused:
        designate(None, client=client, user=ClientUserFactory(client=other))
    assert refused.value.code == "designation.not_client_user"



@pytest.mark.django_db
def test_a_deactivated_person_cannot_be_designated_through_the_api():
    # Given a Premium client with a deactivated person, and its admin
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    gone = ClientUserFactory(client=client)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    http = HttpClient()
    http.force_login(admin)
    # When the admin designates that person through the API
    response = http.post(f"/api/v1/clients/{client.pk}/designations", {"user_id": gone.pk},
                         content_type="application/json")
    # Then it is refused clearly (as the page, which offers active people only) and no slot is taken
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "designation.not_client_user"
    assert "deactivated" in response.json()["error"]["message"]
    assert list(response.json()["error"]["fields"]) == ["user_id"]  # the body's field, as sent
    assert not Designation.objects.filter(client=client).exists()

def _at(client, day: date) -> datetime:  # noqa: ANN001
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo(client.timezone))


def _perks(client, person, at: datetime) -> dict:  # noqa: ANN001
    return {
        "queue": queue_for(client, person, at).queue,
        "training": training_refusal(person, at) is None,
        "discount": discount_for(person, at),
        "has_perk": has_perk(person, "priority_queue", at),
    }


@pytest.mark.django_db
def test_losing_premium_by_an_addendum_ending_the_line_stops_every_perk_on_that_date():
    # Given a designated user of a Premium client
    client = ClientFactory()
    form = record_order(None, client=client, number="SOF-END-1", kind="form", signed_on=date(2026, 1, 1),
                        effective_from=date(2026, 1, 1), lines=[LineInput(offering="premium")])
    person = ClientUserFactory(client=client)
    designate(None, client=client, user=person)
    line = form.lines.get()
    # When an addendum ends the Premium line on 2027-03-01
    record_order(None, client=client, number="ADD-END-1", kind="addendum", signed_on=date(2027, 2, 1),
                 effective_from=date(2027, 3, 1), amends=form,
                 lines=[LineInput(action="end", target_line=line.pk)])
    # Then the day before, every perk holds; from that date on, none does (the designation stays as history)
    before, on = _perks(client, person, _at(client, date(2027, 2, 28))), _perks(client, person, _at(client, date(2027, 3, 1)))
    assert before == {"queue": "priority", "training": True, "discount": 50, "has_perk": True}
    assert on == {"queue": "standard", "training": False, "discount": 0, "has_perk": False}
    assert training_refusal(person, _at(client, date(2027, 3, 1))).code == "training.not_entitled"
    assert active_designations(client).filter(user=person).exists()


@pytest.mark.django_db
def test_losing_premium_at_the_form_end_date_stops_the_perks_on_that_date():
    client = ClientFactory()
    record_order(None, client=client, number="SOF-END-2", kind="form", signed_on=date(2026, 1, 1),
                 effective_from=date(2026, 1, 1), effective_to=date(2027, 1, 1), lines=[LineInput(offering="premium")])
    person = ClientUserFactory(client=client)
    designate(None, client=client, user=person)
    assert _perks(client, person, _at(client, date(2026, 12, 31)))["queue"] == "priority"
    assert _perks(client, person, _at(client, date(2027, 1, 1))) == {
        "queue": "standard", "training": False, "discount": 0, "has_perk": False}


@pytest.mark.django_db
def test_perks_need_the_designation_itself():
    client = premium_client()
    person = ClientUserFactory(client=client)
    now = datetime.now(ZoneInfo("UTC")) + timedelta(minutes=1)
    assert _perks(client, person, now) == {"queue": "standard", "training": False, "discount": 0, "has_perk": False}
    assert training_refusal(person, now).code == "training.not_designated"
