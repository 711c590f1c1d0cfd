"""The clocks API, the calendar endpoints, the attainment report, the dashboard (table, CSV, chart) and who
may see what: managers and system admins see the dashboard; clients get 404 and no internal warnings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.factories import TicketFactory
from supportdesk.sla import actions as sla_actions
from supportdesk.sla.calendars_store import settings_for
from supportdesk.sla.sweep import sweep
from supportdesk.tickets import actions

from .conftest import client_with, requester_of, utc

pytestmark = pytest.mark.django_db

MONDAY_10 = utc(2026, 4, 6, 14, 0)


@pytest.fixture
def history(clock, staff):  # noqa: ANN001, ANN201
    """Two Premium tickets in April 2026: one answered in time, one breached and warned."""
    clock.at(MONDAY_10)
    client = client_with("premium", name="Hale & Partners")
    met = TicketFactory(requester=requester_of(client), severity=3, subject="Met in time")
    late = TicketFactory(requester=requester_of(client), severity=3, subject="Answered late")
    clock.at(MONDAY_10 + timedelta(minutes=30))
    actions.add_message(staff["agent"], met, body="On it", kind="public")
    clock.at(utc(2026, 4, 6, 17, 50))
    sweep()  # warns `late`
    clock.at(utc(2026, 4, 6, 18, 10))
    sweep()  # breaches `late`, 10 minutes over
    return {"client": client, "met": met, "late": late}


def test_clocks_api_shape_for_an_agent(history, staff, as_person):
    # When an agent reads the late ticket's clocks
    response = as_person(staff["agent"]).get(f"/api/v1/sla/tickets/{history['late'].pk}/clocks")
    # Then each clock has metric, target, UTC due, state and business overrun, with the warning in its history
    assert response.status_code == 200
    assert response.json()["count"] == 1
    [c] = response.json()["items"]
    assert c["metric"] == "initial_response" and c["target_minutes"] == 240 and c["calendar"] == "business-hours"
    assert c["due_at"] == "2026-04-06T18:00:00Z" and c["state"] == "breached"
    assert c["breach_overrun_seconds"] == 600 and c["overrun_seconds"] == 600 and c["remaining_seconds"] is None
    assert c["warned_at"] == "2026-04-06T17:50:00Z"
    assert [e["kind"] for e in c["history"]] == ["started", "warned", "breached"]


def test_running_clock_reports_business_time_remaining(clock, as_person):
    # Given a severity 3 ticket opened Monday 16:00 Toronto; when its requester looks Tuesday 00:00 UTC
    clock.at(utc(2026, 4, 6, 20, 0))
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    clock.at(utc(2026, 4, 7, 4, 0))
    [c] = as_person(ticket.requester).get(f"/api/v1/sla/tickets/{ticket.pk}/clocks").json()["items"]
    # Then 3 business hours remain (one hour was used before closing), due Tuesday 11:00 Toronto
    assert c["state"] == "running" and c["remaining_seconds"] == 3 * 3600 and c["due_at"] == "2026-04-07T15:00:00Z"


def test_client_sees_clock_state_but_not_internal_warnings(history, as_person):
    late = history["late"]
    response = as_person(late.requester).get(f"/api/v1/sla/tickets/{late.pk}/clocks")
    [c] = response.json()["items"]
    assert c["state"] == "breached" and c["warned_at"] is None
    assert [e["kind"] for e in c["history"]] == ["started", "breached"]


def test_clocks_of_an_invisible_ticket_answer_404(history, as_person):
    stranger = requester_of(client_with("premium"))
    response = as_person(stranger).get(f"/api/v1/sla/tickets/{history['late'].pk}/clocks")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_attainment_report_groups_by_client_severity_month(history, staff, as_person):
    response = as_person(staff["manager"]).get("/api/v1/sla/reports/attainment?months=12")
    assert response.status_code == 200
    assert response.json() == {"items": [{"client_id": history["client"].pk, "client": "Hale & Partners",
                                          "severity": 3, "month": "2026-04", "met": 1, "breached": 1, "total": 2,
                                          "percent": 50.0}],
                               "count": 1}
    assert as_person(staff["agent"]).get("/api/v1/sla/reports/attainment").status_code == 404


def test_attainment_covers_whole_months_only(history, staff, as_person, clock):
    # Given decided clocks in April 2026 and a ticket answered on 2026-03-31 (Toronto)
    clock.at(utc(2026, 3, 31, 14, 0))
    march = TicketFactory(requester=requester_of(history["client"]), severity=3)
    actions.add_message(staff["agent"], march, body="On it", kind="public")
    # When a manager asks for the last month on 2026-05-01 (Toronto): May only, nothing yet
    clock.at(utc(2026, 5, 1, 12, 0))
    http = as_person(staff["manager"])
    assert http.get("/api/v1/sla/reports/attainment?months=1").json() == {"items": [], "count": 0}
    # And for two months: all of April, and no partial March
    months = [r["month"] for r in http.get("/api/v1/sla/reports/attainment?months=2").json()["items"]]
    assert months == ["2026-04"]
    # And for three: March too, whole
    rows = http.get("/api/v1/sla/reports/attainment?months=3").json()["items"]
    assert [(r["month"], r["total"]) for r in rows] == [("2026-03", 1), ("2026-04", 2)]


def test_attainment_report_pages_past_the_first_page(history, staff, as_person, clock):
    # Given decided clocks of three clients in April 2026 (Hale & Partners from the history, and two more)
    clock.at(utc(2026, 4, 7, 14, 0))
    for name in ("Juniper Co", "Ibis Ltd"):
        ticket = TicketFactory(requester=requester_of(client_with("premium", name=name)), severity=3)
        actions.add_message(staff["agent"], ticket, body="On it", kind="public")
    http = as_person(staff["manager"])
    # When a manager reads the report two rows a page, and asks for page 2
    first = http.get("/api/v1/sla/reports/attainment", {"months": 12, "page_size": 2}).json()
    second = http.get("/api/v1/sla/reports/attainment", {"months": 12, "page_size": 2, "page": 2}).json()
    # Then page 2 holds the rest, in the report's order, and both pages count every row
    assert first["count"] == second["count"] == 3
    assert [r["client"] for r in first["items"]] == ["Hale & Partners", "Ibis Ltd"]
    assert [r["client"] for r in second["items"]] == ["Juniper Co"]
    # And a bad range is still refused with its own error, not swallowed by the paging
    bad = http.get("/api/v1/sla/reports/attainment", {"months": 0, "page": 2})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "sla.bad_range"


def test_channel_volume_and_breaches_cover_the_same_whole_months_as_attainment(history, staff, clock):
    from supportdesk.sla import queries
    from supportdesk.tickets.models import Ticket

    # Given a ticket opened on 2026-03-31 (Toronto) besides the history
    clock.at(utc(2026, 3, 31, 14, 0))
    TicketFactory(requester=requester_of(history["client"]), severity=3)
    # When a manager asks for two months on 2026-05-01: April and May, no partial March (was 62 days back)
    now = utc(2026, 5, 1, 12, 0)
    since_april = Ticket.objects.filter(created_at__gte=utc(2026, 4, 1, 4, 0)).count()
    assert sum(n for _, n in queries.volume_by_channel(staff["manager"], months=2, now=now)) == since_april
    assert sum(n for _, n in queries.volume_by_channel(staff["manager"], months=3, now=now)) == since_april + Ticket.objects.filter(
        created_at__gte=utc(2026, 3, 1, 5, 0), created_at__lt=utc(2026, 4, 1, 4, 0)).count()
    assert not queries.breaches(staff["manager"], months=2, now=now).filter(breached_at__lt=utc(2026, 4, 1, 4, 0)).exists()


def test_manager_edits_a_calendar_through_the_api(staff, as_person, django_capture_on_commit_callbacks, clock):
    clock.at(MONDAY_10)
    http = as_person(staff["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.put("/api/v1/sla/calendars/business-hours", {"hours": "09:00-18:00", "custom_holidays": ["2026-12-24"]},
                            content_type="application/json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["calendar"] == "business-hours" and job["calendar_version"] == 1
    assert http.get(f"/api/v1/sla/jobs/{job['id']}").json()["state"] == "done"
    [business] = [c for c in http.get("/api/v1/sla/calendars").json()["items"] if c["kind"] == "business-hours"]
    assert business["weekly"]["0"] == ["09:00-18:00"] and business["custom_holidays"] == ["2026-12-24"]
    bad = http.put("/api/v1/sla/calendars/business-hours", {"zone": "Nowhere/Land"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "sla.bad_zone"
    # A folder of the tz database is not a zone either: a clear 422, not a 500
    folder = http.put("/api/v1/sla/calendars/business-hours", {"zone": "America"}, content_type="application/json")
    assert folder.status_code == 422 and folder.json()["error"]["code"] == "sla.bad_zone"
    # And nobody else may: agents and clients get 404
    for person in (staff["agent"], requester_of(client_with("premium"))):
        assert as_person(person).put("/api/v1/sla/calendars/business-hours", {"hours": "00:00-23:00"},
                                     content_type="application/json").status_code == 404
        assert as_person(person).get("/api/v1/sla/calendars").status_code == 404


def test_dashboard_renders_with_data_csv_and_chart(history, staff, as_person, clock):
    http = as_person(staff["manager"])
    page = http.get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hale &amp; Partners" in html and "2026-04" in html and "50.0" in html
    assert f"#{history['late'].pk}" in html and "10m" in html  # breach list with its overrun
    csv = http.get("/dashboard/attainment.csv").content.decode().splitlines()
    assert csv[0] == "client,severity,month,met,breached,total,percent_met"
    assert csv[1] == "Hale & Partners,3,2026-04,1,1,2,50.0"
    svg = http.get("/dashboard/attainment.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_attainment_csv_does_not_hand_a_formula_to_spreadsheets(clock, staff, as_person):
    # Given a client whose name starts like a spreadsheet formula, with a decided clock
    clock.at(MONDAY_10)
    client = client_with("premium", name='=HYPERLINK("http://evil.example","x")')
    ticket = TicketFactory(requester=requester_of(client), severity=3)
    actions.add_message(staff["agent"], ticket, body="On it", kind="public")
    # When a manager exports the attainment CSV
    csv = as_person(staff["manager"]).get("/dashboard/attainment.csv").content.decode().splitlines()
    # Then the name is quoted as text
    assert csv[1].startswith('"\'=HYPERLINK(')


def test_at_risk_lists_clocks_due_soon(clock, staff, as_person):
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=2, subject="Soon due")
    html = as_person(staff["manager"]).get("/dashboard/").content.decode()
    assert f"/console/tickets/{ticket.pk}/" in html and "Nothing at risk" not in html


@pytest.mark.parametrize("role,status", [("manager", 200), ("sysadmin", 200), ("agent", 404), ("tam", 404),
                                         ("billing", 404), ("client", 404)])
def test_dashboard_and_calendars_are_for_managers_only(staff, as_person, role, status):
    person = requester_of(client_with("premium")) if role == "client" else staff[role]
    http = as_person(person)
    for url in ("/dashboard/", "/dashboard/attainment.csv", "/dashboard/attainment.svg", "/sla/calendars/",
                "/sla/calendars/business-hours/"):
        assert http.get(url).status_code == status, url


def test_calendar_page_edit_shows_errors_in_place_and_recomputes(staff, as_person, django_capture_on_commit_callbacks):
    http = as_person(staff["manager"])
    bad = http.post("/sla/calendars/business-hours/", {"zone": "Atlantis/Deep", "hours": "", "holidays": "CA-ON"})
    assert bad.status_code == 200 and "Unknown time zone" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ok = http.post("/sla/calendars/business-hours/", {"zone": "America/Toronto", "hours": "0 09:00-17:00\n1 09:00-17:00",
                                                          "holidays": "CA-ON", "custom_holidays": "2026-08-14"})
    assert ok.status_code == 302 and ok["Location"].startswith("/sla/jobs/")
    job_page = http.get(ok["Location"]).content.decode()
    assert "done" in job_page
    listing = http.get("/sla/calendars/").content.decode()
    assert "2026-08-14" in listing and "09:00-17:00" in listing


def test_ticket_pages_show_clocks_in_the_viewers_zone(clock, staff, as_person):
    clock.at(MONDAY_10)
    ticket = TicketFactory(requester=requester_of(client_with("premium")), severity=3)
    staff["agent"].timezone = "Europe/London"
    staff["agent"].save(update_fields=["timezone"])
    html = as_person(staff["agent"]).get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "Initial response" in html and "Mon 6 Apr 2026, 19:00" in html and "Europe/London" in html
    # And a client (the tag as the portal page renders it) sees it in its own zone, without warnings
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = ticket.requester
    portal = Template("{% load sla_tags %}{% ticket_clocks ticket %}").render(Context({"request": request, "ticket": ticket}))
    assert "Mon 6 Apr 2026, 14:00" in portal and "America/Toronto" in portal and "warned" not in portal


def test_viewer_zone_naming_a_tz_folder_falls_back_to_utc():
    # Given a person whose stored zone is a folder of the tz database, when a ticket page picks their zone
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from supportdesk.sla.templatetags.sla_tags import viewer_zone

    # Then the page shows UTC instead of failing with a 500
    assert viewer_zone(SimpleNamespace(timezone="America")) == ZoneInfo("UTC")


def test_at_risk_list_through_the_api(clock, staff, as_person):
    # Given a Premium severity 2 ticket opened Monday 10:00 Toronto (due 12:00) and a severity 3 one (due 14:00)
    clock.at(MONDAY_10)
    client = client_with("premium")
    soon = TicketFactory(requester=requester_of(client), severity=2)
    later = TicketFactory(requester=requester_of(client), severity=3)
    # When a manager asks for clocks at risk within 3 hours, at 10:30
    clock.at(MONDAY_10 + timedelta(minutes=30))
    body = as_person(staff["manager"]).get("/api/v1/sla/reports/at-risk?within_minutes=180").json()
    # Then only the severity 2 clock is listed, paged, with its due instant and business time left
    assert body["count"] == 1
    row = body["items"][0]
    assert (row["ticket_id"], row["client"], row["metric"], row["severity"]) == (soon.pk, client.name,
                                                                                  "initial_response", 2)
    assert row["due_at"].replace("+00:00", "Z").startswith("2026-04-06T16:00:00") and row["remaining_seconds"] == 5400
    # And the default window (4 hours) lists both, nearest first; others get 404, a bad window 422
    body = as_person(staff["manager"]).get("/api/v1/sla/reports/at-risk").json()
    assert [r["ticket_id"] for r in body["items"]] == [soon.pk, later.pk]
    assert as_person(staff["agent"]).get("/api/v1/sla/reports/at-risk").status_code == 404
    assert as_person(staff["manager"]).get("/api/v1/sla/reports/at-risk?within_minutes=0").status_code == 422


def test_emptying_the_hours_on_the_calendar_page_restores_the_default(staff, as_person, django_capture_on_commit_callbacks):
    # Given business hours edited to Monday 09:00-12:00 only
    http = as_person(staff["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        http.post("/sla/calendars/business-hours/", {"zone": "America/Toronto", "hours": "0 09:00-12:00"})
    assert settings_for("business-hours").weekly == {"0": ["09:00-12:00"]}
    # When the manager empties the hours field (its help text: "Empty: the calendar's default")
    with django_capture_on_commit_callbacks(execute=True):
        ok = http.post("/sla/calendars/business-hours/", {"zone": "America/Toronto", "hours": ""})
    # Then the default Monday–Friday hours are back
    assert ok.status_code == 302
    assert settings_for("business-hours").weekly == {str(d): ["08:00-17:00"] for d in range(5)}


@pytest.mark.parametrize("value", [True, "15", 1.5, -1, 10_001])
def test_rule_api_refuses_a_warning_lead_that_is_not_a_whole_number_of_minutes(staff, as_person, value):
    # When a manager sends a warning lead that is a boolean, a string, a fraction or out of range
    response = as_person(staff["manager"]).put("/api/v1/sla/rules/initial_response", {"warning_minutes": value},
                                               content_type="application/json")
    # Then it is refused with 422 and the rule keeps its default lead
    assert response.status_code == 422
    assert as_person(staff["manager"]).get("/api/v1/sla/rules").json()["items"][0]["warning_minutes"] == 15


def test_dashboard_breach_list_follows_the_chosen_period(history, staff, as_person, clock):
    # Given a breach recorded in April 2026, when a manager looks at the dashboard in August
    clock.at(utc(2026, 8, 10, 14, 0))
    http = as_person(staff["manager"])
    late = f"/console/tickets/{history['late'].pk}/"
    # Then the last 6 months list it (as the attainment table does), and the last month does not
    assert late in http.get("/dashboard/?months=6").content.decode()
    assert late not in http.get("/dashboard/?months=1").content.decode()


def test_the_calendars_page_pages_its_recompute_jobs(staff, as_person, clock):
    # Given eleven calendar edits, each with its recompute job
    for hour in range(11):
        sla_actions.update_calendar(staff["manager"], "business-hours", hours=f"{hour:02d}:00-18:00")
    http = as_person(staff["manager"])
    # When the calendars page, then its second page of recomputes, is read
    first = http.get("/sla/calendars/").content.decode()
    second = http.get("/sla/calendars/", {"jobs_page": 2}).content.decode()
    # Then ten jobs with the total, then the eleventh (before, the page showed the last ten and no more)
    assert first.count('href="/sla/jobs/') == 10 and "Page 1 of 2 · 11 recomputes" in first
    assert second.count('href="/sla/jobs/') == 1
