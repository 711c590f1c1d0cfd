"""Every learning endpoint x every role (and own/foreign registration): one policy decides."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from supportdesk.learning import actions
from supportdesk.learning.models import Download, Event, Registration, Release, TrainingAccess, TrainingItem

ROLES = ["client_admin", "designated", "client_user", "plain_user", "foreign_admin",
         "agent", "tam", "manager", "billing", "sysadmin", None]
OWN_CLIENT = {"client_admin", "designated", "client_user"}
CLIENT_PEOPLE = OWN_CLIENT | {"plain_user", "foreign_admin"}
MANAGERS = {"manager", "sysadmin"}
READS = ["list_releases", "get_release", "list_training", "list_events", "get_event", "list_registrations"]
MANAGE = ["add_release", "add_training", "change_training", "create_event"]


def expected(endpoint: str, role: str | None) -> int:
    if role is None:
        return 401
    if endpoint in READS:
        return 200
    if endpoint in MANAGE:
        return (200 if endpoint == "change_training" else 201) if role in MANAGERS else 403
    if endpoint == "download":
        return 403 if role in ("plain_user", "foreign_admin") else 200
    if endpoint == "open_training":
        return 200 if role == "designated" or role not in CLIENT_PEOPLE else 403
    if endpoint == "register":
        return 201 if role in CLIENT_PEOPLE else 403
    raise AssertionError(endpoint)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each role's call starts from the same world: one world per test, every role tried in a savepoint."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def call(http, endpoint: str, world: dict):  # noqa: ANN001, ANN201
    release, item, event = world["release"], world["item"], world["event"]
    training = {"kind": "video", "title": "Intro", "body": "b"}
    if endpoint == "list_releases":
        return http.get("/api/v1/learning/releases")
    if endpoint == "get_release":
        return http.get(f"/api/v1/learning/releases/{release.pk}")
    if endpoint == "add_release":
        return http.post("/api/v1/learning/releases", {"product": "P", "version": "1", "released_on": "2026-01-01",
                                                        "file": SimpleUploadedFile("p.zip", b"z")})
    if endpoint == "download":
        return http.get(f"/api/v1/learning/releases/{release.pk}/download")
    if endpoint == "list_training":
        return http.get("/api/v1/learning/training")
    if endpoint == "open_training":
        return http.get(f"/api/v1/learning/training/{item.pk}")
    if endpoint == "add_training":
        return http.post("/api/v1/learning/training", training, content_type="application/json")
    if endpoint == "change_training":
        return http.put(f"/api/v1/learning/training/{item.pk}", training, content_type="application/json")
    if endpoint == "list_events":
        return http.get("/api/v1/learning/events")
    if endpoint == "get_event":
        return http.get(f"/api/v1/learning/events/{event.pk}")
    if endpoint == "create_event":
        return http.post("/api/v1/learning/events", {
            "title": "T", "starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-01T11:00:00Z", "capacity": 5},
            content_type="application/json")
    if endpoint == "register":
        return http.post(f"/api/v1/learning/events/{event.pk}/registrations")
    if endpoint == "list_registrations":
        return http.get("/api/v1/learning/registrations")
    raise AssertionError(endpoint)


def snapshot() -> tuple:
    return (Release.objects.count(), Download.objects.count(), TrainingItem.objects.count(),
            list(TrainingItem.objects.values_list("title", flat=True)), TrainingAccess.objects.count(),
            Event.objects.count(), Registration.objects.count())


@pytest.mark.parametrize("endpoint", READS + MANAGE + ["download", "open_training", "register"])
def test_learning_endpoints_follow_the_policy(world, as_person, endpoint):
    for role in ROLES:
        with rolled_back():
            before = snapshot()
            response = call(as_person(world["people"][role] if role else None), endpoint, world)
            want = expected(endpoint, role)
            assert response.status_code == want, (role, response.content)
            if want >= 400 and endpoint not in READS:
                assert snapshot() == before, role  # a refusal changes nothing (logs are written on success only)
                assert response.json()["error"]["code"]


def visible_registrations(role: str) -> set[str]:
    if role in MANAGERS or role == "billing":
        return {"own", "foreign"}
    if role == "client_admin" or role == "designated":
        return {"own"}
    if role in ("plain_user", "foreign_admin"):
        return {"foreign"}
    return set()


def may_cancel(role: str, which: str) -> int:
    if which not in visible_registrations(role):
        return 404
    return 403 if role == "billing" else 200


@pytest.mark.parametrize("which", ["own", "foreign"])
def test_registrations_are_seen_and_cancelled_by_the_registrant_their_admin_and_managers(world, as_person, which):
    registrations = {"own": actions.register(world["people"]["designated"], world["event"]),
                     "foreign": actions.register(world["people"]["plain_user"], world["event"])}
    for role in [r for r in ROLES if r]:
        with rolled_back():
            http = as_person(world["people"][role])
            listed = {r["id"] for r in http.get("/api/v1/learning/registrations").json()["items"]}
            assert listed == {registrations[w].pk for w in visible_registrations(role)}, role
            response = http.post(f"/api/v1/learning/registrations/{registrations[which].pk}/cancel")
            assert response.status_code == may_cancel(role, which), (role, response.content)
            registrations[which].refresh_from_db()
            assert (registrations[which].cancelled_at is not None) == (response.status_code == 200)


def test_pages_render_for_clients_and_staff(world, as_person):
    for path in ["/releases/", "/training/", "/events/", f"/events/{world['event'].pk}/"]:
        for role in ["designated", "plain_user", "agent", "manager", None]:
            response = as_person(world["people"][role] if role else None).get(path)
            assert response.status_code == (302 if role is None else 200), (path, role)
