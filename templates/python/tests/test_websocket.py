"""The reconnecting WebSocket client against a local ``websockets`` server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Callable, Literal, Union, cast

import pydantic
import pytest
from conftest import eventually
from fakesdk import AsyncFakeSDK
from fakesdk._core import (
    UNKNOWN_TAG,
    APIEventValidationError,
    AsyncWebSocketClient,
    AuthenticationError,
    BaseModel,
    UnknownVariant,
    WebSocketClosedError,
    WebSocketProtocol,
    message_decoder,
    open_discriminator,
)
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

PROTOCOL = WebSocketProtocol(
    welcome_type="welcome",
    heartbeat_type="heartbeat",
    subscribe_type="subscribe",
    last_event_id_field="last_event_id",
    event_id=lambda m: m["event"]["id"] if m.get("type") == "event" else None,
    final_close_codes=frozenset({4001, 4003}),
)

Script = Callable[[ServerConnection, int], Any]


class WsServer:
    def __init__(self) -> None:
        self.received: list[list[dict[str, Any]]] = []
        self.headers: list[Headers] = []
        self.script: Script | None = None
        self.url = ""

    async def recv(self, conn: ServerConnection, index: int) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await conn.recv())
        self.received[index].append(message)
        return message


@pytest.fixture
async def ws_server() -> AsyncIterator[WsServer]:
    state = WsServer()

    async def handler(conn: ServerConnection) -> None:
        index = len(state.received)
        state.received.append([])
        state.headers.append(conn.request.headers if conn.request else Headers())
        assert state.script is not None
        await state.script(conn, index)

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        state.url = f"ws://127.0.0.1:{port}/ws"
        yield state


def event(n: int) -> str:
    return json.dumps({"type": "event", "event": {"id": f"e{n}", "n": n}})


WELCOME = json.dumps({"type": "welcome", "session_id": "s", "heartbeat_interval_ms": 30000})


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


async def test_reconnect_resubscribe_and_dedupe(ws_server: WsServer) -> None:
    async def script(conn: ServerConnection, index: int) -> None:
        await conn.send(WELCOME)
        subscribe = await ws_server.recv(conn, index)
        resumed = subscribe.get("last_event_id")
        await conn.send(json.dumps({"type": "subscribed", "resumed_after": resumed}))
        if index == 0:
            await conn.send(json.dumps({"type": "heartbeat"}))
            await conn.send(event(1))
            await conn.send(event(2))
            await conn.close(1011, "server restart")  # not final: reconnect
        elif index == 1:
            await conn.send(event(2))  # replayed duplicate
            await conn.send(event(3))
            await conn.close(4001, "authentication failed")  # final

    ws_server.script = script
    delays: list[float] = []

    async def record_sleep(seconds: float) -> None:
        delays.append(seconds)

    client: AsyncWebSocketClient[dict[str, Any]] = AsyncWebSocketClient(
        ws_server.url,
        protocol=PROTOCOL,
        headers={"X-API-Key": "k"},
        sleep=record_sleep,
        random=lambda: 0.0,
    )
    await client.send({"type": "subscribe", "event_types": ["a"]})  # queued until connected
    seen: list[dict[str, Any]] = []
    with pytest.raises(WebSocketClosedError) as info:
        async for message in client:
            seen.append(message)
    assert info.value.code == 4001 and info.value.reason == "authentication failed"
    types = [m["type"] for m in seen]
    assert types == [
        "welcome", "subscribed", "heartbeat", "event", "event",
        "welcome", "subscribed", "event",
    ]  # fmt: skip
    assert [m["event"]["id"] for m in seen if m["type"] == "event"] == ["e1", "e2", "e3"]
    assert ws_server.received[0] == [{"type": "subscribe", "event_types": ["a"]}]
    assert ws_server.received[1] == [
        {"type": "subscribe", "event_types": ["a"], "last_event_id": "e2"}
    ]
    assert delays == [1.0]  # reset after the welcome
    assert client.last_event_id == "e3"
    assert client.last_heartbeat is not None
    assert ws_server.headers[0]["X-API-Key"] == "k"


async def test_backoff_grows_without_welcome_and_resets(ws_server: WsServer) -> None:
    async def script(conn: ServerConnection, index: int) -> None:
        if index < 3:
            await conn.close(1001, "going away")  # before any welcome
        elif index == 3:
            await conn.send(WELCOME)
            await conn.close(1001, "going away")
        else:
            await conn.close(4003, "origin")

    ws_server.script = script
    delays: list[float] = []

    async def record_sleep(seconds: float) -> None:
        delays.append(seconds)

    client: AsyncWebSocketClient[dict[str, Any]] = AsyncWebSocketClient(
        ws_server.url, protocol=PROTOCOL, sleep=record_sleep, random=lambda: 0.0
    )
    with pytest.raises(WebSocketClosedError) as info:
        async for _ in client:
            pass
    assert info.value.code == 4003
    assert delays == [1.0, 2.0, 4.0, 1.0]


async def test_handshake_401_is_typed_and_final() -> None:
    def reject(conn: ServerConnection, request: Request) -> Response:
        return conn.respond(401, "no credentials\n")

    async def handler(conn: ServerConnection) -> None:  # pragma: no cover
        await conn.close()

    async with serve(handler, "127.0.0.1", 0, process_request=reject) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        client: AsyncWebSocketClient[Any] = AsyncWebSocketClient(
            f"ws://127.0.0.1:{port}/ws", protocol=PROTOCOL, sleep=no_sleep
        )
        with pytest.raises(AuthenticationError) as info:
            await client.__anext__()
        assert info.value.status_code == 401


async def test_idle_timeout_from_welcome_and_close(ws_server: WsServer) -> None:
    async def script(conn: ServerConnection, index: int) -> None:
        await conn.send(json.dumps({"type": "welcome", "heartbeat_interval_ms": 25}))
        await asyncio.sleep(1)  # silent for longer than 2 x 25 ms

    ws_server.script = script
    protocol = WebSocketProtocol(heartbeat_interval_field="heartbeat_interval_ms")
    client: AsyncWebSocketClient[dict[str, Any]] = AsyncWebSocketClient(
        ws_server.url, protocol=protocol, sleep=no_sleep, max_reconnect_attempts=1
    )
    got: list[str] = []
    async with client:
        async for message in client:
            got.append(message["type"])
            if len(got) == 2:
                break
        assert client.reconnects == 1
    assert got == ["welcome", "welcome"]
    assert client.closed


async def test_client_helpers_build_url_and_headers(ws_server: WsServer) -> None:
    async def script(conn: ServerConnection, index: int) -> None:
        await conn.send(WELCOME)
        await ws_server.recv(conn, index)

    ws_server.script = script
    base = ws_server.url.replace("ws://", "http://").removesuffix("/ws")
    async with AsyncFakeSDK(base_url=base, api_key="key-1") as sdk:
        client: AsyncWebSocketClient[dict[str, Any]] = AsyncWebSocketClient(
            lambda: sdk.websocket_url("/ws", query={"v": 1}),
            protocol=PROTOCOL,
            headers=sdk.websocket_headers,
        )
        async with client:
            async for message in client:
                assert message["type"] == "welcome"
                assert client.connected
                await client.send({"type": "ping"})
                break
    await eventually(lambda: ws_server.received)
    assert ws_server.headers[0]["X-API-Key"] == "key-1"
    assert ws_server.headers[0]["User-Agent"].startswith("fake-sdk/1.2.3 python/")
    assert ws_server.received[0] == [{"type": "ping"}]


async def test_the_sync_client_runs_the_same_client_in_a_thread(ws_server: WsServer) -> None:
    from fakesdk._core import SyncWebSocketClient

    async def script(conn: ServerConnection, index: int) -> None:
        await conn.send(WELCOME)
        subscribe = await ws_server.recv(conn, index)
        event = {"type": "event", "event": {"id": "evt_1", "n": 1}}
        if index == 0:
            await conn.send(json.dumps(event))
            await conn.close(1011)  # dropped: the client reconnects and resubscribes
            return
        assert subscribe["last_event_id"] == "evt_1"
        await conn.send(json.dumps(event))  # a duplicate: skipped
        await conn.send(json.dumps({"type": "event", "event": {"id": "evt_2", "n": 2}}))
        await asyncio.sleep(5)

    ws_server.script = script

    def use() -> list[str]:
        seen: list[str] = []
        ws: SyncWebSocketClient[dict[str, Any]] = SyncWebSocketClient(
            lambda: AsyncWebSocketClient(ws_server.url, protocol=PROTOCOL, sleep=no_sleep)
        )
        with ws:
            ws.send({"type": "subscribe"})
            for message in ws:
                seen.append(
                    message["type"] if message["type"] != "event" else message["event"]["id"]
                )
                if len(seen) == 4:
                    break
            assert ws.last_event_id == "evt_2"
        assert ws.closed
        return seen

    assert await asyncio.to_thread(use) == ["welcome", "evt_1", "welcome", "evt_2"]


class Welcome(BaseModel):
    type: Literal["welcome"]
    session_id: str


class Thing(BaseModel):
    id: str
    n: int


class EventMessage(BaseModel):
    type: Literal["event"]
    event: Thing


class UnknownMessage(UnknownVariant):
    type: str


Message = Annotated[
    Union[  # noqa: UP007 - the form generated code uses for tagged unions
        Annotated[Welcome, pydantic.Tag("welcome")],
        Annotated[EventMessage, pydantic.Tag("event")],
        Annotated[UnknownMessage, pydantic.Tag(UNKNOWN_TAG)],
    ],
    open_discriminator("type", ["welcome", "event"]),
]
ODD_EVENT = {"type": "event", "event": {"id": "e1"}}  # `n` missing


async def send_odd_event(ws_server: WsServer) -> None:
    async def script(conn: ServerConnection, index: int) -> None:
        await conn.send(WELCOME)
        await conn.send(json.dumps(ODD_EVENT))
        await conn.send(json.dumps({"type": "heartbeat"}))
        await conn.wait_closed()  # until the client closes

    ws_server.script = script


def message_client(url: str, *, strict: bool) -> AsyncWebSocketClient[Message]:
    """As generated code builds it: messages decoded like answers, by the client's flag."""
    decode = message_decoder(cast("type[Message]", Message), strict=strict)
    return AsyncWebSocketClient(url, protocol=PROTOCOL, decode=decode, sleep=no_sleep)


