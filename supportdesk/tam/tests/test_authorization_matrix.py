"""Every TAM endpoint x every role: the TAM of the client and managers work it; the client's admin reads
it and confirms upgrades; another TAM, agents, foreign admins and plain client users get 404 exactly
like a missing id (agents may escalate, any staff may read the library like the tickets); anonymous 401."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from supportdesk.tam import calls, library, upgrades, visits

from .factories import MP4

ROLES = ["tam", "other_tam", "agent", "manager", "client_admin", "foreign_admin", "client_user", None]
WORKERS = {"tam", "manager"}
READERS = WORKERS | {"client_admin"}
STAFF = {"tam", "other_tam", "agent", "manager"}


def expected(endpoint: str, role: str | None) -> int:
    if role is None:
        return 401
    ok = {"GET": 200, "POST": 201}
    if endpoint in ("series_list", "occurrence", "occurrence_ics", "visits_list", "expenses", "upgrades_list",
                    "assignments"):
        return 200 if role in READERS else 404
    if endpoint in ("series_create", "visit_create", "guide"):
        return 201 if role in WORKERS else 404
    if endpoint in ("minutes", "agenda"):
        return 200 if role in WORKERS else 404
    if endpoint == "confirm":
        return 200 if role in READERS else 404
    if endpoint == "escalate":
        return 201 if role in STAFF else (404 if role == "foreign_admin" else 403)
    if endpoint == "recording_file":
        return 404 if role == "foreign_admin" else 200
    if endpoint == "reassign":
        return {"manager": 201, "tam": 403}.get(role, 404)
    if endpoint == "feed":
        return 200 if role in ("tam", "other_tam", "manager") else 403
    if endpoint == "workspace":
        return ok["GET"]
    raise AssertionError(endpoint)


@pytest.mark.parametrize("role", ROLES)
def test_tam_endpoints_follow_the_policy(world, as_person, role):
    # Given one of each TAM object for the client "Own Firm"
    tam, own, ticket = world["people"]["tam"], world["own"], world["ticket"]
    series = calls.create_series(tam, client=own, cadence="weekly", weekday=3, local_time="10:00")
    occ = series.occurrences.first()
    visit = visits.plan_visit(tam, client=own, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1))
    start = timezone.now() + timedelta(days=3)
    plan = upgrades.propose_upgrade(tam, client=own, product="Case Manager", installed_version="7", target_version="8",
                                    windows=[(start, start + timedelta(hours=2))])
    item = library.attach_recording(tam, ticket, chunks=[MP4], filename="fix.mp4")
    person = world["people"][role] if role else None
    http = as_person(person)
    j = "application/json"
    requests = {
        "workspace": lambda: http.get("/api/v1/tam/workspace"),
        "assignments": lambda: http.get(f"/api/v1/tam/clients/{own.pk}/assignments"),
        "reassign": lambda: http.post(f"/api/v1/tam/clients/{own.pk}/assignment",
                                      {"tam_id": world["people"]["other_tam"].pk}, content_type=j),
        "series_list": lambda: http.get(f"/api/v1/tam/clients/{own.pk}/series"),
        "series_create": lambda: http.post(f"/api/v1/tam/clients/{own.pk}/series",
                                           {"cadence": "biweekly", "weekday": 1, "local_time": "08:00"}, content_type=j),
        "occurrence": lambda: http.get(f"/api/v1/tam/occurrences/{occ.pk}"),
        "occurrence_ics": lambda: http.get(f"/api/v1/tam/occurrences/{occ.pk}/ics"),
        "agenda": lambda: http.post(f"/api/v1/tam/occurrences/{occ.pk}/agenda"),
        "minutes": lambda: http.post(f"/api/v1/tam/occurrences/{occ.pk}/minutes", {"minutes": "Reviewed"},
                                     content_type=j),
        "visits_list": lambda: http.get(f"/api/v1/tam/clients/{own.pk}/visits"),
        "visit_create": lambda: http.post(f"/api/v1/tam/clients/{own.pk}/visits",
                                          {"starts_on": "2027-02-01", "ends_on": "2027-02-02"}, content_type=j),
        "expenses": lambda: http.get(f"/api/v1/tam/visits/{visit.pk}/expenses"),
        "upgrades_list": lambda: http.get(f"/api/v1/tam/clients/{own.pk}/upgrades"),
        "confirm": lambda: http.post(f"/api/v1/tam/upgrades/{plan.pk}/confirm",
                                     {"window_id": plan.windows.first().pk}, content_type=j),
        "escalate": lambda: http.post(f"/api/v1/tam/tickets/{ticket.pk}/escalate", {"reason": "x"}, content_type=j),
        "guide": lambda: http.post(f"/api/v1/tam/tickets/{ticket.pk}/guides", {"title": "t", "body": "b"},
                                   content_type=j),
        "recording_file": lambda: http.get(f"/api/v1/tam/library/{item.pk}/file"),
        "feed": lambda: http.get("/api/v1/tam/feed"),
    }
    # When they call each endpoint, then the policy decides
    for name, call in requests.items():
        response = call()
        assert response.status_code == expected(name, role), (name, response.status_code, response.content[:300])
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_library_follow_the_policy(world, as_person, role):
    tam = world["people"]["tam"]
    item = library.attach_guide(tam, world["ticket"], title="Private steps", body="Do this")
    person = world["people"][role] if role else None
    http = as_person(person)
    workspace = http.get("/tam/")
    client_page = http.get(f"/tam/clients/{world['own'].pk}/")
    portal_library = http.get("/portal/library/")
    if role is None:
        assert workspace.status_code == client_page.status_code == portal_library.status_code == 302
        return
    if role in ("client_admin", "foreign_admin", "client_user"):
        assert workspace.status_code == 302 and workspace["Location"] == "/portal/"
        assert portal_library.status_code == 200
        assert (b"Private steps" in portal_library.content) == (role != "foreign_admin")
        listed = http.get("/api/v1/tam/library").json()["items"]
        assert [i["id"] for i in listed] == ([] if role == "foreign_admin" else [item.pk])
        return
    assert workspace.status_code == (200 if role in ("tam", "other_tam", "manager") else 404)
    assert client_page.status_code == (200 if role in WORKERS else 404)
    if role == "tam":
        assert b"Own Firm" in workspace.content
    if role == "other_tam":
        assert b"Own Firm" not in workspace.content and b"Other Firm" in workspace.content


def test_a_missing_id_answers_like_a_foreign_one(world, as_person):
    other_series = calls.create_series(world["people"]["other_tam"], client=world["other"], cadence="weekly",
                                       weekday=0, local_time="10:00")
    http = as_person(world["people"]["tam"])
    foreign = http.get(f"/api/v1/tam/occurrences/{other_series.occurrences.first().pk}")
    missing = http.get("/api/v1/tam/occurrences/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
