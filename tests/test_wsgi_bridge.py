"""supportdesk.wsgi_bridge: the WSGI application sees the same request, and the client gets the same
response, as through any WSGI server; a whole response takes one hand-off, a streaming one is streamed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from supportdesk.wsgi_bridge import BUFFERED_BODY_MAX, WSGIBridge


def scope(method: str = "GET", path: str = "/x", headers: list[tuple[bytes, bytes]] | None = None,
          query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": query, "http_version": "1.1",
            "headers": headers or [], "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5555), "root_path": ""}


def call(app: Any, the_scope: dict[str, Any], body_chunks: list[bytes] | None = None,
         disconnect_first: bool = False) -> list[dict[str, Any]]:
    """Run the ASGI app on one request; returns every message it sent."""
    chunks = list(body_chunks or [b""])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if disconnect_first:
            return {"type": "http.disconnect"}
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        await asyncio.sleep(3600)
        raise AssertionError("read past the end of the body")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(the_scope, receive, send))
    return sent


class Recorder:
    """A WSGI app that records what it was given and answers with what it is told."""

    def __init__(self, response: Any = None, status: str = "200 OK", headers: list[tuple[str, str]] | None = None):
        self.response = response if response is not None else [b"hello"]
        self.status = status
        self.headers = headers or [("Content-Type", "text/plain")]
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.thread = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        self.thread = threading.current_thread().name
        start_response(self.status, self.headers)
        return self.response


class ClosingResponse:
    """Like Django's HttpResponse: iterable, `streaming = False`, close() fires request_finished."""

    streaming = False

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts
        self.closed_in = ""

    def __iter__(self):
        return iter(self.parts)

    def close(self) -> None:
        self.closed_in = threading.current_thread().name


class Streaming:
    streaming = True

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts
        self.closed = False

    def __iter__(self):
        yield from self.parts

    def close(self) -> None:
        self.closed = True


def test_given_a_small_post_then_the_app_reads_the_whole_body_and_sees_the_request_as_wsgi_describes_it():
    app = Recorder()
    sent = call(WSGIBridge(app), scope("POST", "/api/v1/tickets/", [(b"content-length", b"11"),
                                                                      (b"content-type", b"application/json"),
                                                                      (b"authorization", b"Bearer t")],
                                       query=b"a=1"), [b"hello", b" world"])
    assert app.body == b"hello world"
    assert app.environ["REQUEST_METHOD"] == "POST"
    assert app.environ["PATH_INFO"] == "/api/v1/tickets/"
    assert app.environ["QUERY_STRING"] == "a=1"
    assert app.environ["CONTENT_LENGTH"] == "11"
    assert app.environ["CONTENT_TYPE"] == "application/json"
    assert app.environ["HTTP_AUTHORIZATION"] == "Bearer t"
    assert app.environ["REMOTE_ADDR"] == "127.0.0.1"
    assert app.thread.startswith("WSGI")  # never the event loop's thread
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_given_a_whole_response_then_status_headers_and_body_come_in_one_start_and_one_final_body():
    response = ClosingResponse([b"part one, ", b"part two"])
    app = Recorder(response, status="201 Created", headers=[("Content-Type", "application/json"), ("X-A", " b ")])
    sent = call(WSGIBridge(app), scope())
    assert sent == [
        {"type": "http.response.start", "status": 201,
         "headers": [(b"content-type", b"application/json"), (b"x-a", b"b")]},
        {"type": "http.response.body", "body": b"part one, part two"},
    ]
    assert response.closed_in == app.thread  # close() (request_finished) in the thread that ran the request


def test_given_a_streaming_response_then_each_chunk_is_sent_as_it_comes_and_the_body_is_ended():
    response = Streaming([b"a,b\n", b"1,2\n"])
    sent = call(WSGIBridge(Recorder(response)), scope())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body", "http.response.body",
                                         "http.response.body"]
    assert [m.get("body") for m in sent[1:]] == [b"a,b\n", b"1,2\n", b""]
    assert [m.get("more_body", False) for m in sent[1:]] == [True, True, False]
    assert response.closed


def test_given_an_empty_streaming_response_then_the_status_is_still_sent():
    sent = call(WSGIBridge(Recorder(Streaming([]), status="204 No Content")), scope())
    assert sent[0]["status"] == 204
    assert sent[-1] == {"type": "http.response.body", "body": b""}


def test_given_a_large_body_then_it_is_streamed_to_the_app_chunk_by_chunk_and_arrives_whole():
    size = BUFFERED_BODY_MAX + 10
    chunks = [b"x" * 100_000, b"y" * 100_000, b"z" * (size - 200_000)]
    app = Recorder()
    call(WSGIBridge(app), scope("POST", headers=[(b"content-length", str(size).encode())]), chunks)
    assert app.body == b"".join(chunks)


def test_given_a_chunked_body_then_it_is_streamed_and_arrives_whole():
    app = Recorder()
    call(WSGIBridge(app), scope("POST", headers=[(b"transfer-encoding", b"chunked")]), [b"ab", b"cd", b""])
    assert app.body == b"abcd"


def test_given_the_client_leaves_before_its_body_arrived_then_the_app_is_not_run():
    app = Recorder()
    sent = call(WSGIBridge(app), scope("POST", headers=[(b"content-length", b"5")]), disconnect_first=True)
    assert sent == []
    assert app.environ == {}


def test_given_the_legacy_write_callable_then_what_it_writes_comes_before_the_returned_body():
    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"early ")
        return [b"late"]

    sent = call(WSGIBridge(app), scope())
    assert b"".join(m.get("body", b"") for m in sent) == b"early late"
    assert sent[0]["type"] == "http.response.start"


def test_given_an_error_before_the_response_then_it_reaches_the_server_which_answers_500():
    def app(environ, start_response):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        call(WSGIBridge(app), scope())


def test_websockets_are_not_served_here():
    with pytest.raises(ValueError, match="HTTP only"):
        call(WSGIBridge(Recorder()), {"type": "websocket"})


def test_the_django_application_answers_through_the_bridge(db):
    from django.core.wsgi import get_wsgi_application

    sent = call(WSGIBridge(get_wsgi_application()), scope("GET", "/api/v1/openapi.json"))
    assert sent[0]["status"] == 200
    assert b'"openapi"' in b"".join(m.get("body", b"") for m in sent[1:])
