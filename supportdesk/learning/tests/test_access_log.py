"""The access log (R13 downloads, R15 training openings): staff read who opened or downloaded what, when."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.learning.models import Download, TrainingAccess

from .factories import ReleaseFactory, TrainingItemFactory

LOG = "/api/v1/learning/access-log"
READERS = ["agent", "tam", "manager", "sysadmin"]
REFUSED = ["client_admin", "designated", "client_user", "plain_user", "foreign_admin", "billing"]


def _download(as_person, world, role: str, release=None):  # noqa: ANN001, ANN202
    release = release or world["release"]
    response = as_person(world["people"][role]).get(f"/api/v1/learning/releases/{release.pk}/download")
    assert response.status_code == 200, response.content
    b"".join(response.streaming_content)


def _open(as_person, world, role: str, item=None):  # noqa: ANN001, ANN202
    item = item or world["item"]
    response = as_person(world["people"][role]).get(f"/api/v1/learning/training/{item.pk}")
    assert response.status_code == 200, response.content


def _at(model, when: datetime) -> None:  # noqa: ANN001
    """Move the newest row of `model` to `when` (the log's instants are set by the actions to now)."""
    row = model.objects.order_by("-id").first()
    model.objects.filter(pk=row.pk).update(at=when)


def test_given_a_real_download_and_a_real_training_opening_when_staff_read_the_log_then_both_appear_newest_first(
        world, as_person):
    # Given a designated user who downloads a release, then opens a training item, through the API
    _download(as_person, world, "designated")
    _open(as_person, world, "designated")
    # When an agent reads the access log
    response = as_person(world["people"]["agent"]).get(LOG)
    # Then both are there, newest first, saying who, which client, what and when
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    opened, downloaded = body["items"]
    person, own, release, item = world["people"]["designated"], world["own"], world["release"], world["item"]
    assert opened["kind"] == "training" and downloaded["kind"] == "download"
    assert opened["person"] == {"id": person.pk, "name": person.full_name or person.email, "email": person.email}
    assert opened["client"] == {"id": own.pk, "name": "Own Firm"}
    assert opened["training_item"] == {"id": item.pk, "title": item.title} and opened["release"] is None
    assert downloaded["release"] == {"id": release.pk, "product": release.product, "version": release.version}
    assert downloaded["training_item"] is None
    assert datetime.fromisoformat(opened["at"]) >= datetime.fromisoformat(downloaded["at"])
    assert opened["id"] == TrainingAccess.objects.get().pk and downloaded["id"] == Download.objects.get().pk


def test_given_a_staff_download_when_the_log_is_read_then_it_has_no_client(world, as_person):
    _download(as_person, world, "tam")
    entry = as_person(world["people"]["manager"]).get(LOG).json()["items"][0]
    assert entry["client"] is None and entry["person"]["id"] == world["people"]["tam"].pk


@pytest.fixture
def logged(world, as_person):  # noqa: ANN001, ANN201
    """Three rows on three days: a download by Own Firm's designated user (March 1), a training opening by
    the same person (March 2), a download by Maint Firm's user (March 3)."""
    _download(as_person, world, "designated")
    _at(Download, datetime(2026, 3, 1, 15, tzinfo=UTC))
    _open(as_person, world, "designated")
    _at(TrainingAccess, datetime(2026, 3, 2, 15, tzinfo=UTC))
    _download(as_person, world, "maint_user")
    _at(Download, datetime(2026, 3, 3, 15, tzinfo=UTC))
    return world


def _kinds_and_days(http, query: str) -> list[tuple[str, int]]:  # noqa: ANN001
    response = http.get(f"{LOG}?{query}")
    assert response.status_code == 200, response.content
    return [(e["kind"], datetime.fromisoformat(e["at"]).day) for e in response.json()["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("", [("download", 3), ("training", 2), ("download", 1)]),
    ("kind=training", [("training", 2)]),
    ("kind=download", [("download", 3), ("download", 1)]),
    ("since=2026-03-02", [("download", 3), ("training", 2)]),
    ("until=2026-03-02", [("training", 2), ("download", 1)]),
    ("since=2026-03-02&until=2026-03-02", [("training", 2)]),
    ("since=2026-03-02T15:00:00Z", [("download", 3), ("training", 2)]),
    ("until=2026-03-02T15:00:00%2B00:00", [("training", 2), ("download", 1)]),
    ("until=2026-03-02T14:59:59Z", [("download", 1)]),
])
def test_given_three_logged_rows_when_filtered_by_kind_or_time_then_only_those_are_listed(logged, as_person, query,
                                                                                             expected):
    assert _kinds_and_days(as_person(logged["people"]["tam"]), query) == expected


def test_given_three_logged_rows_when_filtered_by_client_or_person_then_only_theirs_are_listed(logged, as_person):
    http = as_person(logged["people"]["agent"])
    assert _kinds_and_days(http, f"client={logged['maint'].pk}") == [("download", 3)]
    assert _kinds_and_days(http, f"person={logged['people']['designated'].pk}") == [("training", 2), ("download", 1)]
    assert _kinds_and_days(http, f"client={logged['own'].pk}&kind=download") == [("download", 1)]
    assert _kinds_and_days(http, f"client={logged['plain'].pk}") == []


def test_given_the_log_per_item_when_staff_ask_for_a_release_or_a_training_item_then_only_its_rows_come(
        logged, as_person):
    http = as_person(logged["people"]["manager"])
    other = ReleaseFactory()
    downloads = http.get(f"/api/v1/learning/releases/{logged['release'].pk}/downloads").json()
    assert downloads["count"] == 2 and {e["kind"] for e in downloads["items"]} == {"download"}
    assert http.get(f"/api/v1/learning/releases/{other.pk}/downloads").json() == {"items": [], "count": 0}
    accesses = http.get(f"/api/v1/learning/training/{logged['item'].pk}/accesses").json()
    assert accesses["count"] == 1 and accesses["items"][0]["training_item"]["id"] == logged["item"].pk
    assert http.get("/api/v1/learning/training/999999/accesses").status_code == 404
    assert http.get("/api/v1/learning/releases/999999/downloads").status_code == 404


def test_given_sixty_openings_when_the_log_is_paged_then_pages_of_fifty_cover_them_newest_first(world, as_person):
    # Given 60 openings, a minute apart
    start = datetime(2026, 5, 1, tzinfo=UTC)
    TrainingAccess.objects.bulk_create(
        TrainingAccess(item=world["item"], user=world["people"]["designated"], client=world["own"],
                       at=start + timedelta(minutes=n)) for n in range(60))
    http = as_person(world["people"]["agent"])
    # When the log is read page by page
    first, second = http.get(LOG).json(), http.get(f"{LOG}?page=2").json()
    # Then the count is all of them and the pages cover them once, newest first
    assert first["count"] == second["count"] == 60
    assert len(first["items"]) == 50 and len(second["items"]) == 10
    instants = [e["at"] for e in first["items"] + second["items"]]
    assert instants == sorted(instants, reverse=True) and len(set(instants)) == 60
    per_item = http.get(f"/api/v1/learning/training/{world['item'].pk}/accesses?page=2").json()
    assert per_item["count"] == 60 and len(per_item["items"]) == 10


@pytest.mark.parametrize("role", REFUSED)
def test_given_someone_not_on_the_vendors_support_staff_when_they_ask_for_the_log_then_it_is_not_found(
        logged, as_person, role):
    http = as_person(logged["people"][role])
    for path in (LOG, f"{LOG}.csv", f"/api/v1/learning/training/{logged['item'].pk}/accesses",
                 f"/api/v1/learning/releases/{logged['release'].pk}/downloads",
                 f"{LOG}?client={logged['own'].pk}"):
        response = http.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert response.json()["error"]["code"] == "not_found"


def test_given_nobody_signed_in_when_the_log_is_asked_for_then_it_is_401(logged, as_person):
    for path in (LOG, f"{LOG}.csv", f"/api/v1/learning/releases/{logged['release'].pk}/downloads"):
        assert as_person(None).get(path).status_code == 401


@pytest.mark.parametrize("role", READERS)
def test_given_vendor_support_staff_when_they_ask_for_the_log_then_they_read_it(logged, as_person, role):
    assert as_person(logged["people"][role]).get(LOG).json()["count"] == 3


@pytest.mark.parametrize(("query", "field"), [
    ("since=2026-03-02T10:00:00", "since"),
    ("until=2026-03-02T10:00", "until"),
    ("since=yesterday", "since"),
    ("until=2026-02-30", "until"),
    ("since=9999-12-31T23:00:00Z", "since"),
    ("until=9999-12-31", "until"),
    ("since=2026-03-03&until=2026-03-01", "until"),
    ("kind=video", "kind"),
    ("client=abc", "client"),
    ("person=1.5", "person"),
])
def test_given_a_bad_filter_value_when_the_log_is_asked_for_then_422_names_the_field(world, as_person, query, field):
    http = as_person(world["people"]["agent"])
    for path in (LOG, f"{LOG}.csv"):
        response = http.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query, response.content)
        assert field in response.json()["error"]["fields"]


