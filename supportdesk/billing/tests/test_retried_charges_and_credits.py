"""Nothing accepted is lost or recorded twice: a manual charge or credit retried after a timeout (Idempotency-Key)
or sent twice from its form (a double click, a resubmitted page) is recorded once and answered as the first time."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk import stored_files
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.billing import actions
from supportdesk.billing.models import BillableCharge, BillingEvent, ClientCredit
from supportdesk.factories import StaffFactory

from .factories import maintenance_only, premium_only

CHARGE = {"kind": "travel_expense", "description": "Onsite visit: train", "amount": "120.50", "currency": "USD",
          "incurred_on": "2026-03-02"}
CREDIT = {"description": "Goodwill for the outage", "amount": "25.00", "currency": "USD"}


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    return {"billing": StaffFactory(staff_roles=["billing"]), "manager": StaffFactory(staff_roles=["manager"]),
            "client": premium_only(name="Own Firm"), "other": maintenance_only(name="Other Firm")}


def _post(http, client, what: str, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/billing/clients/{client.pk}/{what}", body, content_type="application/json", **headers)


def _events(kind: str) -> int:
    return BillingEvent.objects.filter(kind=kind).count()


# --- API ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("what", "body", "model", "event"), [
    ("charges", CHARGE, BillableCharge, "charge.added"),
    ("charges", {**CHARGE, "currency": "GBP", "rate": "1.27"}, BillableCharge, "charge.added"),  # converted to USD
    ("credits", CREDIT, ClientCredit, "credit.granted"),
])
def test_given_a_post_retried_with_its_idempotency_key_then_one_record_and_the_first_answer(world, as_person, what,
                                                                                            body, model, event):
    # Given a billing admin whose charge or credit was recorded, but whose client timed out before the answer
    http = as_person(world["billing"])
    first = _post(http, world["client"], what, body, "retry-1")
    # When the client sends the same POST with the same key
    again = _post(http, world["client"], what, body, "retry-1")
    # Then the retry answers the first record (200, same id) and nothing more is written: one row, one event
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert model.objects.filter(client=world["client"]).count() == 1
    assert _events(event) == 1


@pytest.mark.parametrize(("what", "body", "other"), [
    ("charges", CHARGE, {"description": "Onsite visit: hotel"}),
    ("charges", CHARGE, {"amount": "120.51"}),
    ("charges", CHARGE, {"kind": "other"}),
    ("charges", CHARGE, {"incurred_on": "2026-03-03"}),
    ("charges", CHARGE, {"currency": "GBP", "rate": "1.27"}),
    ("charges", {**CHARGE, "currency": "GBP", "rate": "1.27"}, {"rate": "1.28"}),
    ("charges", CHARGE, {"client": "other"}),
    ("credits", CREDIT, {"description": "Goodwill again"}),
    ("credits", CREDIT, {"amount": "26.00"}),
    ("credits", CREDIT, {"currency": "EUR"}),
    ("credits", CREDIT, {"client": "other"}),
])
def test_given_an_idempotency_key_reused_for_another_request_then_422_and_nothing_written(world, as_person, what,
                                                                                         body, other):
    # Given a charge or credit recorded with a key
    http = as_person(world["billing"])
    assert _post(http, world["client"], what, body, "reused").status_code == 201
    events = BillingEvent.objects.count()
    # When the same key comes with another request (another field, or another client)
    client = world[other.pop("client", "client")]
    answer = _post(http, client, what, {**body, **other}, "reused")
    # Then it is refused on the header, and nothing more is written
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "billing.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert BillableCharge.objects.count() + ClientCredit.objects.count() == 1
    assert BillingEvent.objects.count() == events


@pytest.mark.parametrize("what", ["charges", "credits"])
@pytest.mark.parametrize("key", ["", "k" * 101])
def test_given_a_malformed_idempotency_key_then_422_and_nothing_written(world, as_person, what, key):
    answer = _post(as_person(world["billing"]), world["client"], what, CHARGE if what == "charges" else CREDIT, key)
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "billing.bad_idempotency_key"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert not BillableCharge.objects.exists() and not ClientCredit.objects.exists()


def test_given_the_same_key_from_two_people_or_no_key_then_each_post_is_recorded(world, as_person):
    # Keys are per person, and a POST without one is new work each time
    a = _post(as_person(world["billing"]), world["client"], "charges", CHARGE, "k" * 100)
    b = _post(as_person(world["manager"]), world["client"], "charges", CHARGE, "k" * 100)
    c = _post(as_person(world["manager"]), world["client"], "charges", CHARGE, None)
    d = _post(as_person(world["manager"]), world["client"], "charges", CHARGE, None)
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4
    assert len({r.json()["id"] for r in (a, b, c, d)}) == 4


def test_the_openapi_document_describes_the_key_and_both_successes(world, as_person):
    document = as_person(world["billing"]).get("/api/v1/openapi.json").json()
    for path in ("/api/v1/billing/clients/{client_id}/charges", "/api/v1/billing/clients/{client_id}/credits"):
        operation = document["paths"][path]["post"]
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
        assert "billing.idempotency_key_reused" in operation["description"]
        assert {"200", "201"} <= {str(status) for status in operation["responses"]}
        assert "Idempotency-Key" in operation["responses"]["200"]["description"]
        assert "content" in operation["responses"]["200"] and "content" in operation["responses"]["201"]


# --- racing attempts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("write", "looked_up", "kwargs"), [
    (actions.write_charge, "_earlier_charge", {"kind": "travel_expense", "description": "Taxi", "amount": "10.00",
                                               "currency": "USD", "incurred_on": date(2026, 3, 3)}),
    (actions.write_credit, "_earlier_credit", {"description": "Goodwill", "amount": "10.00", "currency": "USD"}),
])
def test_given_a_retry_racing_its_first_attempt_then_the_unique_ref_keeps_one_and_the_first_is_answered(
        world, monkeypatch, write, looked_up, kwargs):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    first = write(world["billing"], client=world["client"], idempotency_key="race", **kwargs)
    real, calls = getattr(actions, looked_up), []

    def first_look_misses(*args):  # noqa: ANN002, ANN202
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(actions, looked_up, first_look_misses)
    # When the retry writes its row and the unique source_ref refuses it
    again = write(world["billing"], client=world["client"], idempotency_key="race", **kwargs)
    # Then it answers the first record (found on the second look, after the refusal), and one row and one event remain
    assert (again.created, again.record.pk) == (False, first.record.pk) and len(calls) == 2
    assert BillableCharge.objects.count() + ClientCredit.objects.count() == 1
    assert BillingEvent.objects.filter(kind__in=["charge.added", "credit.granted"]).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_charge(tmp_path):
    # Given a billing admin and a client (SQLite: a WAL file every thread's connection shares)
    billing, client = StaffFactory(staff_roles=["billing"]), maintenance_only(name="Race Firm")
    with shared_file_database(tmp_path):
        # When three attempts with the same key are released together
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.write_charge(
            billing, client=client, kind="other", description="Courier", amount="9.00", currency="USD",
            incurred_on=date(2026, 3, 3), idempotency_key="same"))
        # Then one charge is recorded, and every attempt answers it
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(BillableCharge.objects.values_list("pk", flat=True))
        assert BillingEvent.objects.filter(kind="charge.added").count() == 1


# --- web forms -----------------------------------------------------------------------------------------------------

def _submission(page, prefix: str) -> str:  # noqa: ANN001
    found = re.search(rf'name="{prefix}-submission" value="([0-9a-f]{{32}})"', page.content.decode())
    assert found, f"no submission value on the {prefix} form"
    return found.group(1)


def test_given_a_charge_form_sent_twice_then_one_charge_one_receipt_and_the_same_page(world, as_person):
    # Given a billing admin on a client's page, with the charge form as it was rendered
    http = as_person(world["billing"])
    url = f"/billing/clients/{world['client'].pk}/"
    sent = {"form": "charge", "charge-submission": _submission(http.get(url), "charge"),
            **{f"charge-{name}": value for name, value in CHARGE.items()}}
    # When it is sent twice (a double click), the receipt with it each time
    answers = [http.post(url, {**sent, "charge-receipt": SimpleUploadedFile("train.pdf", b"%PDF-1.4 train")})
               for _ in range(2)]
    # Then both answers are the same redirect to the client's page, one charge and one stored receipt
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, url)] * 2
    assert BillableCharge.objects.filter(client=world["client"]).count() == 1
    assert _events("charge.added") == 1
    assert len(list(stored_files._files_under(default_storage, "receipts/"))) == 1


def test_given_a_credit_form_sent_twice_then_one_credit_and_an_edited_one_is_new(world, as_person):
    # Given a billing admin on a client's page, with the credit form as it was rendered
    http = as_person(world["billing"])
    url = f"/billing/clients/{world['client'].pk}/"
    sent = {"form": "credit", "credit-submission": _submission(http.get(url), "credit"),
            **{f"credit-{name}": value for name, value in CREDIT.items()}}
    # When it is sent twice, then once more with another amount (back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "credit-amount": "30.00"})]
    # Then the two identical ones made one credit; the edited one is new work, not a refusal
    assert [a.status_code for a in answers] == [302] * 3
    amounts = sorted(str(a) for a in ClientCredit.objects.filter(client=world["client"]).values_list("amount", flat=True))
    assert amounts == ["25.00", "30.00"]
    assert _events("credit.granted") == 2
