"""Webhook topics (SPEC §11): a subscription names only topics the product publishes, a family's wildcard or "*",
so a misspelt topic is refused at once, naming it, instead of being stored and never firing. The list of topics
(`notifications.topics.TOPICS`) is checked against every publishing call in the source, so it cannot drift from
what is sent; `GET /api/v1/webhooks/topics` and the /webhooks/ screen show it."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import supportdesk
from supportdesk.factories import ClientUserFactory, StaffFactory, TicketFactory
from supportdesk.notifications.models import OutboxItem, OutboxKind, WebhookSubscription
from supportdesk.notifications.topics import FAMILIES, TOPICS, WILDCARDS

URL = "https://hooks.example.com/supportdesk"


@pytest.fixture
def admin(db):  # noqa: ANN001, ANN201
    return StaffFactory(staff_roles=["sysadmin"])


def _subscribe(http, topics: object):  # noqa: ANN001, ANN202
    return http.post("/api/v1/webhooks", data=json.dumps({"url": URL, "topics": topics}),
                     content_type="application/json")


# Refusing topics that would never fire ----------------------------------------------------------------------------

@pytest.mark.parametrize("topics,named", [
    (["ticket.opend"], "ticket.opend"),
    (["tickets.*"], "tickets.*"),
    (["ticket.opened", "ticket.opend", "tickets.*"], "ticket.opend, tickets.*"),
    (["ticket.opened.*"], "ticket.opened.*"),  # a wildcard is a family's, not a topic's
    (["Ticket.Opened"], "Ticket.Opened"),
    (["nothing.*"], "nothing.*"),
    (["message.system"], "message.system"),  # a kind of message no event is published for
    (["ticket.opened", ""], '""'),
])
def test_given_an_unknown_topic_when_subscribing_through_the_api_then_422_naming_it_and_nothing_is_stored(
        as_person, admin, topics, named):
    response = _subscribe(as_person(admin), topics)

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "webhook.bad_topics"
    assert error["fields"] == {"topics": f"unknown: {named}"}
    assert named in error["message"] and "GET /api/v1/webhooks/topics" in error["message"]
    assert not WebhookSubscription.objects.exists()


def test_given_a_misspelt_topic_then_the_message_suggests_the_one_meant(as_person, admin):
    one = _subscribe(as_person(admin), ["ticket.opend"]).json()["error"]["message"]
    two = _subscribe(as_person(admin), ["ticket.opend", "tickets.*"]).json()["error"]["message"]

    assert "Did you mean ticket.opened?" in one
    assert "Did you mean ticket.opened for ticket.opend, ticket.* for tickets.*?" in two


def test_given_a_very_long_unknown_topic_then_the_answer_repeats_it_cut_short(as_person, admin):
    error = _subscribe(as_person(admin), ["x" * 5000]).json()["error"]

    assert error["fields"]["topics"] == f"unknown: {'x' * 60}…"
    assert len(error["message"]) < 1000


@pytest.mark.parametrize("topics", [
    "ticket.opened",  # not a list
    [1, 2],
    ["ticket.opened"] * 51,
])
def test_given_topics_that_are_not_a_short_list_of_names_then_422_saying_what_topics_is(as_person, admin, topics):
    response = _subscribe(as_person(admin), topics)

    assert response.status_code == 422
    assert any(field.startswith("topics") for field in response.json()["error"]["fields"])  # topics.0: one item
    assert not WebhookSubscription.objects.exists()


def test_given_every_known_topic_and_wildcard_when_subscribing_then_they_are_stored(as_person, admin):
    response = _subscribe(as_person(admin), [*TOPICS, *WILDCARDS])

    assert response.status_code == 201, response.content
    assert WebhookSubscription.objects.get().topics == [*TOPICS, *WILDCARDS]


def test_given_an_unknown_topic_on_the_screen_then_the_topics_field_names_it_and_the_list_is_shown(as_person,
                                                                                                  admin):
    response = as_person(admin).post("/webhooks/", {"url": URL, "topics": "ticket.opened, ticket.opend"})

    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('data-field="topics"'):]
    field = field[:field.index("</div>")]
    assert 'class="field-error"' in field and "Unknown topic: ticket.opend" in field
    assert '<details class="card" id="topics" open>' in html  # the topics to choose from, opened
    assert all(f"<code>{topic}</code>" in html for topic in TOPICS)
    assert not WebhookSubscription.objects.exists()


def test_given_a_subscription_stored_with_an_unknown_topic_then_it_keeps_taking_its_known_ones(as_person, admin):
    # Given a subscription stored before unknown topics were refused
    stored = WebhookSubscription.objects.create(url=URL, secret="s" * 32, topics=["ticket.opend", "ticket.opened"])
    # When a ticket is opened
    TicketFactory()
    # Then its delivery is queued as before, and the subscription is listed as stored
    assert list(OutboxItem.objects.filter(kind=OutboxKind.WEBHOOK).values_list("topic", flat=True)) == \
        ["ticket.opened"]
    http = as_person(admin)
    assert http.get("/api/v1/webhooks").json()["items"][0]["topics"] == ["ticket.opend", "ticket.opened"]
    assert http.get(f"/api/v1/webhooks/{stored.pk}").status_code == 200
    assert "ticket.opend, ticket.opened" in http.get("/webhooks/").content.decode()


# The list, for integrators ----------------------------------------------------------------------------------------

def test_given_a_system_admin_when_asking_for_the_topics_then_every_topic_and_wildcard_is_listed(as_person, admin):
    response = as_person(admin).get("/api/v1/webhooks/topics")

    assert response.status_code == 200
    body = response.json()
    assert {t["topic"]: t["description"] for t in body["topics"]} == TOPICS
    assert body["wildcards"] == [*(f"{family}.*" for family in FAMILIES), "*"]
    assert "ticket.*" in body["wildcards"]


@pytest.mark.parametrize("role", ["agent", "manager", "billing"])
def test_given_someone_not_a_system_admin_when_asking_for_the_topics_then_404(as_person, db, role):
    assert as_person(StaffFactory(staff_roles=[role])).get("/api/v1/webhooks/topics").status_code == 404
    assert as_person(ClientUserFactory()).get("/api/v1/webhooks/topics").status_code == 404
    assert as_person(None).get("/api/v1/webhooks/topics").status_code == 401


def test_given_the_openapi_document_then_the_topics_operation_and_the_refusal_are_described():
    from supportdesk.api import api

    paths = api.get_openapi_schema()["paths"]

    assert "wildcards" in paths["/api/v1/webhooks/topics"]["get"]["description"]
    assert "/api/v1/webhooks/topics" in paths["/api/v1/webhooks"]["post"]["description"]


# The list cannot drift from what is published ---------------------------------------------------------------------

SOURCE = Path(supportdesk.__file__).parent
TICKET_ACTIONS = SOURCE / "tickets" / "actions.py"
# The publishers and where each takes the topic: record_event(ticket, actor, kind, ...),
# publish_ticket_event(ticket, actor, kind, ...), webhooks.publish(topic, ...).
KIND_AT = {"record_event": (2, "kind"), "publish_ticket_event": (2, "kind"), "publish": (0, "topic")}


def _changeable_fields() -> list[str]:
    """The fields `update_ticket` changes, as `_validated_changes` names them: each publishes ticket.<field>_changed."""
    from supportdesk.tickets import actions

    tree = ast.parse(textwrap.dedent(inspect.getsource(actions._validated_changes)))
    return [str(node.comparators[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "name"
            and isinstance(node.comparators[0], ast.Constant)]


def _expansions() -> dict[str, list[str]]:
    """What each topic built from a value ("message.{kind}") can be. A new f-string topic must be added here."""
    from supportdesk.telephony.models import CallState
    from supportdesk.tickets.models import MessageKind

    return {
        "call.{}": list(CallState.values),
        # Automatic (system) messages are not written through add_message: no message.system is published
        # (test_no_code_writes_a_system_message keeps that true).
        "message.{}": [kind for kind in MessageKind.values if kind != MessageKind.SYSTEM],
        "ticket.{}_changed": _changeable_fields(),
    }


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), str(path))


def _publisher(call: ast.Call, path: Path, tree: ast.Module) -> str | None:
    """Which publisher `call` calls, if any. A module with its own `record_event` (help center, macros: their own
    histories) calls that one; a bare `publish` is the webhooks' only where it is imported from there."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr == "publish":
            return "publish" if isinstance(func.value, ast.Name) and func.value.id == "webhooks" else None
        return func.attr if func.attr in KIND_AT else None
    if not isinstance(func, ast.Name) or func.id not in KIND_AT:
        return None
    if func.id == "record_event" and path != TICKET_ACTIONS and any(
            isinstance(node, ast.FunctionDef) and node.name == "record_event" for node in tree.body):
        return None
    if func.id == "publish" and path.name != "webhooks.py" and not any(
            isinstance(node, ast.ImportFrom) and (node.module or "").endswith("webhooks")
            and any(alias.name == "publish" for alias in node.names) for node in ast.walk(tree)):
        return None
    return func.id


