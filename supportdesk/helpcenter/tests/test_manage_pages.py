"""Staff write, publish, close and attach through /help/manage/; others get 404; errors show in place."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.helpcenter.models import Article, HelpEvent, Section

from .factories import ArticleFactory, SectionFactory


def test_manage_pages_are_404_for_clients_and_anonymous_sign_in(people, as_person, client):
    article = ArticleFactory()
    http = as_person(people["premium_user"])
    for url in ("/help/manage/", "/help/manage/new/", f"/help/manage/{article.slug}/"):
        assert http.get(url).status_code == 404
        assert client.get(url).status_code == 302  # anonymous: to sign-in


def test_staff_write_a_draft_then_publish_it(people, as_person, client):
    section = SectionFactory(name="Calendars")
    http = as_person(people["agent"])
    response = http.post("/help/manage/new/", {
        "title": "Fix duplicate calendar entries", "section": str(section.pk), "slug": "",
        "body": "Remove the second sync.\n- Open settings\n- Untick Outlook", "visibility": "everyone",
        "required_offering": "", "client": "", "comments_open": "on"})
    assert response.status_code == 302
    article = Article.objects.get(title="Fix duplicate calendar entries")
    assert article.status == "draft" and article.slug == "fix-duplicate-calendar-entries"
    assert "<ul><li>Open settings</li>" in article.body
    assert client.get(f"/help/articles/{article.slug}/").status_code == 404  # draft: staff only
    http.post(f"/help/manage/{article.slug}/", {"form": "status", "status": "published"})
    assert client.get(f"/help/articles/{article.slug}/").status_code == 200
    http.post(f"/help/manage/{article.slug}/", {"form": "comments", "comments_open": "0"})
    assert "Article is closed for comments" in client.get(f"/help/articles/{article.slug}/").content.decode()
    kinds = set(HelpEvent.objects.filter(article=article).values_list("kind", flat=True))
    assert kinds == {"article.created", "article.published", "comments.closed"}


def test_missing_fields_show_errors_in_place(people, as_person):
    section = SectionFactory()
    page = as_person(people["agent"]).post("/help/manage/new/", {
        "title": "", "section": str(section.pk), "body": "", "visibility": "client", "client": ""})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="field-error"') >= 2
    assert Article.objects.count() == 1  # only the seeded one


def test_private_guide_without_a_client_is_refused_on_the_client_field(people, as_person):
    section = SectionFactory()
    page = as_person(people["agent"]).post("/help/manage/new/", {
        "title": "Private guide", "section": str(section.pk), "body": "Steps", "visibility": "client", "client": ""})
    html = page.content.decode()
    assert "A private guide needs the client it is for." in html
    assert 'data-field="client"' in html and "has-error" in html


def test_attachment_is_uploaded_and_downloaded_only_by_those_who_read_the_article(people, as_person):
    article = ArticleFactory(visibility="entitled", required_offering="premium")
    staff = as_person(people["agent"])
    staff.post(f"/help/manage/{article.slug}/", {"form": "attachment",
                                                 "file": SimpleUploadedFile("steps.txt", b"1. restart")})
    attachment = article.attachments.get()
    url = f"/help/articles/{article.slug}/attachments/{attachment.pk}/"
    download = as_person(people["premium_user"]).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"1. restart"
    assert "attachment" in download["Content-Disposition"]
    assert as_person(people["maintenance_user"]).get(url).status_code == 404


def test_sections_are_added_and_duplicates_refused_in_place(people, as_person):
    http = as_person(people["agent"])
    assert http.post("/help/manage/", {"name": "Upgrades", "position": "1"}).status_code == 302
    again = http.post("/help/manage/", {"name": "Upgrades", "position": "1"}).content.decode()
    assert "already used" in again or "exists" in again
    assert Section.objects.filter(name="Upgrades").count() == 1


def test_api_staff_create_and_publish_clients_cannot(people, as_person):
    section = SectionFactory(name="API guides")
    staff = as_person(people["agent"])
    created = staff.post("/api/v1/help/articles", {"section": section.slug, "title": "Tokens", "body": "Create one."},
                         content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    slug = created.json()["slug"]
    published = staff.patch(f"/api/v1/help/articles/{slug}", {"status": "published", "comments_open": False},
                            content_type="application/json")
    assert published.json()["status"] == "published" and published.json()["comments_open"] is False
    refused = as_person(people["premium_user"]).post(
        "/api/v1/help/articles", {"section": section.slug, "title": "x", "body": "y"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "help.edit_forbidden"


def test_api_patch_with_null_is_refused_not_read_as_false(people, as_person):
    # Given a published article open for comments
    article = ArticleFactory(title="Open guide")
    staff = as_person(people["agent"])
    # When staff PATCH it with null for fields that cannot be empty
    refused = staff.patch(f"/api/v1/help/articles/{article.slug}", {"comments_open": None, "section": None},
                          content_type="application/json")
    # Then it is a clear 422 naming them, and nothing changed (comments stay open)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"comments_open": "cannot be null", "section": "cannot be null"}
    article.refresh_from_db()
    assert article.comments_open is True
    # And null still clears the fields that may be empty
    cleared = staff.patch(f"/api/v1/help/articles/{article.slug}", {"client_id": None, "required_offering": None},
                          content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["comments_open"] is True


def test_a_refused_status_change_is_said_on_the_page_not_a_server_error(people, as_person):
    # Given a published article; when a stale or crafted form asks for a status that does not exist
    article = ArticleFactory(title="Status guide")
    page = as_person(people["agent"]).post(f"/help/manage/{article.slug}/", {"form": "status", "status": "archived"})
    # Then the edit page says why, above the status buttons, and nothing changed
    assert page.status_code == 200
    assert "Unknown status &#x27;archived&#x27;; use draft or published." in page.content.decode()
    article.refresh_from_db()
    assert article.status == "published"


def test_a_section_name_without_letters_is_refused_on_the_name(people, as_person):
    http = as_person(people["agent"])
    page = http.post("/help/manage/", {"name": "!!!", "position": "0"}).content.decode()
    assert 'class="field-error"' in page and "A section name needs letters or digits" in page
    api = http.post("/api/v1/help/sections", {"name": "???"}, content_type="application/json")
    assert api.status_code == 422 and api.json()["error"]["fields"] == {"name": "needs letters or digits"}
    assert not Section.objects.filter(name__in=["!!!", "???"]).exists()


def test_a_patch_with_an_unknown_status_changes_nothing_and_names_the_status(people, as_person):
    # Given a published article
    article = ArticleFactory(title="Backup guide")
    staff = as_person(people["agent"])
    # When staff PATCH a new title together with a status that does not exist
    refused = staff.patch(f"/api/v1/help/articles/{article.slug}", {"title": "Renamed guide", "status": "archived"},
                          content_type="application/json")
    # Then it is a 422 with a status error on the status field, and the title is not changed either
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "help.bad_status"
    assert refused.json()["error"]["fields"] == {"status": "unknown"}
    article.refresh_from_db()
    assert (article.title, article.status) == ("Backup guide", "published")
    assert not HelpEvent.objects.filter(kind="article.edited").exists()
    # And a reader who may not edit is told so first, whatever the status sent
    reader = as_person(people["premium_user"]).patch(f"/api/v1/help/articles/{article.slug}", {"status": "archived"},
                                                     content_type="application/json")
    assert reader.status_code == 403 and reader.json()["error"]["code"] == "help.edit_forbidden"


def test_api_titles_and_section_names_with_a_nul_character_are_stored_without_it(people, as_person):
    # Given staff; when a title and a section name pasted with a NUL character are sent
    http = as_person(people["agent"])
    section = http.post("/api/v1/help/sections", {"name": "Backups\x00"}, content_type="application/json")
    article = http.post("/api/v1/help/articles", {"section": "backups", "title": "Nightly\x00 backups", "body": "Run it."},
                        content_type="application/json")
    # Then both are kept without it, the same on SQLite and PostgreSQL (whose text cannot hold NUL)
    assert section.status_code == 201 and section.json()["name"] == "Backups"
    assert article.status_code == 201 and article.json()["title"] == "Nightly backups"


def test_api_a_section_position_out_of_range_is_refused_on_the_position(people, as_person):
    # Given staff; when a section is sent with a position no column holds
    http = as_person(people["agent"])
    refused = http.post("/api/v1/help/sections", {"name": "Far away", "position": 10**12},
                        content_type="application/json")
    # Then 422 names the position on every database (PostgreSQL used to say "numbers must fit in 64 bits")
    assert refused.status_code == 422
    assert "position" in refused.json()["error"]["fields"]
    assert not Section.objects.filter(name="Far away").exists()
