"""A travel expense retried or sent twice is recorded, billed and stored once: the API's Idempotency-Key (the same
key and request answer the first expense with 200; the same key with another request is 422) and the visit page's
submission value (a double click), also when the retry races its first attempt."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk import stored_files
from supportdesk.billing.models import BillableCharge
from supportdesk.errors import Conflict
from supportdesk.tam import visits
from supportdesk.tam.models import TamEvent, VisitExpense, VisitStatus

from .factories import PDF, PNG

TAXI = {"category": "ground", "amount": "45.10", "currency": "CAD", "incurred_on": "2026-12-07",
        "exchange_rate": "0.72", "description": "Airport to office"}


@pytest.fixture
def visit(world):  # noqa: ANN001, ANN201
    return visits.plan_visit(world["people"]["tam"], client=world["own"], starts_on=date(2026, 12, 7),
                             ends_on=date(2026, 12, 8))


def _post(http, visit, key, receipt=PNG, **changes):  # noqa: ANN001, ANN003, ANN202
    name = changes.pop("receipt_name", "taxi.png")
    form = {**TAXI, **changes}
    if receipt is not None:
        form["receipt"] = SimpleUploadedFile(name, receipt, content_type="image/png")
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return http.post(f"/api/v1/tam/visits/{visit.pk}/expenses", form, **headers)


def _receipts() -> list[str]:
    return list(stored_files._files_under(default_storage, "tam/receipts/"))


def _recorded() -> tuple[int, int, int, int]:
    """Expenses, billable charges, expense events and stored receipts."""
    return (VisitExpense.objects.count(), BillableCharge.objects.filter(kind="travel_expense").count(),
            TamEvent.objects.filter(kind="visit.expense_added").count(), len(_receipts()))


def test_given_an_expense_retried_with_its_key_then_the_first_answer_and_one_expense_charge_event_and_receipt(
        world, visit, as_person):
    # Given a TAM's expense with a receipt that was recorded, its answer lost to a timeout
    http = as_person(world["people"]["tam"])
    first = _post(http, visit, "taxi-1")
    # When the client retries the same POST with the same key
    again = _post(http, visit, "taxi-1")
    # Then the retry answers the first expense with 200, and nothing was recorded, billed or stored again
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert _recorded() == (1, 1, 1, 1)
    assert _receipts() == [VisitExpense.objects.get().receipt.name]


def test_given_a_retry_after_the_visit_was_cancelled_then_the_first_expense_not_a_refusal(world, visit, as_person):
    http = as_person(world["people"]["tam"])
    first = _post(http, visit, "taxi-2", receipt=None)
    visits.set_visit_status(world["people"]["tam"], visit, VisitStatus.CANCELLED)
    again = _post(http, visit, "taxi-2", receipt=None)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert _recorded()[:3] == (1, 1, 1)


@pytest.mark.parametrize("other", [{"amount": "45.11"}, {"currency": "EUR", "exchange_rate": "1.45"},
                                   {"exchange_rate": "0.73"}, {"incurred_on": "2026-12-08"},
                                   {"description": "Office to hotel"}, {"category": "other"},
                                   {"receipt": PNG + b"\x01"}, {"receipt_name": "cab.png"}, {"receipt": None}])
def test_given_a_key_reused_for_another_expense_then_422_and_nothing_written(world, visit, as_person, other):
    # Given an expense recorded with a key
    http = as_person(world["people"]["tam"])
    assert _post(http, visit, "taxi-3").status_code == 201
    # When the same key comes with another amount, currency, rate, date, text, category or receipt
    answer = _post(http, visit, "taxi-3", **other)
    # Then it is refused, naming the header, and no second expense, charge, event or file is left
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "tam.idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _recorded() == (1, 1, 1, 1)


def test_given_the_same_amount_and_rate_written_another_way_then_it_is_the_same_request(world, visit):
    tam = world["people"]["tam"]
    first = visits.record_expense(tam, visit, category="meals", amount="20.5", currency="EUR", exchange_rate="1.1",
                                  incurred_on=date(2026, 12, 7), idempotency_key="dinner")
    again = visits.record_expense(tam, visit, category="meals", amount="20.50", currency="eur",
                                  exchange_rate="1.100000", incurred_on=date(2026, 12, 7), idempotency_key="dinner")
    assert (again.created, again.expense.pk) == (False, first.expense.pk)


@pytest.mark.parametrize("key", ["k" * 101, ""])
def test_given_a_malformed_idempotency_key_then_422_and_nothing_written(world, visit, as_person, key):
    answer = _post(as_person(world["people"]["tam"]), visit, key)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "tam.bad_idempotency_key"
    assert "Idempotency-Key" in answer.json()["error"]["fields"]
    assert _recorded() == (0, 0, 0, 0)


def test_given_the_same_key_from_two_people_then_each_expense_is_recorded(world, visit, as_person):
    a = _post(as_person(world["people"]["tam"]), visit, "shared", receipt=None)
    b = _post(as_person(world["people"]["manager"]), visit, "shared", receipt=None)
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]


def test_given_no_key_then_each_post_is_a_new_expense(world, visit, as_person):
    http = as_person(world["people"]["tam"])
    assert [_post(http, visit, None, receipt=None).status_code for _ in range(2)] == [201, 201]
    assert _recorded()[:3] == (2, 2, 2)


def test_given_the_visit_pages_expense_form_sent_twice_then_one_expense_one_charge_and_one_receipt(
        world, visit, as_person):
    # Given the TAM on the visit's page, whose expense form carries its submission value
    http = as_person(world["people"]["tam"])
    url = f"/tam/visits/{visit.pk}/"
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', http.get(url).content.decode())
    assert found, "the expense form carries its submission value"
    # When the form with a receipt is sent twice (a double click)
    answers = [http.post(url, {**TAXI, "submission": found.group(1),
                               "receipt": SimpleUploadedFile("taxi.pdf", PDF)}) for _ in range(2)]
    # Then both land on the visit page, and the expense is recorded, billed and stored once
    assert [a.status_code for a in answers] == [302, 302]
    assert _recorded() == (1, 1, 1, 1)
    # and the same form edited and sent again is a second expense, not a refusal
    assert http.post(url, {**TAXI, "amount": "12.00", "submission": found.group(1)}).status_code == 302
    assert _recorded()[:3] == (2, 2, 2)


def test_given_a_retry_racing_its_first_attempt_then_the_unique_key_decides_and_its_receipt_is_removed(
        world, visit, monkeypatch):
    # Given the first attempt committed just after its retry looked for it (the retry saw nothing yet)
    tam = world["people"]["tam"]
    taxi = {"category": "ground", "amount": "45.10", "currency": "USD", "incurred_on": date(2026, 12, 7),
            "receipt_name": "taxi.pdf", "idempotency_key": "race"}
    first = visits.record_expense(tam, visit, receipt=io.BytesIO(PDF), **taxi)
    looked, lookups = visits._earlier_expense, []

    def missed_once(*args):  # noqa: ANN002, ANN202
        lookups.append(args)
        return None if len(lookups) == 1 else looked(*args)

    monkeypatch.setattr(visits, "_earlier_expense", missed_once)
    # When the retry stores its receipt and the unique key refuses its row
    again = visits.record_expense(tam, visit, receipt=io.BytesIO(PDF), **taxi)
    # Then it answers the first expense (found after the refusal), billed once, and its own receipt is gone
    assert (again.created, again.expense.pk, len(lookups)) == (False, first.expense.pk, 2)
    assert _recorded() == (1, 1, 1, 1)
    assert _receipts() == [first.expense.receipt.name]


def test_given_a_visit_cancelled_after_the_page_loaded_when_an_expense_is_recorded_then_refused_and_nothing_billed(
        world, visit):
    # Given the visit as a TAM's page loaded it (planned), then cancelled by a colleague
    loaded = type(visit).objects.get(pk=visit.pk)
    visits.set_visit_status(world["people"]["tam"], visit, VisitStatus.CANCELLED)
    # When an expense is recorded against the page's (stale) visit
    with pytest.raises(Conflict) as refused:
        visits.add_expense(world["people"]["tam"], loaded, category="ground", amount="45.10", currency="CAD",
                           incurred_on=date(2026, 12, 7), exchange_rate="0.72")
    # Then it is refused under the visit's lock: no expense and no live charge on a cancelled visit
    assert refused.value.code == "tam.visit_closed"
    assert _recorded()[:2] == (0, 0)


def test_given_a_visit_already_cancelled_when_a_stale_page_cancels_or_completes_it_then_refused(world, visit):
    # Given a visit cancelled meanwhile, and a page that still shows it planned
    loaded = type(visit).objects.get(pk=visit.pk)
    visits.set_visit_status(world["people"]["tam"], visit, VisitStatus.CANCELLED)
    # When the stale page completes it
    with pytest.raises(Conflict) as refused:
        visits.set_visit_status(world["people"]["tam"], loaded, VisitStatus.COMPLETED)
    # Then refused, and the visit stays cancelled
    assert refused.value.code == "tam.visit_closed"
    assert type(visit).objects.get(pk=visit.pk).status == VisitStatus.CANCELLED


def test_the_api_document_lists_the_upload_refusals_of_receipts_and_recordings(client):
    # Given the OpenAPI document
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    # Then the receipt's and the recording's size refusals (and the recording's header refusals) are documented
    assert {"200", "201", "413"} <= set(paths["/api/v1/tam/visits/{visit_id}/expenses"]["post"]["responses"])
    assert {"400", "411", "413"} <= set(paths["/api/v1/tam/tickets/{ticket_id}/recordings"]["put"]["responses"])
