"""Done when a TAM can run a month of a Premium client's account from the workspace: end to end through
the pages (and the jobs the worker runs), from assignment to calls, escalation, guides, a visit with
expenses, and an upgrade confirmed by the client."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from supportdesk.billing.models import BillableCharge
from supportdesk.factories import ClientUserFactory, TicketFactory, premium_client
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import tasks
from supportdesk.tam.models import CallOccurrence, LibraryItem, OnsiteVisit, UpgradePlan
from supportdesk.tickets import actions as ticket_actions

from .factories import MP4, PDF

TORONTO = ZoneInfo("America/Toronto")


def test_a_tam_runs_a_month_of_a_premium_clients_account_from_the_workspace(world, as_person):
    people, category = world["people"], world["category"]
    tam, manager, agent = people["tam"], people["manager"], people["agent"]
    with time_machine.travel(datetime(2026, 12, 1, 13, 0, tzinfo=UTC), tick=False) as clock:
        acme = premium_client(name="Acme Legal")
        admin = ClientUserFactory(client=acme, client_role="client_admin", email="it-boss@acme.example")
        user = ClientUserFactory(client=acme, email="paralegal@acme.example")
        # A manager assigns the TAM from the client's page
        boss = as_person(manager)
        assert boss.post(f"/tam/clients/{acme.pk}/", {"form": "assign", "tam": tam.pk}).status_code == 302
        # The TAM sees Acme in the workspace and plans weekly Thursday 10:00 Toronto calls
        me = as_person(tam)
        assert b"Acme Legal" in me.get("/tam/").content
        planned = me.post(f"/tam/clients/{acme.pk}/", {
            "form": "series", "title": "Case scrub", "cadence": "weekly", "weekday": 3, "local_time": "10:00",
            "zone": "America/Toronto", "duration_minutes": 45, "attendees": ""})
        assert planned.status_code == 302, planned.content
        calls = list(CallOccurrence.objects.filter(series__client=acme).order_by("starts_at"))
        assert len(calls) == 6 and calls[0].starts_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
        invite = OutboxItem.objects.filter(topic="tam.call_invitation", recipient=admin.email).first()
        assert Calendar.from_ical(base64.b64decode(invite.attachments[0]["content_b64"]))["METHOD"] == "REQUEST"

        # A client user opens a ticket; an agent escalates it to the TAM
        ticket = TicketFactory(requester=user, subject="Matter search returns nothing", severity=2, category=category)
        assert as_person(agent).post(f"/tam/tickets/{ticket.pk}/escalate/",
                                     {"reason": "VIP", "assign": "on"}).status_code == 302
        assert OutboxItem.objects.filter(topic="tam.escalation", recipient=tam.email).exists()
        ticket.refresh_from_db()
        assert ticket.assignee == tam

        # 20 minutes before the first call the worker prepares the agenda; the TAM records minutes
        clock.move_to(calls[0].starts_at - timedelta(minutes=20))
        assert tasks.prepare_agendas.call_local() == 1
        call_page = me.get(f"/tam/calls/{calls[0].pk}/")
        assert b"Matter search returns nothing" in call_page.content and b"10:00" in call_page.content
        assert me.post(f"/tam/calls/{calls[0].pk}/", {
            "form": "minutes", "minutes": "Reviewed the search issue.",
            "follow_ups": "Send reindex guide | TAM | 2026-12-05\nCheck logs | IT"}).status_code == 302

        # The TAM attaches a guide and a recording to the ticket
        assert me.post(f"/tam/tickets/{ticket.pk}/guide/", {"title": "Reindex matters", "body": "1. ...",
                                                            "private": "on"}).status_code == 302
        assert me.post(f"/tam/tickets/{ticket.pk}/recording/", {
            "title": "Reindex walkthrough", "file": SimpleUploadedFile("r.mp4", MP4, content_type="video/mp4")
        }).status_code == 302

        # Plans the annual visit and records its expenses (one in EUR, with a rate)
        assert me.post(f"/tam/clients/{acme.pk}/", {"form": "visit", "starts_on": "2026-12-15",
                                                    "ends_on": "2026-12-16", "location": "Toronto office",
                                                    "attendees": "IT boss\nTAM"}).status_code == 302
        visit = OnsiteVisit.objects.get(client=acme)
        expense_form = {"category": "airfare", "amount": "640.00", "currency": "EUR", "incurred_on": "2026-12-15",
                        "description": "Flight", "exchange_rate": ""}
        refused = me.post(f"/tam/visits/{visit.pk}/", expense_form)
        assert refused.status_code == 200 and b"exchange rate" in refused.content
        expense_form.update(exchange_rate="1.05", receipt=SimpleUploadedFile("ticket.pdf", PDF))
        assert me.post(f"/tam/visits/{visit.pk}/", expense_form).status_code == 302
        second = me.post(f"/tam/clients/{acme.pk}/", {"form": "visit", "starts_on": "2026-12-20",
                                                      "ends_on": "2026-12-20"})
        assert b"already has 1 onsite visit" in second.content

        # Proposes an upgrade with two windows; the client admin confirms one in the portal
        assert me.post(f"/tam/clients/{acme.pk}/", {
            "form": "upgrade", "product": "Case Manager", "installed_version": "7.4", "target_version": "8.1",
            "zone": "America/Toronto", "windows": "2026-12-19 20:00 - 2026-12-19 23:00\n2026-12-26 20:00 - 2026-12-26 23:00",
            "notes": ""}).status_code == 302
        plan = UpgradePlan.objects.get(client=acme)
        client_admin = as_person(admin)
        window = plan.windows.order_by("starts_at").first()
        assert client_admin.post(f"/portal/tam/upgrades/{plan.pk}/confirm/", {"window": window.pk}).status_code == 302
        plan.refresh_from_db()
        assert plan.window_starts_at == datetime(2026, 12, 19, 20, 0, tzinfo=TORONTO)

        # Next week, things happen on the ticket (one of them internal) and the second call's agenda shows them
        clock.move_to(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
        ticket_actions.add_message(agent, ticket, body="We reindexed the server.")
        ticket_actions.add_message(agent, ticket, body="Internal: customer DB is huge", kind="internal")
        clock.move_to(calls[1].starts_at - timedelta(minutes=5))
        assert me.post(f"/tam/calls/{calls[1].pk}/", {"form": "agenda"}).status_code == 302
        calls[1].refresh_from_db()
        kinds = [c["kind"] for c in calls[1].agenda["changes"]]
        assert "message.public" in kinds and "message.internal" not in kinds
        assert [f["text"] for f in calls[1].agenda["open_follow_ups"]] == ["Send reindex guide", "Check logs"]

        # The day before the upgrade the reminder goes out; afterwards the TAM records the outcome
        clock.move_to(datetime(2026, 12, 19, 12, 0, tzinfo=UTC))
        assert tasks.upgrade_reminders.call_local() == 1
        assert OutboxItem.objects.filter(topic="tam.upgrade_reminder", recipient=admin.email).exists()
        clock.move_to(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
        me, client_admin = as_person(tam), as_person(admin)  # sessions last two weeks: sign in again
        assert me.post(f"/tam/upgrades/{plan.pk}/", {"form": "outcome", "outcome": "completed",
                                                     "notes": "Done in 2h"}).status_code == 302
        plan.refresh_from_db()
        assert plan.status == "completed"
        assert tasks.extend_call_series.call_local() >= 1

        # The client admin sees it all in the portal; the library holds the guide and the recording
        portal = client_admin.get("/portal/tam/").content
        assert b"Reviewed the search issue." in portal and b"672.00 USD" in portal and b"on your next invoice" in portal
        assert b"Case Manager 8.1" in portal
        library = as_person(user).get("/portal/library/").content
        assert b"Reindex matters" in library and b"Reindex walkthrough" in library
        assert LibraryItem.objects.filter(client=acme).count() == 2
        assert BillableCharge.objects.get(client=acme).amount == 672

        # And the TAM's calendar feed carries the calls, the visit and the upgrade
        token = me.get("/api/v1/tam/feed").json()["url"].rsplit("/", 1)[1]
        feed = Calendar.from_ical(as_person(None).get(f"/tam/feed/{token}").content)
        summaries = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
        assert any("Onsite visit: Acme Legal" in s for s in summaries)
        assert any(s.startswith("Upgrade Case Manager") for s in summaries)
        assert sum("Case scrub: Acme Legal" in s for s in summaries) >= 6
