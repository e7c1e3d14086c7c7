"""Reconnecting Server-Sent Events streams (docs/sdk-runtime.md, "Event streams")."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, AsyncIterator, Callable, Generic, Iterator, TypeVar

import httpx

from ._exceptions import APIConnectionError, APIError, APITimeoutError, EventStreamError
from ._retry import DEFAULT_MAX_RETRY_AFTER, backoff_delay, parse_retry_after, should_retry_status
from ._sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    from ._async_client import AsyncAPIClient
    from ._client import SyncAPIClient
    from ._options import RequestOptions, RequestSpec

__all__ = ["AsyncEventStream", "SyncEventStream"]

T = TypeVar("T")

MAX_REMEMBERED_IDS = 10_000
"""How many delivered event ids are remembered for de-duplication."""


class _StreamState:
    """Reconnect bookkeeping shared by the sync and async streams (pure, no I/O)."""

    def __init__(
        self,
        *,
        last_event_id: str | None,
        initial_delay: float,
        max_delay: float,
        max_attempts: int | None,
    ) -> None:
        self.last_event_id = last_event_id
        self.base_delay = initial_delay
        self.max_delay = max_delay
        self.max_attempts = max_attempts
        self.failures = 0
        self.reconnects = 0
        self._delivered: collections.OrderedDict[str, None] = collections.OrderedDict()
        if last_event_id is not None:
            self._delivered[last_event_id] = None

    def connect_headers(self) -> dict[str, str | None]:
        return {"Last-Event-ID": self.last_event_id, "Cache-Control": "no-cache"}

    def on_message(self, decoder: SSEDecoder) -> None:
        """A message arrived: reset the backoff; a server ``retry:`` sets its base."""
        self.failures = 0
        if decoder.retry is not None:
            self.base_delay = decoder.retry / 1000.0
        self.last_event_id = decoder.last_event_id

    def is_duplicate(self, event: ServerSentEvent) -> bool:
        return event.id is not None and event.id != "" and event.id in self._delivered

    def delivered(self, event: ServerSentEvent) -> None:
        if event.id:
            self._delivered[event.id] = None
            if len(self._delivered) > MAX_REMEMBERED_IDS:
                self._delivered.popitem(last=False)

    def next_delay(self, error: APIError, random: float, retry_after: float | None) -> float:
        """The wait before the next attempt, or re-raise ``error`` when attempts are exhausted."""
        self.failures += 1
        if self.max_attempts is not None and self.failures > self.max_attempts:
            raise error
        self.reconnects += 1
        if retry_after is not None and retry_after > DEFAULT_MAX_RETRY_AFTER:
            raise error  # longer than any request would wait: the stream ends with the error
        if retry_after is not None and retry_after > 0:
            return retry_after
        return backoff_delay(
            self.failures - 1, random, initial=self.base_delay, maximum=self.max_delay
        )


def _stream_error(event: ServerSentEvent) -> EventStreamError:
    """The server's ``error`` event (the contract's StreamErrorEvent) as a typed error."""
    try:
        body = event.json()
    except ValueError:
        return EventStreamError("UNKNOWN", event.data[:200])
    if not isinstance(body, dict):
        return EventStreamError("UNKNOWN", event.data[:200])
    code, message = body.get("code"), body.get("message")
    return EventStreamError(
        code if isinstance(code, str) else "UNKNOWN", message if isinstance(message, str) else ""
    )


def _transport_error(exc: httpx.HTTPError, request: httpx.Request) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(request=request)
    return APIConnectionError(f"Connection error: {exc}", request=request)


class SyncEventStream(Generic[T]):
    """An iterator of decoded events that reconnects by itself.

    It connects on first iteration, resumes with ``Last-Event-ID`` after a drop, the end of the
    body or a retryable status (backoff: the base delay doubling up to the maximum, times a jitter
    in [0.75, 1]; reset after a message; a server ``retry:`` sets the base; ``Retry-After`` wins),
    and skips events whose id was already delivered. A non-retryable status raises its typed
    error; a 204 ends the stream. Use ``with stream:`` or ``close()`` to stop early.
    """

    def __init__(
        self,
        *,
        client: SyncAPIClient,
        spec: RequestSpec,
        options: RequestOptions,
        decode: Callable[[ServerSentEvent], T | None],
        last_event_id: str | None = None,
        initial_reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
        max_reconnect_attempts: int | None = None,
    ) -> None:
        self._client = client
        self._spec = spec
        self._options = options
        self._decode = decode
        self._state = _StreamState(
            last_event_id=last_event_id,
            initial_delay=initial_reconnect_delay,
            max_delay=max_reconnect_delay,
            max_attempts=max_reconnect_attempts,
        )
        self._closed = False
        self._iterator: Iterator[T] | None = None
        self.response: httpx.Response | None = None
        """The HTTP response of the current connection."""

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    def _is_closed(self) -> bool:  # a call, so type checkers do not narrow it across awaits
        return self._closed

    @property
    def last_event_id(self) -> str | None:
        """The id of the last completed message (sent as ``Last-Event-ID`` on reconnect)."""
        return self._state.last_event_id

    @property
    def reconnects(self) -> int:
        return self._state.reconnects

    def __iter__(self) -> SyncEventStream[T]:
        return self

    def __next__(self) -> T:
        if self._iterator is None:
            self._iterator = self._run()
        return next(self._iterator)

    def __enter__(self) -> SyncEventStream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the stream and close its connection."""
        self._closed = True
        if self.response is not None:
            self.response.close()
        if self._iterator is not None:
            try:
                self._iterator.close()  # type: ignore[attr-defined]
            except ValueError:  # pragma: no cover - closed from another thread while running
                pass

    def _run(self) -> Iterator[T]:
        client, state = self._client, self._state
        while not self._is_closed():
            request = client._build_request(
                self._spec,
                self._options,
                None,
                extra_headers=state.connect_headers(),
                access_token=client._access_token(),
            )
            error: APIError
            retry_after: float | None = None
            try:
                response = client._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                error = _transport_error(exc, request)
            else:
                self.response = response
                try:
                    if not response.is_success:
                        response.read()
                        if not should_retry_status(response.status_code, response.headers):
                            raise client._make_status_error(response, self._spec)
                        error = client._make_status_error(response, self._spec)
                        retry_after = parse_retry_after(response.headers)
                    elif response.status_code == 204:
                        return
                    else:
                        decoder = SSEDecoder(last_event_id=state.last_event_id)
                        ended: EventStreamError | None = None
                        try:
                            for chunk in response.iter_bytes():
                                for event in decoder.feed(chunk):
                                    state.on_message(decoder)
                                    if event.event == "error":
                                        # The server ends the stream: resume from the last id
                                        # when the code allows it, else end with the typed error.
                                        ended = _stream_error(event)
                                        if not ended.resumable:
                                            raise ended
                                        continue
                                    if state.is_duplicate(event):
                                        continue
                                    state.delivered(event)
                                    value = self._decode(event)
                                    if value is not None:
                                        yield value
                                state.last_event_id = decoder.last_event_id
                            decoder.end()
                            error = ended or APIConnectionError(
                                "The event stream ended; reconnecting.", request=request
                            )
                        except httpx.HTTPError as exc:
                            if self._is_closed():
                                return
                            error = _transport_error(exc, request)
                finally:
                    response.close()
                    self.response = None
            if self._is_closed():
                return
            delay = state.next_delay(error, client._random(), retry_after)
            client.logger.info("Event stream reconnecting in %.3f s after: %s", delay, error)
            client._sleep(delay)


