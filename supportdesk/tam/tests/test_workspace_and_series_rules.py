"""R8 workspace contents and R9 rules that depend on the contract."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from supportdesk.catalogue.actions import publish_version
from supportdesk.catalogue.models import Offering
from supportdesk.contracts.actions import LineInput, record_order
from supportdesk.errors import Invalid
from supportdesk.factories import ClientFactory
from supportdesk.tam import calls
from supportdesk.tickets.models import Ticket


def test_the_workspace_lists_open_tickets_and_at_risk_clocks_of_the_tams_clients(world, as_person):
    ticket = world["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=timezone.now() + timedelta(hours=1), sla_state="running")
    page = as_person(world["people"]["tam"]).get("/api/v1/tam/workspace").json()
    cards = page["items"]
    assert [c["client"] for c in cards] == ["Own Firm"] and page["count"] == 1
    assert cards[0]["open_tickets"] == 1 and cards[0]["at_risk_tickets"] == [ticket.pk]
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=timezone.now() + timedelta(days=2), sla_state="breached")
    assert as_person(world["people"]["tam"]).get("/api/v1/tam/workspace").json()["items"][0]["at_risk_tickets"] == [ticket.pk]
    Ticket.objects.filter(pk=ticket.pk).update(sla_state="running")
    assert as_person(world["people"]["tam"]).get("/api/v1/tam/workspace").json()["items"][0]["at_risk_tickets"] == []
    managers = as_person(world["people"]["manager"]).get("/api/v1/tam/workspace").json()["items"]
    assert {c["client"] for c in managers} == {"Own Firm", "Other Firm"}


def test_a_plan_with_biweekly_calls_refuses_a_weekly_series_and_no_plan_refuses_any(world):
    from supportdesk.accounts.actions import assign_tam

    offering = Offering.objects.create(code="tam-lite", name="TAM lite")
    publish_version(None, offering=offering, effective_from=date(2020, 1, 1),
                    features={"dedicated_tam": True, "case_scrub_cadence": "biweekly"})
    lite = ClientFactory(name="Lite Firm")
    record_order(None, client=lite, number="SOF-LITE", kind="form", signed_on=date(2026, 1, 1),
                 effective_from=date(2026, 1, 1), lines=[LineInput(offering="tam-lite", agreed_price="100")])
    assign_tam(None, client=lite, tam=world["people"]["tam"])
    with pytest.raises(Invalid) as refused:
        calls.create_series(world["people"]["tam"], client=lite, cadence="weekly", weekday=0, local_time="10:00")
    assert "bi-weekly" in refused.value.message
    series = calls.create_series(world["people"]["tam"], client=lite, cadence="biweekly", weekday=0, local_time="10:00")
    starts = [o.starts_at for o in series.occurrences.order_by("starts_at")]
    assert all((b - a) >= timedelta(days=13) for a, b in zip(starts, starts[1:], strict=False))
    bare = ClientFactory(name="Bare Firm")
    assign_tam(None, client=bare, tam=world["people"]["tam"])
    with pytest.raises(Invalid) as none:
        calls.create_series(world["people"]["tam"], client=bare, cadence="biweekly", weekday=0, local_time="10:00")
    assert none.value.code == "tam.not_entitled"


def test_moving_one_call_keeps_its_uid_and_refuses_the_past_or_a_naive_time(world, as_person):
    series = calls.create_series(world["people"]["tam"], client=world["own"], cadence="weekly", weekday=0,
                                 local_time="10:00")
    occ = series.occurrences.order_by("starts_at").first()
    http = as_person(world["people"]["tam"])
    new_start = (occ.starts_at + timedelta(days=1)).isoformat()
    moved = http.post(f"/api/v1/tam/occurrences/{occ.pk}/move", {"starts_at": new_start}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["uid"] == occ.uid and moved.json()["sequence"] == 1
    naive = http.post(f"/api/v1/tam/occurrences/{occ.pk}/move", {"starts_at": "2030-01-01T10:00:00"},
                      content_type="application/json")
    assert naive.status_code == 422 and naive.json()["error"]["code"] == "tam.bad_time"
    past = http.post(f"/api/v1/tam/occurrences/{occ.pk}/move", {"starts_at": "2020-01-01T10:00:00Z"},
                     content_type="application/json")
    assert past.status_code == 422 and past.json()["error"]["code"] == "tam.window_in_past"


def test_minutes_with_follow_ups_and_marking_one_done(world, as_person):
    series = calls.create_series(world["people"]["tam"], client=world["own"], cadence="weekly", weekday=0,
                                 local_time="10:00")
    occ = series.occurrences.first()
    http = as_person(world["people"]["tam"])
    recorded = http.post(f"/api/v1/tam/occurrences/{occ.pk}/minutes", {
        "minutes": "Went through the queue", "follow_ups": [{"text": "Send logs", "owner": "Client", "due_on": "2026-12-10"}]},
        content_type="application/json").json()
    assert recorded["status"] == "held" and recorded["follow_ups"][0]["done"] is False
    assert http.post(f"/api/v1/tam/follow-ups/{recorded['follow_ups'][0]['id']}/done").status_code == 204
    assert http.get(f"/api/v1/tam/occurrences/{occ.pk}").json()["follow_ups"][0]["done"] is True
    empty = http.post(f"/api/v1/tam/occurrences/{occ.pk}/minutes", {"minutes": "  "}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["error"]["fields"] == {"minutes": "required"}


def test_page_forms_with_a_malformed_id_answer_clearly_instead_of_a_500(world, as_person):
    # Given a call, and an upgrade proposed to the client
    from supportdesk.tam import upgrades

    tam, admin = world["people"]["tam"], world["people"]["client_admin"]
    occ = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=1, local_time="10:00") \
        .occurrences.first()
    start = timezone.now() + timedelta(days=5)
    plan = upgrades.propose_upgrade(tam, client=world["own"], product="Case Manager", installed_version="7",
                                    target_version="8", windows=[(start, start + timedelta(hours=2))])
    http, portal = as_person(tam), as_person(admin)
    # When the forms post an id that is not a number
    done = http.post(f"/tam/calls/{occ.pk}/", {"form": "done", "follow_up": "abc"})
    confirm = http.post(f"/tam/upgrades/{plan.pk}/", {"form": "confirm", "window": "abc"})
    portal_confirm = portal.post(f"/portal/tam/upgrades/{plan.pk}/confirm/", {"window": "1; drop"})
    # Then the follow-up is not found, and the confirmations say to choose a proposed window
    assert done.status_code == 404
    assert confirm.status_code == 422 and b"Choose one of the proposed windows" in confirm.content
    assert portal_confirm.status_code == 302
    assert b"Choose one of the proposed windows" in portal.get("/portal/tam/").content
    plan.refresh_from_db()
    assert plan.status == "proposed"


def test_a_refused_button_on_the_call_page_shows_why_instead_of_a_500(world, as_person):
    # Given a call that was already cancelled (another tab, a double click)
    tam = world["people"]["tam"]
    occ = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=1, local_time="10:00") \
        .occurrences.first()
    calls.cancel_occurrence(tam, occ)
    # When the cancel button is pressed again
    page = as_person(tam).post(f"/tam/calls/{occ.pk}/", {"form": "cancel"})
    # Then the page says the call is already cancelled, with a 409
    assert page.status_code == 409 and b"already cancelled" in page.content


def test_an_agenda_generated_days_ahead_is_generated_again_at_call_time(world):
    # Given a call whose agenda the TAM previewed two days before
    from datetime import UTC, datetime

    import time_machine

    from supportdesk.tam import tasks
    from supportdesk.tickets import actions as ticket_actions

    tam = world["people"]["tam"]
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False) as clock:
        occ = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=3, local_time="10:00",
                                  zone="America/Toronto").occurrences.order_by("starts_at").first()
        assert occ.starts_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
        calls.generate_agenda(tam, occ)
        # When the ticket changes after the preview and the job runs 20 minutes before the call
        clock.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
        ticket_actions.add_message(world["people"]["agent"], world["ticket"], body="Fixed in 8.1", kind="public",
                                   source="web")
        clock.move_to(datetime(2026, 12, 3, 14, 40, tzinfo=UTC))
        assert tasks.prepare_agendas.call_local() == 1
        # Then the agenda is the one of call time, with the change; a second run leaves it alone
        occ.refresh_from_db()
        assert occ.agenda_generated_at == datetime(2026, 12, 3, 14, 40, tzinfo=UTC)
        assert "message.public" in [c["kind"] for c in occ.agenda["changes"]]
        assert tasks.prepare_agendas.call_local() == 0


def test_a_call_left_over_from_a_cancelled_series_cannot_be_moved_back_into_the_calendar(world, as_person):
    # Given a series whose first call was missed (still scheduled, in the past), then the series is cancelled
    import time_machine

    tam = world["people"]["tam"]
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=0, local_time="10:00")
    occ = series.occurrences.order_by("starts_at").first()
    with time_machine.travel(occ.starts_at + timedelta(days=1), tick=False):
        calls.cancel_series(tam, series)
        occ.refresh_from_db()
        assert occ.status == "scheduled"
        # When the TAM moves that call into the future
        moved = as_person(tam).post(f"/api/v1/tam/occurrences/{occ.pk}/move",
                                    {"starts_at": (occ.starts_at + timedelta(days=3)).isoformat()},
                                    content_type="application/json")
    # Then it is refused (no new invitation for a cancelled series)
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "tam.series_cancelled"
    occ.refresh_from_db()
    assert occ.sequence == 0