def _published_kinds() -> tuple[set[str], list[str]]:
    """Every topic a publishing call in the source can send, and the calls whose topic this test cannot read."""
    expansions, kinds, unreadable = _expansions(), set(), []
    for path, tree in _sources():
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            name = _publisher(call, path, tree)
            if name is None:
                continue
            position, keyword = KIND_AT[name]
            given = next((k.value for k in call.keywords if k.arg == keyword), None)
            kind = given if given is not None else call.args[position] if len(call.args) > position else None
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                kinds.add(kind.value)
            elif isinstance(kind, ast.JoinedStr):
                template = "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in kind.values)
                if template in expansions:
                    kinds.update(template.replace("{}", value) for value in expansions[template])
                else:
                    unreadable.append(f"{where}: f-string topic {template!r} (add it to _expansions)")
            elif isinstance(kind, ast.Name) and _passes_its_own(call, kind.id, parents):
                continue  # a publisher handing its own parameter on: its callers are read instead
            else:
                unreadable.append(f"{where}: a topic this test cannot read (use a string or an f-string)")
    return kinds, unreadable


def _passes_its_own(call: ast.Call, parameter: str, parents: dict[ast.AST, ast.AST]) -> bool:
    node: ast.AST | None = call
    while node is not None and not isinstance(node, ast.FunctionDef):
        node = parents.get(node)
    return isinstance(node, ast.FunctionDef) and node.name in KIND_AT and \
        parameter in [arg.arg for arg in node.args.args + node.args.kwonlyargs]


