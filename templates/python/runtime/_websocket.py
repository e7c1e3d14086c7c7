"""A reconnecting JSON WebSocket client on the ``websockets`` library (docs/sdk-runtime.md,
"Event streams": WebSocket)."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import logging
import random as _random
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generic,
    Mapping,
    TypeVar,
)

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from ._exceptions import APIConnectionError, APIError, WebSocketClosedError, decode_body
from ._exceptions import make_status_error as _make_status_error
from ._retry import backoff_delay
from ._utils import to_jsonable

__all__ = ["AsyncWebSocketClient", "WebSocketProtocol"]

S = TypeVar("S")
JSONObject = Mapping[str, Any]
URLSource = str | Callable[[], str]
HeaderSource = Mapping[str, str] | Callable[[], Mapping[str, str]] | None


def _no_event_id(message: JSONObject) -> str | None:
    return None


@dataclasses.dataclass(frozen=True)
class WebSocketProtocol:
    """The message names of the API's WebSocket protocol (supplied by generated code)."""

    type_field: str = "type"
    """The discriminator field of every message."""
    welcome_type: str | None = "welcome"
    """The server's first message on each connection; receiving it resets the backoff."""
    heartbeat_type: str | None = "heartbeat"
    """Server keep-alive messages (tracked: ``last_heartbeat``)."""
    subscribe_type: str | None = "subscribe"
    """The client message re-sent after a reconnect, with ``last_event_id_field`` set."""
    last_event_id_field: str = "last_event_id"
    event_id: Callable[[JSONObject], str | None] = _no_event_id
    """The id of an event message (``None`` for other messages); used to resume and dedupe."""
    final_close_codes: frozenset[int] = frozenset({4001, 4003})
    """Close codes that end the client with :class:`WebSocketClosedError` (no reconnect)."""
    heartbeat_interval_field: str | None = None
    """A welcome field with the heartbeat interval in ms; silence for twice as long reconnects."""


def _dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _identity(message: Any) -> Any:
    return message


