"""R19 live chat against the real ASGI server (uvicorn) with a real WebSocket client (`websockets`)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.db import OperationalError
from django.test import Client as HttpClient
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from supportdesk.factories import PASSWORD, ClientUserFactory, StaffFactory
from supportdesk.livechat.actions import MAX_MESSAGE_CHARS
from supportdesk.livechat.consumers import RATE_MESSAGES
from supportdesk.livechat.models import ChatMessage, Conversation
from supportdesk.oncall.tests.factories import client_24x7, client_standard
from supportdesk.tickets.models import Message

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def when_unlocked(write):  # noqa: ANN001, ANN201
    """`write()`, tried again while SQLite says a table is locked. The test database is SQLite's shared-cache
    in-memory database, shared with the server's threads: a table another connection is reading right now (a
    consumer checking its person on a frame) is "locked" at once, with no busy wait."""
    for attempt in range(20):
        try:
            return write()
        except OperationalError as exc:
            if "is locked" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def session_cookie(user) -> str:  # noqa: ANN001
    def signed_in() -> HttpClient:  # signing in writes last_login
        http = HttpClient()
        assert http.login(email=user.email, password=PASSWORD)
        return http

    return f"sessionid={when_unlocked(signed_in).cookies['sessionid'].value}"


def ws(live, path: str, user=None, origin: str | None = None) -> ClientConnection:  # noqa: ANN001
    headers = {"Cookie": session_cookie(user)} if user is not None else {}
    return connect(f"{live.ws_url}{path}", origin=origin or live.http_url, additional_headers=headers,  # type: ignore[arg-type]
                   open_timeout=10, close_timeout=2)


def recv(conn: ClientConnection, until: str | None = None, timeout: float = 10) -> dict:
    """The next frame (or the next frame of type `until`, skipping others)."""
    while True:
        frame = json.loads(conn.recv(timeout=timeout))
        if until is None or frame["type"] == until:
            return frame


def send(conn: ClientConnection, **frame) -> None:  # noqa: ANN003
    conn.send(json.dumps(frame))


@pytest.fixture
def people():  # noqa: ANN201
    firm = client_24x7(name="Night Owls LLP")
    return {"client": ClientUserFactory(client=firm), "colleague": ClientUserFactory(client=firm),
            "agent": StaffFactory(), "plain": ClientUserFactory(client=client_standard(name="Daytime LLP"))}


def start_chat(conn: ClientConnection, text: str = "Our server is down") -> int:
    assert recv(conn)["type"] == "hello"
    send(conn, type="start", id="start-1", subject="Server down")
    conversation = recv(conn, "started")["conversation"]
    send(conn, type="message", conversation=conversation, id="m-1", body=text)
    assert recv(conn, "ack")["duplicate"] is False
    return conversation


def test_a_client_chat_picked_up_by_an_agent_becomes_a_ticket_and_the_first_agent_message_responds(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as client, ws(live_asgi, "/ws/chat/agents/", people["agent"]) as agent:
        assert recv(agent, "waiting")["conversations"] == []
        conversation = start_chat(client)
        waiting = recv(agent, "waiting")
        while not waiting["conversations"]:
            waiting = recv(agent, "waiting")
        assert waiting["conversations"][0]["conversation"] == conversation
        send(agent, type="pickup", conversation=conversation)
        picked = recv(agent, "picked")
        ticket_id = picked["ticket_id"]
        assert [m["body"] for m in picked["messages"]] == ["Our server is down"]
        assert recv(client, "status")["status"] == "active"
        send(agent, type="message", conversation=conversation, id="a-1", body="Looking at it now.")
        assert recv(agent, "ack")["duplicate"] is False
        assert recv(client, "message")["body"] == "Looking at it now."
        send(client, type="message", conversation=conversation, id="m-2", body="Thanks!")
        echoed = recv(agent, "message")
        assert (echoed["body"], echoed["from_staff"]) == ("Looking at it now.", True)   # the agent's own, broadcast
        assert recv(agent, "message")["body"] == "Thanks!"
    from supportdesk.tickets.models import Ticket

    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.channel == "chat" and ticket.requester == people["client"] and ticket.status == "open"
    bodies = list(ticket.messages.values_list("body", "from_staff", "channel"))
    assert bodies == [("Our server is down", False, "chat"), ("Looking at it now.", True, "chat"), ("Thanks!", False, "chat")]
    assert ticket.events.filter(kind="chat.picked_up").exists()


def test_a_reconnect_that_resends_the_same_message_ids_stores_each_message_once(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as first:
        conversation = start_chat(first)
    # The connection dropped before the widget saw some acks: it reconnects and resends everything.
    with ws(live_asgi, "/ws/chat/", people["client"]) as again:
        hello = recv(again)
        assert [c["conversation"] for c in hello["conversations"]] == [conversation]
        send(again, type="start", id="start-1", subject="Server down")
        assert recv(again, "started")["conversation"] == conversation
        send(again, type="join", conversation=conversation)
        assert [m["id"] for m in recv(again, "history")["messages"]] == ["m-1"]
        send(again, type="message", conversation=conversation, id="m-1", body="Our server is down")
        assert recv(again, "ack")["duplicate"] is True
        send(again, type="message", conversation=conversation, id="m-2", body="Still down")
        assert recv(again, "ack")["duplicate"] is False
    assert Conversation.objects.count() == 1
    assert list(ChatMessage.objects.values_list("client_msg_id", flat=True)) == ["m-1", "m-2"]


def test_agent_messages_resent_after_pickup_reach_the_ticket_once(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as client:
        conversation = start_chat(client)
    for _ in range(2):
        with ws(live_asgi, "/ws/chat/agents/", people["agent"]) as agent:
            send(agent, type="pickup", conversation=conversation)
            recv(agent, "picked")
            send(agent, type="message", conversation=conversation, id="a-1", body="On it")
            recv(agent, "ack")
    assert Message.objects.filter(from_staff=True, channel="chat").count() == 1


def test_oversized_messages_frames_and_bursts_are_refused_with_clear_error_frames(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as conn:
        conversation = start_chat(conn)
        send(conn, type="message", conversation=conversation, id="big", body="x" * (MAX_MESSAGE_CHARS + 1))
        error = recv(conn, "error")
        assert error["code"] == "chat.too_long" and str(MAX_MESSAGE_CHARS) in error["message"] and error["id"] == "big"
        send(conn, type="message", conversation=conversation, id="huge", body="y" * 9000)
        assert recv(conn, "error")["code"] == "chat.frame_too_large"
        conn.send("not json")
        assert recv(conn, "error")["code"] == "chat.bad_frame"
        codes = []
        for n in range(RATE_MESSAGES + 3):
            send(conn, type="message", conversation=conversation, id=f"burst-{n}", body=f"burst {n}")
            frame = recv(conn)
            while frame["type"] not in ("ack", "error"):
                frame = recv(conn)
            codes.append(frame.get("code", "ack"))
        assert "chat.rate_limited" in codes
        assert codes.count("ack") <= RATE_MESSAGES
    stored = set(ChatMessage.objects.values_list("client_msg_id", flat=True))
    assert "big" not in stored and "huge" not in stored
    assert len([c for c in stored if c.startswith("burst-")]) == codes.count("ack")


def test_a_client_cannot_join_or_write_into_someone_elses_conversation(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as owner:
        conversation = start_chat(owner)
    with ws(live_asgi, "/ws/chat/", people["colleague"]) as other:
        recv(other)
        send(other, type="join", conversation=conversation)
        refused = recv(other, "error")
        assert refused["code"] == "not_found" and refused["message"] == "No such conversation."
        send(other, type="join", conversation=999999)
        assert recv(other, "error") == {**refused}
        send(other, type="message", conversation=conversation, id="sneak", body="hello")
        assert recv(other, "error")["code"] == "not_found"
    assert not ChatMessage.objects.filter(client_msg_id="sneak").exists()


def test_a_client_cannot_use_the_agent_socket_and_nobody_anonymous_connects(live_asgi, people):
    with pytest.raises(InvalidStatus) as agent_socket:
        ws(live_asgi, "/ws/chat/agents/", people["client"])
    assert agent_socket.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as anonymous:
        ws(live_asgi, "/ws/chat/")
    assert anonymous.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        ws(live_asgi, "/ws/chat/", people["agent"])   # staff answer from the console, not the widget


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:1", "null"])
def test_a_foreign_origin_is_refused_at_the_handshake(live_asgi, people, origin):
    with pytest.raises(InvalidStatus) as refused:
        ws(live_asgi, "/ws/chat/", people["client"], origin=origin)
    assert refused.value.response.status_code == 403


def test_a_client_without_chat_in_their_plan_is_told_how_to_reach_support(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["plain"]) as conn:
        frame = recv(conn)
        assert frame["type"] == "error" and frame["code"] == "chat.not_entitled"
        assert "portal" in frame["message"] and "email" in frame["message"]
        with pytest.raises(ConnectionClosed):
            conn.recv(timeout=5)
    assert not Conversation.objects.exists()


def test_two_agents_cannot_both_pick_up_one_chat(live_asgi, people):
    second = StaffFactory()
    with ws(live_asgi, "/ws/chat/", people["client"]) as client:
        conversation = start_chat(client)
    with ws(live_asgi, "/ws/chat/agents/", people["agent"]) as a, ws(live_asgi, "/ws/chat/agents/", second) as b:
        send(a, type="pickup", conversation=conversation)
        recv(a, "picked")
        send(b, type="pickup", conversation=conversation)
        assert recv(b, "error")["code"] == "chat.already_taken"


def test_the_real_server_serves_the_widget_script_and_pages(live_asgi, people):
    import httpx

    script = httpx.get(f"{live_asgi.http_url}/static/livechat/widget.js", timeout=10)
    assert script.status_code == 200 and "WebSocket" in script.text
    uid = uuid.uuid4().hex
    assert uid not in script.text


def test_chat_page_console_for_staff_widget_for_entitled_clients_and_a_clear_message_otherwise(people):
    def page(user):  # noqa: ANN001, ANN202
        http = HttpClient()
        assert http.login(email=user.email, password=PASSWORD)
        return http.get("/chat/")

    console = page(people["agent"])
    assert console.status_code == 200 and b"chat-console" in console.content and b"livechat/console.js" in console.content
    widget = page(people["client"])
    assert b"livechat/widget.js" in widget.content
    plain = page(people["plain"])
    assert b"widget.js" not in plain.content and b"does not include" in plain.content and b"/portal/tickets/new/" in plain.content
    billing = StaffFactory(staff_roles=["billing"])
    assert page(billing).status_code == 404
    assert HttpClient().get("/chat/").status_code == 302


def closed_after_refusal(conn: ClientConnection) -> dict:
    """The refusal frame; then the server closes the socket (4403)."""
    frame = recv(conn, "error")
    with pytest.raises(ConnectionClosed):
        while True:
            conn.recv(timeout=5)
    assert conn.close_code == 4403
    return frame


def test_given_a_connected_client_who_is_deactivated_when_they_send_then_it_is_refused_and_nothing_is_stored(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as conn:
        conversation = start_chat(conn)
        people["client"].is_active = False
        when_unlocked(lambda: people["client"].save(update_fields=["is_active"]))
        send(conn, type="message", conversation=conversation, id="m-after", body="Still here?")
        refused = closed_after_refusal(conn)
    assert refused["code"] == "chat.signed_out" and "Sign in again" in refused["message"]
    assert not ChatMessage.objects.filter(client_msg_id="m-after").exists()


def test_given_a_connected_client_whose_session_ended_when_they_send_then_it_is_refused(live_asgi, people):
    from django.contrib.sessions.models import Session

    with ws(live_asgi, "/ws/chat/", people["client"]) as conn:
        assert recv(conn)["type"] == "hello"
        when_unlocked(Session.objects.all().delete)  # signed out (or the session expired) in another tab
        send(conn, type="start", id="start-after", subject="After sign-out")
        assert closed_after_refusal(conn)["code"] == "chat.signed_out"
    assert not Conversation.objects.exists()


def test_given_a_connected_agent_whose_role_is_revoked_when_they_pick_up_then_it_is_refused(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as client:
        conversation = start_chat(client)
    with ws(live_asgi, "/ws/chat/agents/", people["agent"]) as agent:
        recv(agent, "mine")
        when_unlocked(people["agent"].role_grants.all().delete)
        send(agent, type="pickup", conversation=conversation)
        assert closed_after_refusal(agent)["code"] == "chat.signed_out"
    assert Conversation.objects.get().status == "waiting" and Conversation.objects.get().ticket is None


def test_frames_with_fields_of_the_wrong_type_are_refused_and_store_nothing(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as conn:
        conversation = start_chat(conn)
        send(conn, type="message", conversation=conversation, id="obj", body={"text": "hi"})
        assert recv(conn, "error")["code"] == "chat.bad_frame"      # was stored as the text "{'text': 'hi'}"
        send(conn, type="start", id="start-2", subject=["Server", "down"])
        assert recv(conn, "error")["code"] == "chat.bad_frame"
        for wrong in (conversation + 0.9, True, [conversation]):      # 1.9 and true were read as conversation 1
            send(conn, type="message", conversation=wrong, id="wrong", body="hello")
            assert recv(conn, "error")["code"] == "not_found"
        send(conn, type="join", conversation=str(conversation))
        assert recv(conn, "history")["conversation"] == conversation
    assert list(ChatMessage.objects.values_list("client_msg_id", flat=True)) == ["m-1"]
    assert Conversation.objects.count() == 1


def test_given_a_deactivated_client_with_an_open_socket_then_agent_messages_are_not_delivered_to_them(live_asgi, people):
    with ws(live_asgi, "/ws/chat/", people["client"]) as client, ws(live_asgi, "/ws/chat/agents/", people["agent"]) as agent:
        conversation = start_chat(client)
        send(agent, type="pickup", conversation=conversation)
        recv(agent, "picked")
        assert recv(client, "status")["status"] == "active"
        people["client"].is_active = False
        when_unlocked(lambda: people["client"].save(update_fields=["is_active"]))
        send(agent, type="message", conversation=conversation, id="a-1", body="Your password is hunter2")
        assert recv(agent, "ack")["duplicate"] is False
        refused = recv(client)                 # the very next frame: no "message" frame first
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=5)
    assert refused["type"] == "error" and refused["code"] == "chat.signed_out"
