"""The blocking WebSocket client: :class:`AsyncWebSocketClient` (reconnects, resubscribes with
the last event id, skips events already delivered) run on a private event loop in a background
thread, so synchronous code gets exactly the same behaviour."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any, Callable, Coroutine, Generic, Iterator, TypeVar

from ._websocket import AsyncWebSocketClient

__all__ = ["SyncWebSocketClient"]

S = TypeVar("S")
T = TypeVar("T")


class SyncWebSocketClient(Generic[S]):
    """``for message in ws`` yields every server message; ``ws.send(message)`` (from any thread)
    queues while disconnected; ``close()`` (or leaving ``with``) ends iteration and stops the
    background thread. ``make`` builds the async client inside that thread's loop."""

    def __init__(self, make: Callable[[], AsyncWebSocketClient[S]]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sdk-websocket", daemon=True
        )
        self._thread.start()
        self._stopped = False

        async def build() -> AsyncWebSocketClient[S]:
            return make()

        self._client = self._call(build())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._stopped

    @property
    def connected(self) -> bool:
        return self._client.connected

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event delivered."""
        return self._client.last_event_id

    def send(self, message: Any) -> None:
        """Send a client message (a mapping or model); see :meth:`AsyncWebSocketClient.send`."""
        self._call(self._client.send(message))

    def __iter__(self) -> Iterator[S]:
        return self

    def __next__(self) -> S:
        if self._stopped:
            raise StopIteration
        try:
            return self._call(self._client.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        """Close the connection for good and stop the background thread."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._call(self._client.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> SyncWebSocketClient[S]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
