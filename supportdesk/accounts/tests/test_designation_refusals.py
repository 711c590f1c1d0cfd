"""R6: every refusal of one designation too many names the limit, also when the database's unique slot
index (not the lock) is what refused it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from supportdesk.accounts import designations
from supportdesk.accounts.designations import active_designations, designate
from supportdesk.errors import Conflict
from supportdesk.factories import ClientUserFactory, premium_client


@pytest.mark.django_db
def test_given_a_slot_taken_at_the_same_moment_below_the_limit_then_the_refusal_still_names_the_limit(monkeypatch):
    # Given a Premium client (limit 10)
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    late = ClientUserFactory(client=client)

    def clashing_create(**kwargs):  # noqa: ANN003, ANN202
        raise IntegrityError("UNIQUE constraint failed: one_active_designation_per_slot")

    monkeypatch.setattr(designations.Designation.objects, "create", clashing_create)
    # When the database's unique slot index refuses this request's insert (another took the slot meanwhile)
    with pytest.raises(Conflict) as refused:
        designate(admin, client=client, user=late)
    # Then the refusal names the plan's limit, and nothing is designated
    assert not active_designations(client).exists()
    assert refused.value.code == "designation.limit_reached"
    assert "of 10" in refused.value.message and "try again" in refused.value.message
    assert refused.value.details["limit"] == 10


@pytest.mark.django_db
def test_given_json_true_as_the_user_id_when_designating_then_422_and_nobody_is_designated(as_person):
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    response = as_person(admin).post(f"/api/v1/clients/{client.pk}/designations", {"user_id": True},
                                     content_type="application/json")
    assert response.status_code == 422, response.content
    assert "user_id" in response.json()["error"]["fields"]
    assert not active_designations(client).exists()


@pytest.mark.django_db
def test_given_a_replacement_when_paging_the_history_then_both_people_are_listed_newest_first(as_person):
    from supportdesk.accounts.designations import undesignate

    # Given a Premium client whose admin replaced one designated user by another
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    first, second = ClientUserFactory(client=client), ClientUserFactory(client=client)
    designate(admin, client=client, user=first)
    undesignate(admin, client=client, user=first)
    designate(admin, client=client, user=second)
    # When the history is listed a page at a time
    page = as_person(admin).get(f"/api/v1/clients/{client.pk}/designations/history", {"page_size": 1}).json()
    rest = as_person(admin).get(f"/api/v1/clients/{client.pk}/designations/history", {"page": 2, "page_size": 1}).json()
    # Then it is paged and keeps who was designated when
    assert page["count"] == 2
    assert [d["email"] for d in page["items"] + rest["items"]] == [second.email, first.email]
    assert rest["items"][0]["end"] is not None and rest["items"][0]["ended_by"] == admin.email
    # And a client user who does not manage designations is refused
    assert as_person(first).get(f"/api/v1/clients/{client.pk}/designations/history").status_code == 403


@pytest.mark.django_db
def test_given_a_long_designation_history_then_the_page_pages_it(as_person):
    from supportdesk.accounts.designations import undesignate
    from supportdesk.accounts.views import HISTORY_PER_PAGE

    # Given more past designations than one page holds
    client = premium_client()
    admin = ClientUserFactory(client=client, client_role="client_admin")
    person = ClientUserFactory(client=client)
    for _ in range(HISTORY_PER_PAGE):
        designate(admin, client=client, user=person)
        undesignate(admin, client=client, user=person)
    designate(admin, client=client, user=ClientUserFactory(client=client, email="newest@client.example"))
    # When the admin opens the page, then the second history page
    http = as_person(admin)
    first = http.get("/portal/designated/").content.decode()
    second = http.get("/portal/designated/", {"history_page": 2}).content.decode()
    # Then the history is paged, newest first, and the second page holds the oldest designations
    assert "Page 1 of 2" in first and "history_page=2" in first
    assert "newest@client.example" in first.split('class="card history"')[1]
    assert "Page 2 of 2" in second