def test_given_a_client_person_with_a_bad_filter_when_the_log_is_asked_for_then_404_not_a_422(world, as_person):
    # The log's existence and its filters are staff business: an outsider is refused before the filters are read.
    http = as_person(world["people"]["client_admin"])
    for path in (LOG, f"{LOG}.csv"):
        response = http.get(f"{path}?since=yesterday")
        assert response.status_code == 404, (path, response.content)


def test_given_a_title_starting_with_equals_when_the_log_is_exported_then_the_cell_cannot_run_as_a_formula(
        world, as_person):
    # Given a training item titled like a formula, opened by a designated user
    item = TrainingItemFactory(title="=HYPERLINK(\"http://evil.example\")")
    _open(as_person, world, "designated", item)
    _download(as_person, world, "designated")
    # When a manager exports the log of training openings through the API
    response = as_person(world["people"]["manager"]).get(f"{LOG}.csv?kind=training")
    # Then the title is written as text and only the openings are in it
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="access-log.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["kind"] for r in rows] == ["training"]
    assert rows[0]["training_item"] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[0]["client"] == "Own Firm" and rows[0]["person_email"] == world["people"]["designated"].email


# The staff page /learning/access-log/ and its CSV ----------------------------------------------------------

PAGE = "/learning/access-log/"


