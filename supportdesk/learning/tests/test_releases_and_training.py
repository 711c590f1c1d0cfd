"""Maintenance and software updates (R13) and the Online Training Database (R15)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.learning.models import Download, Release, TrainingAccess

from .factories import TrainingItemFactory


def test_clients_under_active_maintenance_download_as_an_attachment_with_safe_headers_and_it_is_logged(world, as_person):
    release = world["release"]
    for role in ("designated", "client_user", "maint_user"):
        response = as_person(world["people"][role]).get(f"/api/v1/learning/releases/{release.pk}/download")
        assert response.status_code == 200, response.content
        assert b"".join(response.streaming_content) == b"PK\x03\x04 release bytes"
        assert response["Content-Disposition"].startswith("attachment;")
        assert release.filename in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    assert {d.user.email for d in Download.objects.filter(release=release)} == {
        world["people"][r].email for r in ("designated", "client_user", "maint_user")}


def test_a_client_without_maintenance_is_refused_and_told_why_and_nothing_is_logged(world, as_person):
    http = as_person(world["people"]["plain_user"])
    response = http.get(f"/api/v1/learning/releases/{world['release'].pk}/download")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "release.no_maintenance"
    assert "Plain Firm has no active Maintenance Support" in error["message"]
    page = http.get(f"/releases/{world['release'].pk}/download/")
    assert page.status_code == 403 and "no active Maintenance Support" in page.content.decode()
    listing = http.get("/releases/").content.decode()
    assert world["release"].version in listing and "ask your account manager" in listing
    assert not Download.objects.exists()


def test_a_release_whose_file_is_gone_from_storage_is_a_clear_404_and_nothing_is_logged(world, as_person):
    # Given a release whose file has disappeared from the storage
    release = world["release"]
    release.file.storage.delete(release.file.name)
    http = as_person(world["people"]["designated"])
    # When an entitled client user downloads it through the API and the page
    response = http.get(f"/api/v1/learning/releases/{release.pk}/download")
    page = http.get(f"/releases/{release.pk}/download/")
    # Then both say clearly that the file is not available (no server error) and no download is logged
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "release.file_missing"
    assert f"{release.product} {release.version} is not available" in response.json()["error"]["message"]
    assert page.status_code == 404 and "is not available" in page.content.decode()
    assert not Download.objects.exists()


def test_managers_publish_releases_through_storage_and_others_are_refused(world, as_person):
    upload = SimpleUploadedFile("suite-6.0.0.zip", b"zip bytes", content_type="application/zip")
    data = {"product": "Docketing Suite", "version": "6.0.0", "released_on": "2026-11-01", "notes": "Major", "file": upload}
    created = as_person(world["people"]["manager"]).post("/api/v1/learning/releases", data)
    assert created.status_code == 201, created.content
    release = Release.objects.get(pk=created.json()["id"])
    assert release.file.read() == b"zip bytes" and release.size == 9
    upload.seek(0)
    duplicate = as_person(world["people"]["sysadmin"]).post("/api/v1/learning/releases", data)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "release.duplicate"
    for role in ("agent", "client_admin", "billing"):
        upload.seek(0)
        refused = as_person(world["people"][role]).post("/api/v1/learning/releases", {**data, "version": "7"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "learning.staff_only"
    assert Release.objects.count() == 2


def test_the_same_version_uploaded_at_the_same_moment_is_a_clear_409_and_leaves_no_file(world, as_person, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    store = FileSystemStorage.save

    def rival_commits_first(storage, name, content, max_length=None):  # noqa: ANN001, ANN202
        # Given another upload of 6.0.0 that passes the duplicate check too and commits while ours is stored
        if not Release.objects.filter(version="6.0.0").exists():
            Release.objects.create(product="Docketing Suite", version="6.0.0", released_on="2026-11-01",
                                   filename="rival.zip", file="releases/rival.zip", size=1, sha256="0" * 64)
        return store(storage, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", rival_commits_first)
    upload = SimpleUploadedFile("suite-6.0.0.zip", b"zip bytes", content_type="application/zip")
    # When ours reaches the database
    response = as_person(world["people"]["manager"]).post("/api/v1/learning/releases", {
        "product": "Docketing Suite", "version": "6.0.0", "released_on": "2026-11-01", "file": upload})
    # Then the unique index's refusal is the same clear 409 as the check's, and our stored file is removed
    assert response.status_code == 409 and response.json()["error"]["code"] == "release.duplicate"
    assert Release.objects.filter(version="6.0.0").count() == 1
    storage = Release._meta.get_field("file").storage
    assert not [f for f in storage.listdir("releases")[1] if f.startswith("suite-6.0.0")]

def test_designated_users_of_premium_clients_open_training_without_limit_and_each_access_is_logged(world, as_person):
    http = as_person(world["people"]["designated"])
    for _ in range(3):
        response = http.get(f"/api/v1/learning/training/{world['item'].pk}")
        assert response.status_code == 200
        assert "court rules" in response.json()["body"]
    assert TrainingAccess.objects.filter(user=world["people"]["designated"]).count() == 3
    page = http.get(f"/training/{world['item'].pk}/")
    assert page.status_code == 200 and "court rules" in page.content.decode()
    assert TrainingAccess.objects.count() == 4


def test_others_see_the_catalogue_and_how_to_get_access_but_not_the_content(world, as_person):
    cases = {"client_user": "training.not_designated", "client_admin": "training.not_designated",
             "plain_user": "training.not_entitled", "maint_user": "training.not_entitled"}
    for role, code in cases.items():
        http = as_person(world["people"][role])
        listed = http.get("/api/v1/learning/training").json()["items"]
        assert [i["title"] for i in listed] == [world["item"].title]
        assert "body" not in listed[0]
        refused = http.get(f"/api/v1/learning/training/{world['item'].pk}")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == code
        page = http.get(f"/training/{world['item'].pk}/").content.decode()
        assert "court rules" not in page and ("designate you" in page or "Premium Support" in page)
    assert not TrainingAccess.objects.exists()


def test_training_search_by_words_kind_and_category(world, as_person):
    TrainingItemFactory(title="Billing exports", kind="video", category="Billing", summary="Export time entries")
    TrainingItemFactory(title="Hidden draft", published=False, category="Billing")
    http = as_person(world["people"]["client_user"])

    def titles(**params: str) -> list[str]:
        return [i["title"] for i in http.get("/api/v1/learning/training", params).json()["items"]]

    assert titles(q="export time") == ["Billing exports"]
    assert titles(category="calendaring") == [world["item"].title]
    assert titles(kind="video") == ["Billing exports"]
    assert "Hidden draft" not in titles()
    manager = as_person(world["people"]["manager"])
    assert "Hidden draft" in [i["title"] for i in manager.get("/api/v1/learning/training").json()["items"]]
    page = http.get("/training/", {"q": "export"}).content.decode()
    assert "Billing exports" in page and world["item"].title not in page


def test_given_an_unknown_kind_when_the_training_catalogue_is_searched_then_a_clear_422_not_an_empty_list(
        world, as_person):
    # Given a client user and a kind that is not course, video or document
    http = as_person(world["people"]["client_user"])
    # When the catalogue is searched with it
    response = http.get("/api/v1/learning/training", {"kind": "podcast"})
    # Then the typo is named instead of answering "nothing found"
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "training.bad_kind"
    assert response.json()["error"]["fields"] == {"kind": "course, video or document"}


def test_managers_manage_training_content(world, as_person):
    payload = {"kind": "document", "title": "Conflict checks", "body": "How to", "category": "Intake"}
    created = as_person(world["people"]["manager"]).post("/api/v1/learning/training", payload,
                                                         content_type="application/json")
    assert created.status_code == 201
    changed = as_person(world["people"]["sysadmin"]).put(f"/api/v1/learning/training/{created.json()['id']}",
                                                         {**payload, "title": "Conflict checks 2"},
                                                         content_type="application/json")
    assert changed.json()["title"] == "Conflict checks 2"
    refused = as_person(world["people"]["agent"]).post("/api/v1/learning/training", payload,
                                                       content_type="application/json")
    assert refused.status_code == 403


def test_given_a_product_or_version_longer_than_its_column_when_uploaded_then_a_clear_422_and_nothing_stored(
        world, as_person):
    # Given a manager and a product name over 100 characters (a version over 50)
    http = as_person(world["people"]["manager"])
    for data in ({"product": "P" * 101, "version": "9.0.0"}, {"product": "Docketing Suite", "version": "9" * 51}):
        upload = SimpleUploadedFile("suite.zip", b"zip bytes", content_type="application/zip")
        # When the release is uploaded through the API
        response = http.post("/api/v1/learning/releases", {**data, "released_on": "2026-11-01", "file": upload})
        # Then it is refused naming the field (not a database error on PostgreSQL) and nothing is stored
        assert response.status_code == 422, response.content
        assert response.json()["error"]["code"] == "release.bad_field"
        assert set(response.json()["error"]["fields"]) & {"product", "version"}
    assert Release.objects.count() == 1


def test_given_an_empty_file_when_a_release_is_uploaded_then_a_clear_422_and_nothing_is_catalogued(world, as_person):
    # Given a manager with an empty file
    upload = SimpleUploadedFile("suite-8.0.0.zip", b"", content_type="application/zip")
    # When it is uploaded as a release
    response = as_person(world["people"]["manager"]).post(
        "/api/v1/learning/releases",
        {"product": "Docketing Suite", "version": "8.0.0", "released_on": "2026-11-01", "file": upload})
    # Then it is refused on the file: clients would download nothing
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "release.file_empty"
    assert response.json()["error"]["fields"] == {"file": "empty"}
    assert Release.objects.count() == 1


def test_given_a_bad_release_date_when_uploaded_then_the_error_names_the_field_as_sent(world, as_person):
    # Given a manager sending a month that does not exist
    upload = SimpleUploadedFile("suite-8.0.0.zip", b"zip bytes", content_type="application/zip")
    # When the release is uploaded
    response = as_person(world["people"]["manager"]).post(
        "/api/v1/learning/releases",
        {"product": "Docketing Suite", "version": "8.0.0", "released_on": "2026-13-01", "file": upload})
    # Then the 422 names `released_on`, the form field the client sent (not an internal "form." path)
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["released_on"]
    assert response.json()["error"]["message"].startswith("released_on: ")
