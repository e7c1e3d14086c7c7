"""Shared fixtures: a real HTTP server on 127.0.0.1 (stdlib, one thread per connection) whose
behaviour each test scripts, and SDK clients with deterministic jitter and recorded sleeps.

The runtime is imported the way generated code imports it: as ``fakesdk._core`` (pytest puts this
directory on ``sys.path``; ``fakesdk/_core`` is a symlink to ``../../runtime``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from fakesdk import AsyncFakeSDK, FakeSDK


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Exchange:
    """One request being answered by a test's handler."""

    def __init__(self, handler: BaseHTTPRequestHandler, request: Recorded, index: int) -> None:
        self._handler = handler
        self.request = request
        self.index = index
        """How many requests the server saw before this one."""

    def respond(
        self,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        content_type: str = "application/json",
    ) -> None:
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
        h = self._handler
        h.send_response(status)
        all_headers = {"Content-Type": content_type, "X-Request-Id": f"req_{self.index}"}
        all_headers.update(headers or {})
        for name, value in all_headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
        h.wfile.flush()

    def problem(self, status: int, code: str, headers: dict[str, str] | None = None) -> None:
        body = {
            "type": f"urn:test:problem:{code.lower()}",
            "title": code.replace("_", " ").title(),
            "status": status,
            "code": code,
            "detail": f"detail of {code}",
            "request_id": f"req_{self.index}",
        }
        self.respond(status, body, headers, content_type="application/problem+json")

    def start_stream(self, headers: dict[str, str] | None = None) -> None:
        """Begin a close-delimited ``text/event-stream`` body (HTTP/1.0, no length)."""
        h = self._handler
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("X-Request-Id", f"req_{self.index}")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.flush()

    def write(self, data: str | bytes) -> None:
        self._handler.wfile.write(data.encode() if isinstance(data, str) else data)
        self._handler.wfile.flush()


Handler = Callable[[Exchange], None]


@dataclass
class TestServer:
    __test__ = False  # not a test class

    url: str
    requests: list[Recorded] = field(default_factory=list)
    handler: Handler | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, handler: Handler) -> Handler:
        self.handler = handler
        return handler


@pytest.fixture
def server() -> Iterator[TestServer]:
    state = TestServer(url="")

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            with state.lock:
                index = len(state.requests)
                state.requests.append(recorded)
            handler = state.handler
            exchange = Exchange(self, recorded, index)
            if handler is None:
                exchange.respond(404, {"title": "no handler", "status": 404})
                return
            try:
                handler(exchange)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


class RecordingSDK(FakeSDK):
    """Deterministic: jitter factor 1.0 (random 0.0) and sleeps recorded, not slept."""

    sleeps: list[float]

    def _random(self) -> float:
        return 0.0

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class AsyncRecordingSDK(AsyncFakeSDK):
    sleeps: list[float]

    def _random(self) -> float:
        return 0.0

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def make_client(server: TestServer) -> Iterator[Callable[..., RecordingSDK]]:
    clients: list[RecordingSDK] = []

    def make(**kwargs: Any) -> RecordingSDK:
        kwargs.setdefault("base_url", server.url)
        kwargs.setdefault("api_key", "test-key")
        client = RecordingSDK(**kwargs)
        client.sleeps = []
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def make_async_client(server: TestServer) -> Callable[..., AsyncRecordingSDK]:
    def make(**kwargs: Any) -> AsyncRecordingSDK:
        kwargs.setdefault("base_url", server.url)
        kwargs.setdefault("api_key", "test-key")
        client = AsyncRecordingSDK(**kwargs)
        client.sleeps = []
        return client

    return make


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


async def eventually(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Waits until ``condition()`` holds: for a test that must act once something reached the
    other side (a fixed sleep races a loaded machine)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.01)
