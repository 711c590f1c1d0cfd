"""R13: a release download is refused to clients without maintenance, so no shared cache may keep it and
hand it to them: it is served `Cache-Control: private, no-store`, through the API and the page."""

from __future__ import annotations

from django.utils.cache import get_max_age


def test_given_an_entitled_download_then_no_shared_cache_may_keep_the_file(world, as_person):
    http = as_person(world["people"]["designated"])
    release = world["release"]
    for url in (f"/api/v1/learning/releases/{release.pk}/download", f"/releases/{release.pk}/download/"):
        response = http.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives and "public" not in directives, url
        assert get_max_age(response) is None, url
        b"".join(response.streaming_content)  # close the file
