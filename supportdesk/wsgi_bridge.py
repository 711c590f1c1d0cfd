"""Django's WSGI handler served over ASGI with one hand-off to a worker thread per request.

a2wsgi's bridge, which this replaces for HTTP, has the worker thread hand every step back to the event
loop and wait for it: each read of the request body, the status line, each body chunk and the end of the
body. Each is a round trip between two threads that take turns on the GIL, five or six per request; the
constant JSON of the framework floor answered at about half the rate it does here (bench/README.md,
"One hand-off per request").

Here the event loop reads a request body of known, small size whole before the request goes to the
thread (a large or unsized one is streamed with a2wsgi's reader), and a response that is not streaming
comes back whole, with its status and headers, as the thread's result: one hand-off there and one back.
Streaming responses (exports, downloads) are still sent chunk by chunk from the thread. The application's
`close()` (Django's request_finished, which closes database connections) runs in the worker thread, where
the connections live.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import io
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from a2wsgi.wsgi import Body, build_environ

BUFFERED_BODY_MAX = 256 * 1024  # request bodies declared up to this size are read before dispatch

Message = dict[str, Any]
Send = Callable[[Message], Coroutine[Any, Any, None]]
Receive = Callable[[], Awaitable[Message]]
Headers = list[tuple[bytes, bytes]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIBridge:
    """An ASGI application for HTTP that runs a WSGI application on a pool of `workers` threads."""

    def __init__(self, app: WSGIApp, workers: int = 1) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(thread_name_prefix="WSGI", max_workers=workers)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"WSGIBridge serves HTTP only, not {scope['type']!r}")
        loop = asyncio.get_running_loop()
        declared = _declared_length(scope)
        if declared is not None and declared <= BUFFERED_BODY_MAX:
            body = await _read_body(receive)
            if body is None:
                return  # the client went away before its request was complete: nobody to answer
            stream: Any = io.BytesIO(body)
        else:
            stream = Body(loop, cast(Any, receive))
        environ: dict[str, Any] = cast(Any, build_environ(cast(Any, scope), stream))
        responder = _Responder(loop, send)
        run = functools.partial(contextvars.copy_context().run, responder.run, self.app, environ)
        whole = await loop.run_in_executor(self.executor, run)
        if whole is not None:
            status, headers, content = whole
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})


class _Responder:
    """One request in the worker thread: runs the app and returns a whole response, or sends a streaming
    one through the event loop message by message."""

    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send) -> None:
        self.loop = loop
        self.send = send
        self.status: tuple[int, Headers] | None = None
        self.sent_start = False

    def run(self, app: WSGIApp, environ: dict[str, Any]) -> tuple[int, Headers, bytes] | None:
        iterable = app(environ, self.start_response)
        try:
            if getattr(iterable, "streaming", None) is False or isinstance(iterable, list | tuple):
                content = b"".join(iterable)
                if not self.sent_start:
                    assert self.status is not None, "the application returned without calling start_response"
                    return self.status[0], self.status[1], content
                self._send_body(content)
            else:
                for chunk in iterable:
                    self._send_body(chunk)
                self._send_start()
            self._send({"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and self.sent_start:
            raise exc_info[1].with_traceback(exc_info[2])  # too late to change the status: PEP 3333
        self.status = (int(status.split(" ", 1)[0]),
                       [(k.strip().lower().encode("latin1"), v.strip().encode("latin1")) for k, v in headers])
        return self._send_body  # WSGI's legacy write()

    def _send_body(self, chunk: bytes) -> None:
        self._send_start()
        self._send({"type": "http.response.body", "body": chunk, "more_body": True})

    def _send_start(self) -> None:
        if not self.sent_start:
            assert self.status is not None, "the application sent a body before calling start_response"
            self.sent_start = True
            self._send({"type": "http.response.start", "status": self.status[0], "headers": self.status[1]})

    def _send(self, message: Message) -> None:
        asyncio.run_coroutine_threadsafe(self.send(message), self.loop).result()


def _declared_length(scope: dict[str, Any]) -> int | None:
    """The request body's length by its headers: Content-Length, or 0 when neither it nor a
    Transfer-Encoding is given (RFC 9112 §6.3); None when the body is chunked or the length unreadable."""
    length = None
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return None
    return 0 if length is None else length


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
