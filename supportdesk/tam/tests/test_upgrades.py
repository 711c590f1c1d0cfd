"""R11: proposed windows, the client admin's confirmation, reminders, outcome; conflicts refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.errors import Conflict, Invalid
from supportdesk.notifications.models import OutboxItem
from supportdesk.tam import upgrades
from supportdesk.tam.models import UpgradeStatus


def window(days: float, hours: float = 4) -> tuple:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return start, start + timedelta(hours=hours)


def propose(world, *windows):  # noqa: ANN001, ANN002, ANN201
    return upgrades.propose_upgrade(world["people"]["tam"], client=world["own"], product="Case Manager",
                                    installed_version="7.2", target_version="8.0", windows=list(windows))


def test_a_window_in_the_past_or_ending_before_it_starts_is_refused(world):
    with pytest.raises(Invalid) as past:
        propose(world, window(-1))
    assert past.value.code == "tam.window_in_past" and "starts_at" in past.value.fields
    start, end = window(3)
    with pytest.raises(Invalid) as backwards:
        propose(world, (end, start))
    assert backwards.value.code == "tam.window_end_before_start"
    with pytest.raises(Invalid) as naive:
        propose(world, (start.replace(tzinfo=None), end.replace(tzinfo=None)))
    assert naive.value.code == "tam.bad_time"


def test_two_upgrades_overlapping_for_one_client_are_refused(world):
    plan = propose(world, window(5), window(9))
    with pytest.raises(Conflict) as clash:
        propose(world, window(5, hours=2))
    assert clash.value.code == "tam.window_overlap" and f"#{plan.pk}" in clash.value.message
    # Another client's upgrade at the same time is fine
    upgrades.propose_upgrade(world["people"]["other_tam"], client=world["other"], product="Case Manager",
                             installed_version="7.2", target_version="8.0", windows=[window(5)])
    with pytest.raises(Invalid):
        propose(world, window(20), window(20, hours=1))


def test_the_client_admin_confirms_a_window_then_gets_a_reminder_and_the_tam_records_the_outcome(world, as_person):
    plan = propose(world, window(0.5), window(8))
    admin = world["people"]["client_admin"]
    assert OutboxItem.objects.filter(topic="tam.upgrade_proposed", recipient=admin.email).exists()
    first = plan.windows.order_by("starts_at").first()
    response = as_person(admin).post(f"/api/v1/tam/upgrades/{plan.pk}/confirm", {"window_id": first.pk},
                                     content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    # The reminder job mails the client admin and the TAM once
    assert upgrades.send_due_reminders() == 1
    assert upgrades.send_due_reminders() == 0
    reminded = set(OutboxItem.objects.filter(topic="tam.upgrade_reminder").values_list("recipient", flat=True))
    assert reminded == {admin.email, world["people"]["tam"].email}
    plan.refresh_from_db()
    done = upgrades.record_outcome(world["people"]["tam"], plan, outcome="completed", notes="Smooth")
    assert done.status == UpgradeStatus.COMPLETED
    assert upgrades.installed_version(world["own"]) == "Case Manager 8.0"


def test_confirming_a_window_that_now_clashes_is_refused(world):
    a = propose(world, window(4))
    b_start, b_end = window(4, hours=8)
    b = propose(world, (b_start + timedelta(hours=5), b_end + timedelta(hours=5)))
    upgrades.confirm_window(world["people"]["client_admin"], a, window_id=a.windows.first().pk)
    upgrades.confirm_window(world["people"]["client_admin"], b, window_id=b.windows.first().pk)
    with pytest.raises(Conflict):
        upgrades.confirm_window(world["people"]["client_admin"], a, window_id=a.windows.first().pk)


def test_the_portal_confirmation_form_works_and_a_foreign_admin_gets_404(world, as_person):
    plan = propose(world, window(6))
    foreign = as_person(world["people"]["foreign_admin"]).post(f"/portal/tam/upgrades/{plan.pk}/confirm/",
                                                               {"window": plan.windows.first().pk})
    assert foreign.status_code == 404
    http = as_person(world["people"]["client_admin"])
    assert b"Confirm this window" in http.get("/portal/tam/").content
    response = http.post(f"/portal/tam/upgrades/{plan.pk}/confirm/", {"window": plan.windows.first().pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == UpgradeStatus.CONFIRMED


def test_the_target_is_a_release_of_the_catalogue(world, as_person):
    # Given the release catalogue holds Docketing Suite 5.0.0 and 5.1.0
    from supportdesk.learning.tests.factories import ReleaseFactory

    older, newer = ReleaseFactory(version="5.0.0"), ReleaseFactory(version="5.1.0")
    http = as_person(world["people"]["tam"])
    start, end = window(6)
    body = {"installed_version": "4.9", "windows": [{"starts_at": start.isoformat(), "ends_at": end.isoformat()}]}
    # When the TAM picks the target release by its id
    picked = http.post(f"/api/v1/tam/clients/{world['own'].pk}/upgrades", {**body, "release_id": newer.pk},
                       content_type="application/json")
    # Then the plan names that release
    assert picked.status_code == 201, picked.content
    assert (picked.json()["product"], picked.json()["target_version"], picked.json()["release_id"]) == \
        ("Docketing Suite", "5.1.0", newer.pk)
    # When the id is unknown, or the version given is not a release of that product, it is refused clearly
    messages = []
    for bad, field in (({"release_id": 999_999}, "release_id"),
                       ({"product": "Docketing Suite", "target_version": "6.0"}, "target_version"),
                       ({"product": "Case Manager", "release_id": older.pk}, "release_id")):
        start, end = window(12)
        refused = http.post(f"/api/v1/tam/clients/{world['own'].pk}/upgrades",
                            {**body, **bad, "windows": [{"starts_at": start.isoformat(), "ends_at": end.isoformat()}]},
                            content_type="application/json")
        assert refused.status_code == 422, refused.content
        assert refused.json()["error"]["code"] == "tam.unknown_release" and field in refused.json()["error"]["fields"]
        messages.append(refused.json()["error"]["message"])
    assert "5.1.0" in refused.json()["error"]["message"] or "Case Manager" in refused.json()["error"]["message"]
    assert "6.0" in messages[1] and "Case Manager" in messages[2]  # each message names what was wrong
    # A catalogued version given as text is accepted (and linked); a product without releases stays free text
    start, end = window(15)
    assert propose(world, (start, end)).target_version == "8.0"
    start, end = window(18)
    text = upgrades.propose_upgrade(world["people"]["tam"], client=world["own"], product="docketing suite",
                                    installed_version="5.0.0", target_version="5.1.0", windows=[(start, end)])
    assert (text.product, text.target_version) == ("Docketing Suite", "5.1.0")