def test_given_logged_rows_when_an_agent_opens_the_page_then_it_lists_them_with_filters_and_a_csv_link(
        logged, as_person):
    http = as_person(logged["people"]["agent"])
    # When the agent follows the link from the releases page, filtered to one client
    assert f'href="{PAGE}?kind=download"' in http.get("/releases/").content.decode()
    assert f'href="{PAGE}?kind=training"' in http.get("/training/").content.decode()
    response = http.get(f"{PAGE}?client={logged['own'].pk}&kind=download")
    # Then only that client's download is listed, and the CSV link carries the same filters
    html = response.content.decode()
    assert response.status_code == 200
    assert logged["release"].version in html and logged["people"]["designated"].email in html
    assert logged["people"]["maint_user"].email not in html
    assert f"/learning/access-log.csv?client={logged['own'].pk}&amp;kind=download" in html


def test_given_sixty_openings_when_the_page_is_paged_then_the_house_pager_keeps_the_filters(world, as_person):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    TrainingAccess.objects.bulk_create(
        TrainingAccess(item=world["item"], user=world["people"]["designated"], client=world["own"],
                       at=start + timedelta(minutes=n)) for n in range(60))
    http = as_person(world["people"]["tam"])
    first = http.get(f"{PAGE}?kind=training").content.decode()
    assert "Page 1 of 2 · 60 entries" in first and "?kind=training&amp;page=2" in first
    second = http.get(f"{PAGE}?kind=training&page=2").content.decode()
    assert second.count("<time ") == 10


def test_given_a_bad_date_when_the_page_is_filtered_then_it_says_so_with_422(world, as_person):
    response = as_person(world["people"]["agent"]).get(f"{PAGE}?since=2026-03-02T10:00")
    assert response.status_code == 422
    assert "since: give a UTC offset" in response.content.decode()
    csv_response = as_person(world["people"]["agent"]).get("/learning/access-log.csv?kind=video")
    assert csv_response.status_code == 422 and "kind" in csv_response.content.decode()


@pytest.mark.parametrize("role", [*REFUSED, None])
def test_given_someone_not_on_the_vendors_support_staff_when_they_open_the_page_then_they_do_not_get_it(
        world, as_person, role):
    http = as_person(world["people"][role] if role else None)
    for path in (PAGE, "/learning/access-log.csv"):
        response = http.get(path)
        assert response.status_code in ((302,) if role is None else (404,)), (path, response.status_code)
    if role is not None:
        assert "access-log" not in http.get("/releases/").content.decode()


def test_given_a_title_starting_with_equals_when_the_page_exports_csv_then_the_cell_is_text(world, as_person):
    item = TrainingItemFactory(title="=1+1")
    _open(as_person, world, "designated", item)
    response = as_person(world["people"]["sysadmin"]).get("/learning/access-log.csv?kind=training")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["at", "kind", "person_id", "person"]
    assert rows[1][8] == "'=1+1"