class AsyncWebSocketClient(Generic[S]):
    """JSON text frames in and out, with automatic reconnect.

    ``async for message in ws`` yields every server message decoded by ``decode``. On a dropped
    connection or a non-final close code it reconnects with backoff (``initial_reconnect_delay``
    doubling to ``max_reconnect_delay``, times a jitter in [0.75, 1]; reset after the welcome
    message), re-sends the last subscribe message with the last event id seen, and skips events
    whose id was already delivered. ``send()`` while disconnected queues the message. A final
    close code raises :class:`WebSocketClosedError`; a refused handshake with a non-retryable
    status raises the typed :class:`APIStatusError`.
    """

    def __init__(
        self,
        url: URLSource,
        *,
        protocol: WebSocketProtocol | None = None,
        decode: Callable[[Any], S] = _identity,
        headers: HeaderSource = None,
        initial_reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
        max_reconnect_attempts: int | None = None,
        idle_timeout: float | None = None,
        open_timeout: float | None = 10.0,
        logger: logging.Logger | None = None,
        random: Callable[[], float] = _random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        connect_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._url = url
        self.protocol = protocol or WebSocketProtocol()
        self._decode = decode
        self._headers = headers
        self._initial_delay = initial_reconnect_delay
        self._max_delay = max_reconnect_delay
        self._max_attempts = max_reconnect_attempts
        self._idle_timeout = idle_timeout
        self._open_timeout = open_timeout
        self._logger = logger or logging.getLogger(__name__)
        self._random = random
        self._sleep = sleep
        self._connect_options = dict(connect_options or {})
        self._conn: ClientConnection | None = None
        self._queue: collections.deque[dict[str, Any]] = collections.deque()
        self._last_subscribe: dict[str, Any] | None = None
        self._delivered: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._iterator: AsyncIterator[S] | None = None
        self._closed = False
        self._failures = 0
        self._connections = 0
        self.last_event_id: str | None = None
        """The id of the last event delivered (sent as ``last_event_id`` when resubscribing)."""
        self.last_heartbeat: float | None = None
        """Loop time of the last heartbeat message."""
        self.reconnects = 0

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    def _is_closed(self) -> bool:  # a call, so type checkers do not narrow it across awaits
        return self._closed

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- sending ------------------------------------------------------------------------------

    async def send(self, message: Any) -> None:
        """Send a client message (a mapping or model); queued while disconnected. A subscribe
        message is remembered and re-sent after each reconnect."""
        data = to_jsonable(message)
        if not isinstance(data, dict):
            raise TypeError("WebSocket messages must be JSON objects")
        if data.get(self.protocol.type_field) == self.protocol.subscribe_type:
            self._last_subscribe = dict(data)
        if self._conn is not None:
            try:
                await self._conn.send(_dumps(data))
                return
            except ConnectionClosed:
                pass
        self._queue.append(data)

    # -- receiving ----------------------------------------------------------------------------

    def __aiter__(self) -> AsyncWebSocketClient[S]:
        return self

    async def __anext__(self) -> S:
        if self._iterator is None:
            self._iterator = self._run()
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncWebSocketClient[S]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection for good (iteration ends)."""
        self._closed = True
        conn = self._conn
        if conn is not None:
            await conn.close()
        if self._iterator is not None:
            try:
                await self._iterator.aclose()  # type: ignore[attr-defined]
            except RuntimeError:  # pragma: no cover - closed while another task iterates
                pass

    def _resolve_url(self) -> str:
        return self._url() if callable(self._url) else self._url

    def _resolve_headers(self) -> dict[str, str]:
        source = self._headers
        if source is None:
            return {}
        return dict(source() if callable(source) else source)

    async def _open(self) -> ClientConnection:
        return await connect(
            self._resolve_url(),
            additional_headers=self._resolve_headers(),
            open_timeout=self._open_timeout,
            **self._connect_options,
        )

    async def _on_open(self, conn: ClientConnection) -> None:
        """Flush queued messages; after a reconnect first re-send the last subscribe message with
        the last event id (unless a new subscribe message is queued)."""
        pending = list(self._queue)
        self._queue.clear()
        protocol = self.protocol
        if protocol.welcome_type is None:
            self._failures = 0
        queued_subscribe = any(
            m.get(protocol.type_field) == protocol.subscribe_type for m in pending
        )
        if self._connections > 1 and self._last_subscribe is not None and not queued_subscribe:
            message = dict(self._last_subscribe)
            if self.last_event_id is not None:
                message[protocol.last_event_id_field] = self.last_event_id
            pending.insert(0, message)
        for index, message in enumerate(pending):
            try:
                await conn.send(_dumps(message))
            except ConnectionClosed:
                self._queue.extendleft(reversed(pending[index:]))
                raise

    def _is_duplicate(self, event_id: str) -> bool:
        if event_id in self._delivered:
            return True
        self._delivered[event_id] = None
        if len(self._delivered) > 10_000:
            self._delivered.popitem(last=False)
        return False

    async def _run(self) -> AsyncIterator[S]:
        protocol = self.protocol
        idle_timeout = self._idle_timeout
        while not self._is_closed():
            error: APIError
            try:
                conn = await self._open()
            except InvalidStatus as exc:
                status = exc.response.status_code
                headers = httpx.Headers(list(exc.response.headers.raw_items()))
                body = decode_body(bytes(exc.response.body or b""), headers)
                error = _make_status_error(status, headers, body)
                if status < 500 and status not in (408, 429):
                    raise error from exc
            except (OSError, InvalidHandshake, asyncio.TimeoutError) as exc:
                error = APIConnectionError(f"WebSocket connection failed: {exc!r}")
            else:
                self._conn = conn
                self._connections += 1
                try:
                    await self._on_open(conn)
                    while True:
                        if idle_timeout is not None:
                            raw = await asyncio.wait_for(conn.recv(), idle_timeout)
                        else:
                            raw = await conn.recv()
                        try:
                            message = json.loads(raw)
                        except ValueError:
                            self._logger.warning("Ignoring a WebSocket frame that is not JSON")
                            continue
                        if not isinstance(message, dict):
                            continue
                        kind = message.get(protocol.type_field)
                        if kind is not None and kind == protocol.welcome_type:
                            self._failures = 0
                            field = protocol.heartbeat_interval_field
                            interval = message.get(field) if field else None
                            if isinstance(interval, (int, float)) and interval > 0:
                                idle_timeout = 2 * interval / 1000.0
                        elif kind is not None and kind == protocol.heartbeat_type:
                            self.last_heartbeat = asyncio.get_running_loop().time()
                        event_id = protocol.event_id(message)
                        if event_id is not None:
                            if self._is_duplicate(event_id):
                                continue
                            self.last_event_id = event_id
                        yield self._decode(message)
                except ConnectionClosed as exc:
                    if self._is_closed():
                        return
                    code = exc.rcvd.code if exc.rcvd is not None else 1006
                    reason = exc.rcvd.reason if exc.rcvd is not None else ""
                    if code in protocol.final_close_codes:
                        raise WebSocketClosedError(code, reason) from exc
                    error = APIConnectionError(f"WebSocket closed with code {code}: {reason}")
                except asyncio.TimeoutError:
                    error = APIConnectionError("WebSocket heartbeat timeout")
                finally:
                    self._conn = None
                    await conn.close()
            if self._is_closed():
                return
            self._failures += 1
            if self._max_attempts is not None and self._failures > self._max_attempts:
                raise error
            delay = backoff_delay(
                self._failures - 1,
                self._random(),
                initial=self._initial_delay,
                maximum=self._max_delay,
            )
            self.reconnects += 1
            self._logger.info("WebSocket reconnecting in %.3f s after: %s", delay, error)
            await self._sleep(delay)
