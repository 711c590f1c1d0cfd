"""A credit note retried after a timeout (Idempotency-Key) or sent twice from the invoice page (a double click) is
issued once: one number taken, the client credited once, and the retry answered with the first note."""

from __future__ import annotations

import re

import pytest

from supportdesk import idempotency_keys
from supportdesk.accounts.tests.concurrency import run_concurrently, shared_file_database
from supportdesk.billing import actions
from supportdesk.billing.models import BillingEvent, CreditNote, Invoice
from supportdesk.factories import StaffFactory

from .factories import premium_only

NOTE = {"amount": "200.00", "reason": "Goodwill for the outage"}


@pytest.fixture
def world(db):  # noqa: ANN001, ANN201
    premium_only(name="Own Firm")
    return {"billing": StaffFactory(staff_roles=["billing"]), "manager": StaffFactory(staff_roles=["manager"]),
            "invoice": actions.issue_month(None, "2026-03").issued[0]}


def _post(http, invoice, body: dict, key: str | None):  # noqa: ANN001, ANN202
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/billing/invoices/{invoice.pk}/credit-notes", body, content_type="application/json",
                     **headers)


def _issued() -> tuple[int, int]:
    return CreditNote.objects.count(), BillingEvent.objects.filter(kind="credit_note.issued").count()


def test_given_a_credit_note_retried_with_its_key_then_one_note_and_the_first_answer(world, as_person):
    # Given a billing admin whose credit note was issued, but whose client timed out before the answer
    http = as_person(world["billing"])
    first = _post(http, world["invoice"], NOTE, "cn-1")
    # When the client sends the same POST with the same key
    again = _post(http, world["invoice"], NOTE, "cn-1")
    # Then the retry answers the first note (200, same number) and no second number is taken or credit given
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() and first.json()["number"].endswith("-00001")
    assert _issued() == (1, 1)


def test_given_a_full_credit_retried_after_the_invoice_is_credited_then_the_first_note_not_a_refusal(
        world, as_person):
    # Given the invoice's whole total credited with a key: the invoice is now credited
    http = as_person(world["billing"])
    whole = {"amount": str(world["invoice"].total), "reason": "Contract cancelled"}
    first = _post(http, world["invoice"], whole, "cn-all")
    assert Invoice.objects.get(pk=world["invoice"].pk).status == Invoice.Status.CREDITED
    # When the same request is retried
    again = _post(http, world["invoice"], whole, "cn-all")
    # Then it is answered as the first time, not "exceeds what is left to credit"
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert _issued() == (1, 1)


@pytest.mark.parametrize("other", [{"amount": "200.01"}, {"reason": "Another reason"}])
def test_given_a_key_reused_for_another_credit_note_then_422_and_nothing_issued(world, as_person, other):
    http = as_person(world["billing"])
    assert _post(http, world["invoice"], NOTE, "cn-2").status_code == 201
    answer = _post(http, world["invoice"], {**NOTE, **other}, "cn-2")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "billing.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _issued() == (1, 1)


def test_given_a_key_reused_on_another_invoice_then_422(world, as_person):
    premium_only(name="Other Firm")
    other = actions.issue_month(None, "2026-04").issued[0]
    http = as_person(world["billing"])
    assert _post(http, world["invoice"], NOTE, "cn-3").status_code == 201
    answer = _post(http, other, NOTE, "cn-3")
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "billing.idempotency_key_reused")


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_key_then_422_and_nothing_issued(world, as_person, key):
    answer = _post(as_person(world["billing"]), world["invoice"], NOTE, key)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "billing.bad_idempotency_key")
    assert _issued() == (0, 0)


def test_given_the_same_key_from_two_people_or_no_key_then_each_post_issues_a_note(world, as_person):
    a = _post(as_person(world["billing"]), world["invoice"], NOTE, "shared")
    b = _post(as_person(world["manager"]), world["invoice"], NOTE, "shared")
    c, d = (_post(as_person(world["billing"]), world["invoice"], NOTE, None) for _ in range(2))
    assert [r.status_code for r in (a, b, c, d)] == [201] * 4
    assert _issued() == (4, 4)


def test_the_openapi_document_names_the_header_and_both_successes(world, as_person):
    operation = as_person(world["billing"]).get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/billing/invoices/{invoice_id}/credit-notes"]["post"]
    assert "Idempotency-Key" in operation["description"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201"} <= set(operation["responses"])


def test_given_a_retry_racing_its_first_attempt_then_the_invoice_lock_answers_the_first(world, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    first = actions.write_credit_note(world["billing"], world["invoice"], idempotency_key="race", **NOTE)
    real, looks = idempotency_keys.replayed, []

    def first_look_misses(found, *args):  # noqa: ANN001, ANN002, ANN202
        looks.append(found)
        return None if len(looks) == 1 else real(found, *args)

    monkeypatch.setattr(idempotency_keys, "replayed", first_look_misses)
    # When the retry takes the invoice's lock
    again = actions.write_credit_note(world["billing"], world["invoice"], idempotency_key="race", **NOTE)
    # Then it finds the first note there and answers it: one note, one number
    assert (again.created, again.record.pk, len(looks)) == (False, first.record.pk, 2)
    assert _issued() == (1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_given_three_attempts_with_one_key_at_once_then_one_credit_note(tmp_path):
    # Given an issued invoice and a billing admin (SQLite: a WAL file every thread's connection shares)
    premium_only(name="Race Firm")
    invoice = actions.issue_month(None, "2026-03").issued[0]
    billing = StaffFactory(staff_roles=["billing"])
    with shared_file_database(tmp_path):
        # When three attempts with the same key are released together
        run = run_concurrently(3, lambda i: None, lambda i, _: actions.write_credit_note(
            billing, invoice, amount="300.00", reason="Outage", idempotency_key="same"))
        # Then one credit note is issued, and every attempt answers it
        assert run.errors == [] and run.peak_in_flight > 1
        assert sorted(r.created for r in run.results) == [False, False, True]
        assert {r.record.pk for r in run.results} == set(CreditNote.objects.values_list("pk", flat=True))
        assert BillingEvent.objects.filter(kind="credit_note.issued").count() == 1


def test_given_the_credit_note_form_sent_twice_then_one_note_and_an_edited_one_is_new(world, as_person):
    # Given a billing admin on the invoice's page, with the credit note form as it was rendered
    http = as_person(world["billing"])
    url = f"/billing/invoices/{world['invoice'].pk}/"
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
    assert found, "the credit note form carries its submission value"
    sent = {"action": "credit_note", "submission": found.group(1), **NOTE}
    # When it is sent twice (a double click), then once more with another amount (Back, edit, send)
    answers = [http.post(url, sent) for _ in range(2)] + [http.post(url, {**sent, "amount": "50.00"})]
    # Then the two identical ones issued one note; the edited one is a second note, not a refusal
    assert [a.status_code for a in answers] == [302] * 3
    assert sorted(str(a) for a in CreditNote.objects.values_list("amount", flat=True)) == ["200.00", "50.00"]
    assert _issued() == (2, 2)
