"""Every list on the TAM pages is paged (SPEC §11): a series' calls, a client's TAM history, a visit's expenses,
the client portal's visits and upgrades."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from supportdesk.factories import StaffFactory
from supportdesk.tam import actions, calls, upgrades, visits


def _rows(html: str, marker: str) -> int:
    return html.count(marker)


def _history_entries(html: str) -> int:
    """The entries of the TAM history list (each an <li>)."""
    return html.split('<ol class="history">', 1)[1].split("</ol>", 1)[0].count("<li")


def test_given_a_weekly_series_a_year_on_when_its_page_is_read_then_its_calls_come_25_at_a_time(world, as_person):
    # Given a weekly series extended 30 weeks on: more calls than one page holds
    tam = world["people"]["tam"]
    series = calls.create_series(tam, client=world["own"], cadence="weekly", weekday=3, local_time="10:00")
    for weeks in range(5, 35, 5):  # the daily job, every five weeks (it skips calls already past)
        calls.extend_series(series, now=timezone.now() + timedelta(weeks=weeks))
    total = series.occurrences.count()
    assert total > 25
    http = as_person(tam)
    # When the series page and its second page are read
    first = http.get(f"/tam/series/{series.pk}/").content.decode()
    second = http.get(f"/tam/series/{series.pk}/", {"calls_page": 2}).content.decode()
    # Then the first holds 25 calls and says how many there are; the second holds the rest
    assert _rows(first, 'href="/tam/calls/') == 25 and f"Page 1 of 2 · {total} calls" in first
    assert _rows(second, 'href="/tam/calls/') == total - 25


def test_given_eleven_tam_assignments_when_the_client_page_is_read_then_the_history_is_paged(world, as_person):
    # Given a client handed between two TAMs ten more times (eleven assignments)
    manager, first_tam, second_tam = world["people"]["manager"], world["people"]["tam"], StaffFactory(staff_roles=["tam"])
    for n in range(10):
        actions.reassign_tam(manager, client=world["own"], tam=second_tam if n % 2 == 0 else first_tam)
    http = as_person(manager)
    # When the client's TAM page is read, then its history's second page
    first = http.get(f"/tam/clients/{world['own'].pk}/").content.decode()
    second = http.get(f"/tam/clients/{world['own'].pk}/", {"history_page": 2}).content.decode()
    # Then ten assignments, then the eleventh
    assert "Page 1 of 2 · 11 assignments" in first and _history_entries(first) == 10
    assert _history_entries(second) == 1


def test_given_26_expenses_when_the_visit_page_is_read_then_they_come_25_at_a_time(world, as_person):
    # Given a visit with 26 travel expenses
    tam = world["people"]["tam"]
    start = timezone.localdate() + timedelta(days=10)
    visit = visits.plan_visit(tam, client=world["own"], starts_on=start, ends_on=start + timedelta(days=1))
    for n in range(26):
        visits.add_expense(tam, visit, category="meals", amount=Decimal("10.00") + n, currency="USD",
                           incurred_on=start, description=f"Lunch {n}")
    http = as_person(tam)
    # When the visit page and its second page of expenses are read
    first = http.get(f"/tam/visits/{visit.pk}/").content.decode()
    second = http.get(f"/tam/visits/{visit.pk}/", {"expenses_page": 2}).content.decode()
    # Then 25, then 1
    assert first.count("Lunch ") == 25 and "Page 1 of 2 · 26 expenses" in first
    assert second.count("Lunch ") == 1


def test_given_eleven_upgrades_when_the_client_admin_reads_the_portal_then_they_come_ten_at_a_time(world, as_person):
    # Given eleven proposed upgrades for the client
    tam, soon = world["people"]["tam"], timezone.now() + timedelta(days=7)
    for n in range(11):  # each in its own window: proposed windows may not overlap
        window = soon + timedelta(days=n)
        upgrades.propose_upgrade(tam, client=world["own"], product="Practice", installed_version="1.0",
                                 target_version=f"2.{n}", windows=[(window, window + timedelta(hours=2))])
    http = as_person(world["people"]["client_admin"])
    # When the portal's TAM page and its second page of upgrades are read
    first = http.get("/portal/tam/").content.decode()
    second = http.get("/portal/tam/", {"upgrades_page": 2}).content.decode()
    # Then ten upgrades, then one
    assert first.count("Practice 1.0 → 2.") == 10 and "Page 1 of 2 · 11 upgrades" in first
    assert second.count("Practice 1.0 → 2.") == 1
