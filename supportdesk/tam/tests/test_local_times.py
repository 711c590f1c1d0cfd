"""Times people read and type in the TAM workspace: in the right zone, with the abbreviation that tells the two
01:30s of a fall-back night apart, and a skipped spring-forward time refused rather than shifted.
(world: the own client is in America/Toronto, its TAM in Europe/London.)"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import time_machine

from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import calls, upgrades
from supportdesk.tam.models import UpgradePlan

UPGRADE = {"form": "upgrade", "product": "Case Manager", "installed_version": "7.4", "target_version": "8.1",
           "zone": "America/Toronto", "notes": ""}


def test_the_call_page_shows_the_call_at_its_own_zones_time_and_the_tams(world, as_person):
    # Given a 10:00 Europe/London call series of a Toronto client, its TAM in London
    tam = world["people"]["tam"]
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=3, local_time="10:00",
                                     zone="Europe/London")
        occ = series.occurrences.order_by("starts_at").first()
        # When a Toronto manager opens the call page
        page = as_person(world["people"]["manager"]).get(f"/tam/calls/{occ.pk}/").content.decode()
    # Then the call is at 10:00 London time, as labelled (it showed 05:00, Toronto's time, labelled London)
    assert "Thu 3 Dec 2026, 10:00 GMT (UTC+00:00)</strong> Europe/London" in page
    assert "05:00" not in page


def test_an_upgrade_window_at_a_time_the_clocks_skip_is_refused_in_place(world, as_person):
    # Given the TAM proposing a window in Toronto on the night the clocks spring forward (02:00 -> 03:00)
    http = as_person(world["people"]["tam"])
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        page = http.post(f"/tam/clients/{world['own'].pk}/",
                         {**UPGRADE, "windows": "2026-03-08 02:30 - 2026-03-08 05:00"})
    # Then the form says the time does not exist there; nothing is proposed, nothing shifted
    assert page.status_code == 200
    assert "2026-03-08 02:30 does not exist in America/Toronto" in page.content.decode()
    assert not UpgradePlan.objects.exists()


def test_an_upgrade_window_at_a_repeated_time_is_its_first_occurrence_and_says_so(world, as_person):
    # Given a window from 01:30 on the night the Toronto clocks fall back (01:00-02:00 happens twice)
    http = as_person(world["people"]["tam"])
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=UTC), tick=False):
        assert http.post(f"/tam/clients/{world['own'].pk}/",
                         {**UPGRADE, "windows": "2026-11-01 01:30 - 2026-11-01 04:00"}).status_code == 302
        plan = UpgradePlan.objects.get()
        window = plan.windows.get()
        # Then it starts at the first 01:30 (EDT, 05:30 UTC)
        assert window.starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
        # and the client admin confirming it reads which 01:30 that is
        admin = as_person(world["people"]["client_admin"])
        portal = admin.get("/portal/tam/").content.decode()
        assert "Sun 1 Nov 2026, 01:30 EDT (UTC-04:00) America/Toronto" in portal
        assert admin.post(f"/portal/tam/upgrades/{plan.pk}/confirm/", {"window": window.pk}).status_code == 302
    # and the TAM's confirmation email gives the window in London time and UTC, not bare ISO text
    mail = OutboxItem.objects.get(topic="tam.upgrade_confirmed")
    assert ("Window: Sun 1 Nov 2026, 05:30 GMT (UTC+00:00) to Sun 1 Nov 2026, 09:00 GMT (UTC+00:00) Europe/London "
            "(2026-11-01 05:30 to 2026-11-01 09:00 UTC).") in mail.body


def test_upgrade_reminders_state_the_window_in_each_readers_zone(world):
    # Given a confirmed window on 2026-03-29, the day London springs forward
    UpgradePlan.objects.create(client=world["own"], product="Case Manager", installed_version="7.4",
                               target_version="8.1", status="confirmed",
                               window_starts_at=datetime(2026, 3, 29, 14, 0, tzinfo=UTC),
                               window_ends_at=datetime(2026, 3, 29, 16, 0, tzinfo=UTC))
    # When the reminders go out the day before
    upgrades.send_due_reminders(now=datetime(2026, 3, 28, 14, 0, tzinfo=UTC))
    mails = {m.recipient: m for m in OutboxItem.objects.filter(topic="tam.upgrade_reminder")}
    # Then the Toronto client admin reads Toronto time and the London TAM London summer time
    admin, tam = mails[world["people"]["client_admin"].email], mails[world["people"]["tam"].email]
    assert admin.subject.endswith("starts 2026-03-29 10:00 EDT")
    assert "Sun 29 Mar 2026, 10:00 EDT (UTC-04:00) to Sun 29 Mar 2026, 12:00 EDT (UTC-04:00)" in admin.body
    assert tam.subject.endswith("starts 2026-03-29 15:00 BST")
    assert "(2026-03-29 14:00 to 2026-03-29 16:00 UTC)" in tam.body


def test_an_invitation_on_a_fall_back_night_names_the_hour_and_the_tams_own_date(world):
    # Given a weekly Sunday 01:30 Toronto series whose first call is on 1 November 2026 (01:30 happens twice)
    tam = world["people"]["tam"]
    with time_machine.travel(datetime(2026, 10, 30, 12, 0, tzinfo=UTC), tick=False):
        calls.create_series(tam, client=world["own"], cadence="weekly", weekday=6, local_time="01:30",
                            zone="America/Toronto", starts_on=date(2026, 11, 1))
    mail = OutboxItem.objects.filter(topic="tam.call_invitation").order_by("id").first()
    # Then the email says which 01:30 (the first, EDT) and the TAM's London time with its date
    assert "When: Sun 1 Nov 2026, 01:30 EDT (UTC-04:00) America/Toronto; for " in mail.body
    assert "(TAM): Sun 1 Nov 2026, 05:30 GMT (UTC+00:00) Europe/London" in mail.body
    assert mail.subject.endswith("01 Nov 2026 01:30 EDT")
    # and the ICS carries the same instant in UTC
    ics = base64.b64decode(mail.attachments[0]["content_b64"]).decode()
    assert "DTSTART:20261101T053000Z" in ics
