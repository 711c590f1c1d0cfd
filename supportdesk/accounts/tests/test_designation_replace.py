"""R6: replace = remove then add. At the limit, the client admin replaces one designated user by another in
one request: the old designation ends (kept as history), the new person takes the freed place, and a refusal
changes nothing."""

from __future__ import annotations

import json

import pytest

from supportdesk.accounts.designations import active_designations, designate, designation_history
from supportdesk.factories import ClientUserFactory, premium_client


def _full_client():  # noqa: ANN202
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    people = [ClientUserFactory(client=client) for _ in range(10)]
    for person in people:
        designate(admin, client=client, user=person)
    return client, admin, people


def _replace(http, client, old, new_id):  # noqa: ANN001, ANN202
    return http.post(f"/api/v1/clients/{client.pk}/designations/{old.pk}/replace", json.dumps({"user_id": new_id}),
                     content_type="application/json")


@pytest.mark.django_db
def test_given_ten_of_ten_when_the_admin_replaces_one_then_the_new_person_is_designated_and_history_kept(as_person):
    # Given a Premium client at its limit of 10 designated users
    client, admin, people = _full_client()
    newcomer = ClientUserFactory(client=client)
    # When its admin replaces the first of them by a newcomer
    response = _replace(as_person(admin), client, people[0], newcomer.pk)
    # Then the newcomer is designated in the freed slot, still 10 of 10
    assert response.status_code == 201, response.content
    assert response.json()["email"] == newcomer.email
    current = {d.user_id for d in active_designations(client)}
    assert len(current) == 10 and newcomer.pk in current and people[0].pk not in current
    # And the history keeps who was designated when: the removed period ended, by the admin
    ended = [d for d in designation_history(client) if d.user_id == people[0].pk]
    assert len(ended) == 1 and ended[0].end is not None and ended[0].ended_by == admin


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", ["already designated", "not designated"])
def test_given_a_refused_replacement_then_nothing_changes(as_person, refusal):
    client, admin, people = _full_client()
    before = sorted(active_designations(client).values_list("id", flat=True))
    if refusal == "already designated":  # the new person already holds a place
        response, code = _replace(as_person(admin), client, people[0], people[1].pk), "designation.already_designated"
    else:  # the person to replace is not designated
        outsider, newcomer = ClientUserFactory(client=client), ClientUserFactory(client=client)
        response, code = _replace(as_person(admin), client, outsider, newcomer.pk), "designation.not_designated"
    assert response.status_code in (409, 422), response.content
    assert response.json()["error"]["code"] == code
    assert sorted(active_designations(client).values_list("id", flat=True)) == before


@pytest.mark.django_db
def test_given_a_plain_client_user_when_replacing_then_refused_and_nothing_changes(as_person):
    client, _, people = _full_client()
    plain = ClientUserFactory(client=client)
    response = _replace(as_person(plain), client, people[0], plain.pk)
    assert response.status_code == 403, response.content
    assert people[0].pk in {d.user_id for d in active_designations(client)}


@pytest.mark.django_db
def test_given_a_designated_user_when_replaced_by_themselves_then_refused_and_history_untouched(as_person):
    # Given a Premium client with ten designated users
    client, admin, people = _full_client()
    history_before = list(designation_history(client).values_list("id", "end"))
    # When its admin "replaces" one of them by the same person
    response = _replace(as_person(admin), client, people[0], people[0].pk)
    # Then it is refused clearly, and no designation is ended or restarted
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "designation.already_designated" and people[0].email in error["message"]
    assert list(designation_history(client).values_list("id", "end")) == history_before
