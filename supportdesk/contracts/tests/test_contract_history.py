"""R2: orders and addenda never overwrite; what a client had on any date is derived from the lines."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import pytest

from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.contracts.entitlements import entitlements_for
from supportdesk.contracts.models import ServiceOrder
from supportdesk.errors import DomainError
from supportdesk.factories import ClientFactory, OrderFactory

pytestmark = pytest.mark.django_db


def form(client, number="SOF-1", start=date(2026, 1, 1), end=None, lines=None):  # noqa: ANN001, ANN201
    return record_order(None, client=client, number=number, kind="form", signed_on=start, effective_from=start,
                        effective_to=end, lines=lines or [LineInput(offering="premium")])


def addendum(client, amends, number, start, lines):  # noqa: ANN001, ANN201
    return record_order(None, client=client, number=number, kind="addendum", amends=amends, signed_on=start,
                        effective_from=start, lines=lines)


def test_given_a_form_and_an_addendum_when_asked_for_past_dates_then_each_date_has_its_own_answer():
    client = ClientFactory()
    sof = form(client, lines=[LineInput(offering="maintenance"), LineInput(offering="support-24x7", user_count=25)])
    line_24x7 = sof.lines.get(offering_version__offering__code="support-24x7")
    addendum(client, sof, "SOA-1", date(2026, 4, 1), [
        LineInput(action="change", target_line=line_24x7.pk, user_count=35),
        LineInput(offering="premium"),
    ])
    before = entitlements_for(client, date(2026, 3, 14))
    after = entitlements_for(client, date(2026, 4, 1))
    assert before.offering_codes == {"maintenance", "support-24x7"}
    assert before.user_count("support-24x7") == 25
    assert not before.features.priority_queue
    assert after.offering_codes >= {"maintenance", "support-24x7", "premium", "tam"}
    assert after.user_count("support-24x7") == 35
    assert after.features.designated_user_limit == 10
    assert entitlements_for(client, date(2025, 12, 31)).offering_codes == frozenset()


def test_given_an_addendum_ending_a_line_then_the_perks_stop_that_day():
    client = ClientFactory()
    sof = form(client)
    premium_line = sof.lines.get()
    addendum(client, sof, "SOA-END", date(2026, 6, 1), [LineInput(action="end", target_line=premium_line.pk)])
    assert entitlements_for(client, date(2026, 5, 31)).features.priority_queue
    assert not entitlements_for(client, date(2026, 6, 1)).features.priority_queue


def test_given_a_form_with_an_end_date_then_nothing_is_in_force_from_that_date():
    client = ClientFactory()
    form(client, end=date(2026, 7, 1))
    assert entitlements_for(client, date(2026, 6, 30)).has_any_plan
    assert not entitlements_for(client, date(2026, 7, 1)).has_any_plan


def test_objectives_merge_to_the_strictest_when_premium_and_24x7_are_held():
    client = ClientFactory()
    form(client, lines=[LineInput(offering="premium"), LineInput(offering="support-24x7", user_count=10)])
    objectives = entitlements_for(client, date(2026, 2, 2)).features.objectives["initial_response"]
    assert (objectives["1"].minutes, objectives["1"].calendar) == (30, "24x7")
    assert (objectives["2"].minutes, objectives["2"].calendar) == (120, "24x7")
    assert (objectives["3"].minutes, objectives["3"].calendar) == (240, "business-hours")


def test_entitlements_at_an_instant_use_the_clients_local_date():
    from datetime import datetime

    client = ClientFactory(timezone_name="America/Vancouver")
    form(client, start=date(2026, 3, 14))
    # 2026-03-14T05:00Z is still March 13 in Vancouver
    assert not entitlements_for(client, datetime(2026, 3, 14, 5, 0, tzinfo=UTC)).has_any_plan
    assert entitlements_for(client, datetime(2026, 3, 14, 9, 0, tzinfo=UTC)).has_any_plan


@pytest.mark.parametrize("make,code", [
    (lambda c, sof: form(c, number="SOF-2", lines=[LineInput(offering="premium")]), "contract.overlapping_line"),
    (lambda c, sof: addendum(c, sof, "SOA-EARLY", date(2025, 12, 1), [LineInput(offering="maintenance")]),
     "contract.addendum_before_form"),
    (lambda c, sof: form(c, number="SOF-3", start=date(2027, 1, 1), end=date(2026, 1, 1)), "contract.end_before_start"),
    (lambda c, sof: form(c, number="SOF-4", lines=[LineInput(offering="platinum")]), "contract.unknown_offering"),
    (lambda c, sof: form(c, number="SOF-5", start=date(2028, 1, 1),
                         lines=[LineInput(offering="support-24x7", user_count=-5)]), "contract.bad_user_count"),
    (lambda c, sof: form(c, number="SOF-6", start=date(2028, 1, 1),
                         lines=[LineInput(offering="support-24x7", user_count=2.5)]), "contract.bad_user_count"),  # type: ignore[arg-type]
    (lambda c, sof: form(c, number="SOF-1"), "contract.duplicate_number"),
    (lambda c, sof: form(c, number="SOF-7", start=date(2028, 1, 1),
                         lines=[LineInput(offering="maintenance", agreed_price=Decimal("-1"))]), "contract.bad_price"),
    (lambda c, sof: form(c, number="SOF-8", start=date(2028, 1, 1),
                         lines=[LineInput(offering="maintenance", agreed_price="NaN")]), "contract.bad_price"),
])
def test_bad_orders_are_refused_with_a_clear_code_and_nothing_is_written(make, code):
    client = ClientFactory()
    sof = form(client)
    orders_before = client.orders.count()
    with pytest.raises(DomainError) as refused:
        make(client, sof)
    assert refused.value.code == code
    assert refused.value.message
    assert client.orders.count() == orders_before


def test_an_addendum_for_another_clients_form_is_refused():
    mine, theirs = ClientFactory(), ClientFactory()
    their_form = OrderFactory(client=theirs, offerings=["maintenance"])
    with pytest.raises(DomainError) as refused:
        addendum(mine, their_form, "SOA-X", date(2026, 2, 1), [LineInput(offering="premium")])
    assert refused.value.code == "contract.addendum_needs_form"


def test_orders_api_records_a_form_then_an_addendum_and_answers_by_date(client, django_user_model):
    from supportdesk.factories import PASSWORD, StaffFactory

    manager = StaffFactory(staff_roles=["manager"])
    firm = ClientFactory()
    client.login(email=manager.email, password=PASSWORD)
    created = client.post("/api/v1/contracts/orders", {
        "client_id": firm.pk, "number": "SOF-API", "kind": "form", "signed_on": "2026-01-01",
        "effective_from": "2026-01-01", "lines": [{"offering": "24/7 Support", "user_count": 15}],
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    line_id = created.json()["lines"][0]["id"]
    amended = client.post("/api/v1/contracts/orders", {
        "client_id": firm.pk, "number": "SOA-API", "kind": "addendum", "amends": "SOF-API",
        "signed_on": "2026-05-01", "effective_from": "2026-05-01",
        "lines": [{"action": "change", "target_line": line_id, "user_count": 42}],
    }, content_type="application/json")
    assert amended.status_code == 201, amended.content
    url = f"/api/v1/contracts/clients/{firm.pk}/entitlements"
    march = client.get(url, {"on": "2026-03-14"}).json()
    june = client.get(url, {"on": "2026-06-01"}).json()
    assert [line["user_count"] for line in march["lines"]] == [15]
    assert [line["user_count"] for line in june["lines"]] == [42]
    naive = client.get(url, {"at": "2026-03-14T10:00:00"})
    assert naive.status_code == 422 and "offset" in naive.json()["error"]["message"]
    garbage = client.post("/api/v1/contracts/orders", {"client_id": firm.pk, "number": "SOF-BAD", "kind": "form",
                                                       "signed_on": "2026-13-01", "effective_from": "2026-01-01",
                                                       "lines": []}, content_type="application/json")
    assert garbage.status_code == 422
    assert "signed_on" in garbage.json()["error"]["fields"]


@pytest.mark.parametrize("form_end,addendum_end,line_start", [
    (date(2026, 12, 31), None, date(2027, 6, 1)),  # after the form's end
    (None, date(2026, 9, 1), date(2026, 9, 1)),  # on the addendum's own (exclusive) end
])
def test_given_a_line_starting_when_its_order_is_no_longer_in_force_then_it_is_refused_not_silently_kept(
        form_end, addendum_end, line_start):
    client = ClientFactory()
    sof = form(client, lines=[LineInput(offering="maintenance")], end=form_end)
    with pytest.raises(DomainError) as refused:
        record_order(None, client=client, number="SOA-LATE", kind="addendum", amends=sof, signed_on=date(2026, 6, 1),
                     effective_from=date(2026, 6, 1), effective_to=addendum_end,
                     lines=[LineInput(offering="tam", starts_on=line_start)])
    assert refused.value.code == "contract.line_after_order_end"
    assert str(line_start) in refused.value.message
    assert client.orders.count() == 1


def test_given_a_form_ending_then_a_second_form_may_start_that_day_for_the_same_offering():
    client = ClientFactory()
    form(client, lines=[LineInput(offering="maintenance")], end=date(2027, 1, 1))
    form(client, number="SOF-RENEWAL", start=date(2027, 1, 1), lines=[LineInput(offering="maintenance")])
    assert entitlements_for(client, date(2027, 6, 1)).offering_codes == {"maintenance"}


def test_another_clients_order_answers_exactly_like_a_missing_one(as_person):
    from supportdesk.factories import ClientUserFactory

    mine, theirs = ClientFactory(), ClientFactory()
    OrderFactory(client=mine, offerings=["maintenance"])
    their_order = OrderFactory(client=theirs, offerings=["maintenance"])
    http = as_person(ClientUserFactory(client=mine, client_role="client_admin"))
    foreign = http.get(f"/api/v1/contracts/orders/{their_order.pk}")
    missing = http.get("/api/v1/contracts/orders/987654")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-10:00"])
def test_given_an_instant_at_the_ends_of_the_calendar_when_asking_entitlements_then_a_clear_422(as_person, at):
    from supportdesk.factories import StaffFactory

    firm = ClientFactory()
    response = as_person(StaffFactory(staff_roles=["agent"])).get(
        f"/api/v1/contracts/clients/{firm.pk}/entitlements", {"at": at})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "instant_out_of_range"
    assert "at" in response.json()["error"]["fields"]


@pytest.mark.parametrize("args,says", [
    (["Acme Law", "0001-01-01T00:00:00+14:00"], "outside the years"),
    (["Acme Law", "2026-03-14T10:00"], "UTC offset"),
    (["²"], "no client"),
    (["99999999999999999999999"], "no client"),
])
def test_given_bad_input_the_entitlements_command_exits_2_with_one_line(monkeypatch, args, says):
    from typer.testing import CliRunner

    from supportdesk.cli import app

    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)  # the test database
    OrderFactory(client=ClientFactory(name="Acme Law"), offerings=["premium"])
    result = CliRunner().invoke(app, ["entitlements", *args])
    assert result.exit_code == 2, result.output
    assert says in result.output and result.output.strip().count("\n") == 0


def test_the_entitlements_command_answers_for_a_date_and_an_instant(monkeypatch):
    import json

    from typer.testing import CliRunner

    from supportdesk.cli import app

    monkeypatch.setattr("supportdesk.cli.setup_django", lambda data_dir=None: None)
    firm = ClientFactory(name="Acme Law", timezone_name="America/Vancouver")
    form(firm, start=date(2026, 3, 14))
    runner = CliRunner()
    on_date = json.loads(runner.invoke(app, ["entitlements", "Acme Law", "2026-03-14"]).output)
    before = json.loads(runner.invoke(app, ["entitlements", str(firm.pk), "2026-03-14T05:00:00Z"]).output)
    assert "premium" in on_date["offerings"]
    assert before["on"] == "2026-03-13" and before["offerings"] == []


def test_given_the_same_number_recorded_at_the_same_moment_then_the_second_gets_409_not_a_500(monkeypatch):
    # Both passed the "is this number free?" check before either wrote: the unique index decides.
    client = ClientFactory()
    form(client, number="SOF-RACE")
    original = ServiceOrder.objects.filter
    monkeypatch.setattr(ServiceOrder.objects, "filter",
                        lambda *a, **kw: ServiceOrder.objects.none() if "number" in kw else original(*a, **kw))
    with pytest.raises(DomainError) as refused:
        form(client, number="SOF-RACE", start=date(2030, 1, 1))
    assert (refused.value.code, refused.value.status) == ("contract.duplicate_number", 409)
    assert client.orders.count() == 1


def test_given_a_per_user_offering_without_a_user_count_then_422_and_a_change_keeps_the_count_it_had():
    client = ClientFactory()
    with pytest.raises(DomainError) as refused:
        form(client, lines=[LineInput(offering="support-24x7")])
    assert refused.value.code == "contract.bad_user_count"
    assert "number of users" in refused.value.message
    assert client.orders.count() == 0
    sof = form(client, lines=[LineInput(offering="support-24x7", user_count=25)])
    line = sof.lines.get()
    addendum(client, sof, "SOA-PRICE", date(2026, 4, 1),
             [LineInput(action="change", target_line=line.pk, agreed_price=Decimal("900.00"))])
    assert entitlements_for(client, date(2026, 5, 1)).user_count("support-24x7") == 25


def test_given_a_retired_offering_then_new_lines_are_refused_but_existing_ones_can_be_changed():
    from supportdesk.catalogue.models import Offering

    client = ClientFactory()
    sof = form(client, lines=[LineInput(offering="support-24x7", user_count=25)])
    Offering.objects.filter(code="support-24x7").update(active=False)
    with pytest.raises(DomainError) as refused:
        form(ClientFactory(), number="SOF-LATE", lines=[LineInput(offering="support-24x7", user_count=10)])
    assert refused.value.code == "contract.unknown_offering" and "no longer offered" in refused.value.message
    addendum(client, sof, "SOA-MORE", date(2026, 6, 1),
             [LineInput(action="change", target_line=sof.lines.get().pk, user_count=30)])
    assert entitlements_for(client, date(2026, 6, 1)).user_count("support-24x7") == 30


def test_asking_entitlements_with_both_a_date_and_an_instant_is_refused_not_half_read(as_person):
    from supportdesk.factories import StaffFactory

    firm = ClientFactory()
    response = as_person(StaffFactory(staff_roles=["agent"])).get(
        f"/api/v1/contracts/clients/{firm.pk}/entitlements", {"on": "2026-03-14", "at": "2027-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"on", "at"}


def test_given_a_newer_catalogue_version_an_addendum_changing_the_user_count_keeps_the_version_bought():
    from supportdesk.catalogue.actions import publish_version
    from supportdesk.catalogue.models import Offering

    client = ClientFactory()
    sof = form(client, lines=[LineInput(offering="support-24x7", user_count=25)])
    offering = Offering.objects.get(code="support-24x7")
    bought = offering.current_version()
    publish_version(None, offering=offering, features=bought.features | {"channels": ["portal"]},
                    effective_from=date(2026, 3, 1))
    addendum(client, sof, "SOA-USERS", date(2026, 4, 1),
             [LineInput(action="change", target_line=sof.lines.get().pk, user_count=35)])
    april = entitlements_for(client, date(2026, 4, 2))
    assert april.user_count("support-24x7") == 35
    assert {line["offering_version"] for line in april.to_json()["lines"]} == {bought.version}
    assert "phone" in april.features.channels  # what the client bought, not the narrower new version
    newcomer = ClientFactory()
    form(newcomer, number="SOF-NEW", start=date(2026, 4, 1), lines=[LineInput(offering="support-24x7", user_count=5)])
    assert entitlements_for(newcomer, date(2026, 4, 2)).features.channels == frozenset({"portal"})


def test_an_addendum_is_in_its_forms_currency_by_default_and_another_one_is_refused():
    client = ClientFactory()
    sof = record_order(None, client=client, number="SOF-EUR", kind="form", signed_on=date(2026, 1, 1),
                       effective_from=date(2026, 1, 1), currency="eur", lines=[LineInput(offering="maintenance")])
    soa = addendum(client, sof, "SOA-EUR", date(2026, 3, 1), [LineInput(offering="tam")])
    assert (sof.currency, soa.currency) == ("EUR", "EUR")
    with pytest.raises(DomainError) as refused:
        record_order(None, client=client, number="SOA-USD", kind="addendum", amends=sof, signed_on=date(2026, 4, 1),
                     effective_from=date(2026, 4, 1), currency="USD", lines=[LineInput(offering="premium")])
    assert refused.value.code == "contract.currency_mismatch" and "EUR" in refused.value.message


def test_the_api_document_describes_the_entitlements_answer():
    from supportdesk.api import api

    schema = api.get_openapi_schema()
    op = schema["paths"]["/api/v1/contracts/clients/{client_id}/entitlements"]["get"]
    ref = op["responses"][200]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"client_id", "on", "offerings", "features", "lines"}
