"""SSE streams against a real server: reconnect, Last-Event-ID resume, no duplicates or gaps,
typed errors (sync and async)."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable

import pydantic
import pytest
from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer
from fakesdk import Event
from fakesdk._core import (
    APIEventValidationError,
    AuthenticationError,
    ConflictError,
    EventStreamError,
)

EVENTS = [{"id": str(n), "type": "thing.changed", "n": n} for n in range(1, 7)]


def frame(event: dict[str, object]) -> str:
    return f"event: {event['type']}\nid: {event['id']}\ndata: {json.dumps(event)}\n\n"


def scripted_stream(ex: Exchange) -> None:
    """conn 0: events 1-3, a half-written 4, then drop; conn 1: replays 2-3 (duplicates), then
    4-5 and ends; conn 2: a retryable 503; conn 3: event 6 (CRLF framing) and a final 204."""
    last = ex.request.headers.get("last-event-id")
    if ex.index == 0:
        assert last is None
        ex.start_stream()
        ex.write(": hello\n\nretry: 10\n\n")
        for event in EVENTS[:3]:
            ex.write(frame(event))
        ex.write('id: 4\ndata: {"id": "4", "ty')  # cut mid-message
    elif ex.index == 1:
        ex.start_stream()
        for event in EVENTS[1:5]:
            ex.write(frame(event))
    elif ex.index == 2:
        ex.problem(503, "UNAVAILABLE")
    elif ex.index == 3:
        ex.start_stream()
        ex.write(frame(EVENTS[5]).replace("\n", "\r\n"))
    else:
        ex.respond(204)


def check_stream_requests(server: TestServer) -> None:
    assert [r.headers.get("last-event-id") for r in server.requests] == [
        None,
        "3",
        "5",
        "5",
        "6",
    ]
    assert all(r.headers["accept"] == "text/event-stream" for r in server.requests)
    assert server.requests[0].query == {"types": ["thing.changed"]}


def test_sync_reconnect_resume_no_duplicates(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    server.on(scripted_stream)
    client = make_client()
    with client.items.stream(types=["thing.changed"]) as stream:
        received = list(stream)
    assert received == [Event(**e) for e in EVENTS]  # type: ignore[arg-type]
    check_stream_requests(server)
    # server retry: 10 ms sets the base; reset after each message; the 503 doubled it
    assert client.sleeps == [0.01, 0.01, 0.02, 0.01]
    assert stream.last_event_id == "6"


async def test_async_reconnect_resume_no_duplicates(
    server: TestServer, make_async_client: Callable[..., AsyncRecordingSDK]
) -> None:
    server.on(scripted_stream)
    async with make_async_client() as client:
        async with client.items.stream(types=["thing.changed"]) as stream:
            received = [event async for event in stream]
        assert [e.n for e in received] == [1, 2, 3, 4, 5, 6]
        check_stream_requests(server)
        assert client.sleeps == [0.01, 0.01, 0.02, 0.01]


def test_resume_from_given_last_event_id(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    def handle(ex: Exchange) -> None:
        if ex.index == 0:
            ex.start_stream()
            for event in EVENTS[2:4]:  # the server replays the given id too
                ex.write(frame(event))
        else:
            ex.respond(204)

    server.on(handle)
    client = make_client()
    received = list(client.items.stream(last_event_id="3"))
    assert [e.n for e in received] == [4]
    assert server.requests[0].headers["last-event-id"] == "3"


def test_non_retryable_status_ends_with_typed_error(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    def handle(ex: Exchange) -> None:
        if ex.index == 0:
            ex.start_stream()
            ex.write(frame(EVENTS[0]))
        else:
            ex.problem(409, "EVENTS_EXPIRED")

    server.on(handle)
    client = make_client()
    stream = client.items.stream()
    assert next(stream).n == 1
    with pytest.raises(ConflictError) as info:
        next(stream)
    assert info.value.code == "EVENTS_EXPIRED"
    assert info.value.request_id == "req_1"
    assert len(server.requests) == 2

    server.requests.clear()
    server.on(lambda ex: ex.problem(401, "UNAUTHENTICATED"))
    with pytest.raises(AuthenticationError):
        list(client.items.stream())
    assert len(server.requests) == 1


def stream_error(code: str) -> str:
    return f'event: error\ndata: {{"type": "error", "code": "{code}", "message": "m"}}\n\n'


def test_server_error_event_resumes_or_ends_typed(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    """SLOW_CONSUMER (and an unknown code) resumes from the last id; EVENTS_EXPIRED ends typed."""

    def handle(ex: Exchange) -> None:
        ex.start_stream()
        if ex.index == 0:
            ex.write(frame(EVENTS[0]) + frame(EVENTS[1]) + stream_error("SLOW_CONSUMER"))
        elif ex.index == 1:
            ex.write(frame(EVENTS[2]) + stream_error("SOMETHING_NEW"))
        else:
            ex.write(frame(EVENTS[3]) + stream_error("EVENTS_EXPIRED"))

    server.on(handle)
    client = make_client()
    stream = client.items.stream()
    got = []
    with pytest.raises(EventStreamError) as info:
        for event in stream:
            got.append(event.n)
    assert got == [1, 2, 3, 4]
    assert info.value.code == "EVENTS_EXPIRED"
    assert not info.value.resumable
    assert [r.headers.get("last-event-id") for r in server.requests] == [None, "2", "3"]


def test_backoff_doubles_to_cap_and_attempts_limit(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    server.on(lambda ex: ex.problem(503, "UNAVAILABLE"))
    client = make_client()
    stream = client.items.stream(max_reconnect_attempts=7)
    with pytest.raises(Exception) as info:
        list(stream)
    assert getattr(info.value, "status_code", None) == 503
    assert client.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert stream.reconnects == 7


def current_response(stream: Any) -> object:
    return stream.response  # (read through Any: type checkers narrowed it earlier)


def test_close_stops_an_open_stream(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    release = threading.Event()

    def handle(ex: Exchange) -> None:
        ex.start_stream()
        ex.write(frame(EVENTS[0]))
        release.wait(5)

    server.on(handle)
    client = make_client()
    stream = client.items.stream()
    assert next(stream).n == 1
    assert stream.response is not None
    stream.close()
    release.set()
    assert stream.closed
    assert current_response(stream) is None
    with pytest.raises(StopIteration):
        next(stream)
    assert len(server.requests) == 1


async def test_async_cancel_closes_stream(
    server: TestServer, make_async_client: Callable[..., AsyncRecordingSDK]
) -> None:
    import asyncio

    release = threading.Event()

    def handle(ex: Exchange) -> None:
        ex.start_stream()
        ex.write(frame(EVENTS[0]))
        release.wait(5)

    server.on(handle)
    async with make_async_client() as client:
        stream = client.items.stream()
        first = await stream.__anext__()
        assert first.n == 1
        task = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        assert current_response(stream) is None  # closed on cancellation
        assert len(server.requests) == 1


def odd_events(ex: Exchange) -> None:
    """conn 0: an event missing its `n`, then a complete one; later connections: 204 (the end)."""
    if ex.index == 0:
        ex.start_stream()
        ex.write(frame({"id": "1", "type": "thing.changed"}))
        ex.write(frame(EVENTS[1]))
    else:
        ex.respond(204)


def check_lenient(received: list[Event]) -> None:
    assert [type(e) for e in received] == [Event, Event]
    assert received[0].id == "1" and "n" not in received[0].model_fields_set
    assert received[1].n == 2


def check_strict(info: pytest.ExceptionInfo[APIEventValidationError]) -> None:
    assert info.value.body == {"id": "1", "type": "thing.changed"}
    assert not isinstance(info.value, pydantic.ValidationError)


def test_sync_events_decode_leniently_unless_strict(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    server.on(odd_events)
    with make_client().items.stream() as stream:
        check_lenient(list(stream))
    server.requests.clear()
    strict = make_client(strict_response_validation=True)
    with strict.items.stream() as stream, pytest.raises(APIEventValidationError) as info:
        list(stream)
    check_strict(info)
    assert len(server.requests) == 1  # it ends the stream: no reconnect


async def test_async_events_decode_leniently_unless_strict(
    server: TestServer, make_async_client: Callable[..., AsyncRecordingSDK]
) -> None:
    server.on(odd_events)
    async with make_async_client() as client, client.items.stream() as stream:
        check_lenient([event async for event in stream])
    server.requests.clear()
    async with (
        make_async_client(strict_response_validation=True) as client,
        client.items.stream() as stream,
    ):
        with pytest.raises(APIEventValidationError) as info:
            _ = [event async for event in stream]
    check_strict(info)