class AsyncEventStream(Generic[T]):
    """The async twin of :class:`SyncEventStream` (``async for``, ``async with``, ``aclose()``).
    Cancelling the consuming task closes the connection and propagates the cancellation."""

    def __init__(
        self,
        *,
        client: AsyncAPIClient,
        spec: RequestSpec,
        options: RequestOptions,
        decode: Callable[[ServerSentEvent], T | None],
        last_event_id: str | None = None,
        initial_reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
        max_reconnect_attempts: int | None = None,
    ) -> None:
        self._client = client
        self._spec = spec
        self._options = options
        self._decode = decode
        self._state = _StreamState(
            last_event_id=last_event_id,
            initial_delay=initial_reconnect_delay,
            max_delay=max_reconnect_delay,
            max_attempts=max_reconnect_attempts,
        )
        self._closed = False
        self._iterator: AsyncIterator[T] | None = None
        self.response: httpx.Response | None = None
        """The HTTP response of the current connection."""

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._closed

    def _is_closed(self) -> bool:  # a call, so type checkers do not narrow it across awaits
        return self._closed

    @property
    def last_event_id(self) -> str | None:
        return self._state.last_event_id

    @property
    def reconnects(self) -> int:
        return self._state.reconnects

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> T:
        if self._iterator is None:
            self._iterator = self._run()
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the stream and close its connection."""
        self._closed = True
        if self.response is not None:
            await self.response.aclose()
        if self._iterator is not None:
            try:
                await self._iterator.aclose()  # type: ignore[attr-defined]
            except RuntimeError:  # pragma: no cover - closed from another task while running
                pass

    close = aclose

    async def _run(self) -> AsyncIterator[T]:
        client, state = self._client, self._state
        while not self._is_closed():
            request = client._build_request(
                self._spec,
                self._options,
                None,
                extra_headers=state.connect_headers(),
                access_token=await client._access_token(),
            )
            error: APIError
            retry_after: float | None = None
            try:
                response = await client._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                error = _transport_error(exc, request)
            else:
                self.response = response
                try:
                    if not response.is_success:
                        await response.aread()
                        if not should_retry_status(response.status_code, response.headers):
                            raise client._make_status_error(response, self._spec)
                        error = client._make_status_error(response, self._spec)
                        retry_after = parse_retry_after(response.headers)
                    elif response.status_code == 204:
                        return
                    else:
                        decoder = SSEDecoder(last_event_id=state.last_event_id)
                        ended: EventStreamError | None = None
                        try:
                            async for chunk in response.aiter_bytes():
                                for event in decoder.feed(chunk):
                                    state.on_message(decoder)
                                    if event.event == "error":
                                        # The server ends the stream: resume from the last id
                                        # when the code allows it, else end with the typed error.
                                        ended = _stream_error(event)
                                        if not ended.resumable:
                                            raise ended
                                        continue
                                    if state.is_duplicate(event):
                                        continue
                                    state.delivered(event)
                                    value = self._decode(event)
                                    if value is not None:
                                        yield value
                                state.last_event_id = decoder.last_event_id
                            decoder.end()
                            error = ended or APIConnectionError(
                                "The event stream ended; reconnecting.", request=request
                            )
                        except httpx.HTTPError as exc:
                            if self._is_closed():
                                return
                            error = _transport_error(exc, request)
                finally:
                    await response.aclose()
                    self.response = None
            if self._is_closed():
                return
            delay = state.next_delay(error, client._random(), retry_after)
            client.logger.info("Event stream reconnecting in %.3f s after: %s", delay, error)
            await client._sleep(delay)