def check_lenient(messages: list[Message]) -> None:
    welcome, event, heartbeat = messages
    assert isinstance(welcome, Welcome)
    assert isinstance(event, EventMessage) and isinstance(event.event, Thing)
    assert event.event.id == "e1" and "n" not in event.event.model_fields_set
    assert isinstance(heartbeat, UnknownMessage) and heartbeat.type == "heartbeat"


async def test_messages_decode_leniently_unless_strict(ws_server: WsServer) -> None:
    await send_odd_event(ws_server)
    messages: list[Message] = []
    async with message_client(ws_server.url, strict=False) as client:
        async for message in client:
            messages.append(message)
            if len(messages) == 3:
                break
    check_lenient(messages)
    async with message_client(ws_server.url, strict=True) as client:
        with pytest.raises(APIEventValidationError) as info:
            async for message in client:
                assert isinstance(message, Welcome)
    assert info.value.body == ODD_EVENT


async def test_sync_messages_decode_leniently_unless_strict(ws_server: WsServer) -> None:
    from fakesdk._core import SyncWebSocketClient

    await send_odd_event(ws_server)

    def use(strict: bool) -> list[Message]:
        messages: list[Message] = []
        with SyncWebSocketClient(lambda: message_client(ws_server.url, strict=strict)) as ws:
            for message in ws:
                messages.append(message)
                if len(messages) == 3:
                    break
        return messages

    check_lenient(await asyncio.to_thread(use, False))
    with pytest.raises(APIEventValidationError) as info:
        await asyncio.to_thread(use, True)
    assert info.value.body == ODD_EVENT
