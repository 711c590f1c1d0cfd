"""Creating a client: mail domains and phone numbers are checked and stored the way intake and the phone line match them."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Client, ClientPhone
from supportdesk.factories import StaffFactory

pytestmark = pytest.mark.django_db


def create(as_person, **body):  # noqa: ANN001, ANN003, ANN201
    return as_person(StaffFactory(staff_roles=["manager"])).post("/api/v1/clients/", {"name": "Acme Law"} | body,
                                                                   content_type="application/json")


@pytest.mark.parametrize("body,code", [
    ({"domains": ["not a domain"]}, "client.bad_domain"),
    ({"domains": ["acme"]}, "client.bad_domain"),
    ({"domains": ["x" * 300 + ".example"]}, "client.bad_domain"),
    ({"phones": ["call me"]}, "client.bad_phone"),
    ({"phones": ["12"]}, "client.bad_phone"),
    ({"phones": ["+1" + "9" * 40]}, "client.bad_phone"),
])
def test_given_a_bad_domain_or_phone_when_creating_a_client_then_422_and_nothing_is_written(as_person, body, code):
    response = create(as_person, **body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert not Client.objects.filter(name="Acme Law").exists()


def test_given_repeated_domains_and_phones_then_each_is_stored_once_not_a_500(as_person):
    response = create(as_person, domains=["acme.example", "ACME.example", "@acme.example"],
                      phones=["+1 416 555 0100", "+14165550100"])
    assert response.status_code == 201, response.content
    assert response.json()["domains"] == ["acme.example"]
    assert list(ClientPhone.objects.values_list("number", flat=True)) == ["+14165550100"]


def test_given_a_phone_written_with_spaces_then_a_call_from_it_finds_the_client(as_person):
    from supportdesk.telephony.actions import caller_of

    assert create(as_person, phones=["+1 (416) 555-0100"]).status_code == 201
    client, _ = caller_of("+14165550100")
    assert client is not None and client.name == "Acme Law"


def test_given_a_phone_of_another_client_then_409(as_person):
    assert create(as_person, phones=["+14165550100"]).status_code == 201
    response = create(as_person, name="Other Law", phones=["+1 416 555 0100"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "client.phone_taken"


def test_an_international_domain_is_accepted(as_person):
    assert create(as_person, domains=["kanzlei-müller.example"]).status_code == 201


def test_a_persons_phone_is_stored_as_the_phone_line_matches_it():
    from supportdesk.errors import Invalid
    from supportdesk.factories import ClientUserFactory

    assert ClientUserFactory(phone="+44 20 7555 0111").phone == "+442075550111"
    with pytest.raises(Invalid) as refused:
        ClientUserFactory(phone="ext. 12")
    assert refused.value.fields == {"phone": "not a phone number"}


@pytest.mark.parametrize("email", ["@", "dana@", "@lawfirm.example", "dana@law firm.example", "dana@<lawfirm>"])
def test_given_an_address_that_is_not_an_email_when_adding_a_person_then_422(as_person, email):
    from supportdesk.accounts.models import User
    from supportdesk.factories import ClientFactory

    firm = ClientFactory()
    response = as_person(StaffFactory(staff_roles=["manager"])).post(
        f"/api/v1/clients/{firm.pk}/people", {"email": email}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "person.bad_email"
    assert not User.objects.filter(client=firm).exists()


@pytest.mark.parametrize("contact,code", [({"domains": ["acme.example"]}, "client.domain_taken"),
                                          ({"phones": ["+14165550100"]}, "client.phone_taken")])
def test_given_another_client_takes_the_domain_or_phone_meanwhile_then_409_not_500(as_person, monkeypatch,
                                                                                    contact, code):
    from supportdesk.accounts import actions

    real_check = actions._refuse_taken_contacts
    calls = []

    def racing_check(domains: list[str], numbers: list[str]) -> None:
        calls.append(1)
        if len(calls) == 1:  # the check passes, then a competing request creates its client first
            real_check(domains, numbers)
            actions.create_client(None, name="Rival Law", domains=domains, phones=numbers)
            return
        real_check(domains, numbers)

    monkeypatch.setattr(actions, "_refuse_taken_contacts", racing_check)
    response = create(as_person, **contact)
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == code
    assert not Client.objects.filter(name="Acme Law").exists()


def test_given_phones_stored_before_normalising_when_migrating_then_calls_from_them_find_their_client():
    import importlib

    from django.apps import apps

    from supportdesk.accounts.models import User
    from supportdesk.factories import ClientFactory, ClientUserFactory
    from supportdesk.telephony.actions import caller_of

    migration = importlib.import_module("supportdesk.accounts.migrations.0004_normalise_stored_phones")
    # Given numbers written the old way (only the ends stripped), one of them clashing once normalised
    acme, rival = ClientFactory(), ClientFactory()
    ClientPhone.objects.create(client=acme, number="+1 416 555 0100")
    ClientPhone.objects.create(client=rival, number="+1 (416) 555-0100")
    ClientPhone.objects.create(client=rival, number="+44 20 7946 0000")
    person = ClientUserFactory(client=acme)
    User.objects.filter(pk=person.pk).update(phone="+1 416 555 0199")
    assert caller_of("+14165550100") == (None, None)
    # When the data migration runs
    migration.normalise_phones(apps, None)
    # Then each number has the stored form, the first of two clashing ones keeps it, the other stays as it was
    assert sorted(ClientPhone.objects.values_list("number", flat=True)) == [
        "+1 (416) 555-0100", "+14165550100", "+442079460000"]
    assert caller_of("+14165550100")[0] == acme
    assert caller_of("+442079460000")[0] == rival
    assert caller_of("+14165550199") == (acme, User.objects.get(pk=person.pk))


def test_given_a_person_form_sent_twice_at_once_when_the_second_misses_the_first_then_409_not_a_500(
        as_person, monkeypatch):
    from supportdesk.accounts import actions
    from supportdesk.accounts.models import User
    from supportdesk.factories import premium_client

    # Given a client, and a second request that looked for the address before the first one wrote it
    client = premium_client()
    manager = as_person(StaffFactory(staff_roles=["manager"]))
    first = manager.post(f"/api/v1/clients/{client.pk}/people", {"email": "dana@acme.example", "full_name": "Dana"},
                         content_type="application/json")
    assert first.status_code == 201, first.content
    looks = iter([False])  # its first look misses; the one after the unique index refused it sees the first row
    real = actions._email_taken
    monkeypatch.setattr(actions, "_email_taken", lambda email: next(looks, None) or real(email))
    # When it writes
    second = manager.post(f"/api/v1/clients/{client.pk}/people", {"email": "Dana@acme.example", "full_name": "Dana"},
                          content_type="application/json")
    # Then the unique index decides: a 409 naming the address, one person
    assert next(looks, "used") == "used"
    assert second.status_code == 409, second.content
    assert second.json()["error"]["fields"] == {"email": "taken"}
    assert User.objects.filter(email__iexact="dana@acme.example").count() == 1