def test_every_topic_a_publisher_sends_is_in_the_list_and_every_listed_topic_is_sent():
    published, unreadable = _published_kinds()

    assert unreadable == []
    assert published - set(TOPICS) == set(), "published but not in notifications.topics.TOPICS"
    assert set(TOPICS) - published == set(), "in notifications.topics.TOPICS but published nowhere"


def test_the_reader_of_publishing_calls_finds_the_known_ones():
    # The check above is only as good as its reading of the source: it must see the calls made today.
    published, _ = _published_kinds()

    assert {"ticket.opened", "ticket.linked", "ticket.status_changed", "ticket.subject_changed", "message.call",
            "call.voicemail", "sla.breached", "satisfaction.rated", "tam.guide_attached"} <= published
    assert "article.created" not in published  # the help center's own history is not published


def test_no_code_writes_a_system_message():
    # message.system is left out of the topics because nothing writes such a message; when something does, it
    # will be published, and then belongs in TOPICS and in _expansions.
    writes = [f"{path.relative_to(SOURCE.parent)}:{node.lineno}" for path, tree in _sources()
              if path != SOURCE / "tickets" / "models.py" for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and node.attr == "SYSTEM"
              and isinstance(node.value, ast.Name) and node.value.id == "MessageKind"]
    assert writes == []
