"""A WHATWG-conformant Server-Sent Events parser (https://html.spec.whatwg.org/#event-stream-interpretation).

It is incremental: feed it byte chunks split anywhere (inside a line, a CRLF pair or a UTF-8
character) and it returns the messages completed so far.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
from typing import Any, Callable, Iterable, Mapping, TypeVar

from ._exceptions import APIEventValidationError

__all__ = ["SSEDecoder", "ServerSentEvent", "event_decoder", "json_decoder"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched message."""

    event: str = "message"
    """The ``event`` field, ``"message"`` when absent."""
    data: str = ""
    """The ``data`` lines joined with ``\\n``."""
    id: str | None = None
    """The last event id in force when this message was dispatched (``None`` if never set)."""
    retry: int | None = None
    """A ``retry`` value (milliseconds) received since the previous message, if any."""

    def json(self) -> Any:
        return json.loads(self.data)


class SSEDecoder:
    """Incremental parser state for one connection (create a new one per connection, passing the
    last event id to carry it over)."""

    def __init__(self, *, last_event_id: str | None = None) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._started = False
        self._pending_cr = False
        self._data: list[str] = []
        self._event = ""
        self._id_buffer: str | None = last_event_id
        self._retry: int | None = None
        self.last_event_id: str | None = last_event_id
        """The last event id of a dispatched (completed) message, what ``Last-Event-ID`` sends."""
        self.retry: int | None = None
        """The latest ``retry`` value in milliseconds, if the server sent one."""
        self.comments: int = 0
        """How many comment lines were seen (keep-alives)."""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Parse a chunk of the body; returns the messages it completed."""
        return self.feed_text(self._decoder.decode(chunk))

    def feed_text(self, text: str) -> list[ServerSentEvent]:
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if text:
            if self._pending_cr and text.startswith("\n"):
                text = text[1:]
            self._pending_cr = False
        self._buffer += text
        events: list[ServerSentEvent] = []
        start = 0
        buffer = self._buffer
        length = len(buffer)
        while start < length:
            cr = buffer.find("\r", start)
            lf = buffer.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, next_start = lf, lf + 1
            else:
                end = cr
                if cr + 1 < length:
                    next_start = cr + 2 if buffer[cr + 1] == "\n" else cr + 1
                else:
                    next_start = cr + 1
                    self._pending_cr = True  # a LF starting the next chunk belongs to this CR
            event = self._process_line(buffer[start:end])
            if event is not None:
                events.append(event)
            start = next_start
        self._buffer = buffer[start:]
        return events

    def end(self) -> list[ServerSentEvent]:
        """The body ended: an incomplete message is discarded (per the spec)."""
        self.feed_text(self._decoder.decode(b"", final=True))
        self._buffer = ""
        self._data = []
        self._event = ""
        return []

    def _process_line(self, line: str) -> ServerSentEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
            self.retry = self._retry
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        self.last_event_id = self._id_buffer
        retry, self._retry = self._retry, None
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._id_buffer,
            retry=retry,
        )
        self._data = []
        self._event = ""
        return event

    def decode_all(self, chunks: Iterable[bytes]) -> list[ServerSentEvent]:
        """Parse a whole body given as chunks (convenience for tests and tools)."""
        events: list[ServerSentEvent] = []
        for chunk in chunks:
            events.extend(self.feed(chunk))
        events.extend(self.end())
        return events


def _json_of(event: ServerSentEvent) -> Any:
    try:
        return json.loads(event.data)
    except ValueError as exc:
        raise APIEventValidationError(
            f"An event's data is not valid JSON: {exc}", body=event.data
        ) from exc


def json_decoder(decode: Callable[[Any], T]) -> Callable[[ServerSentEvent], T | None]:
    """A stream decoder: each message's ``data`` parsed as JSON, then passed to ``decode`` (e.g.
    ``message_decoder(Event, strict=...)``). Messages with empty data are skipped; data that is
    not JSON raises :class:`APIEventValidationError`."""

    def run(event: ServerSentEvent) -> T | None:
        if not event.data:
            return None
        return decode(_json_of(event))

    return run


def event_decoder(
    decoders: Mapping[str, Callable[[Any], Any] | None],
    *,
    default: Callable[[Any], Any] | None = None,
) -> Callable[[ServerSentEvent], Any]:
    """A stream decoder choosing by the message's ``event`` name: its JSON ``data`` passed to that
    name's decoder, or the raw ``data`` text for a name mapped to ``None``; names without an
    entry use ``default``, or are skipped when there is none."""

    def run(event: ServerSentEvent) -> Any:
        if not event.data:
            return None
        if event.event in decoders:
            decode = decoders[event.event]
            if decode is None:
                return event.data
        else:
            decode = default
            if decode is None:
                return None
        return decode(_json_of(event))

    return run
