"""The WHATWG SSE parser on edge cases."""

from __future__ import annotations

import pytest
from fakesdk._core import (
    APIEventValidationError,
    ServerSentEvent,
    SSEDecoder,
    event_decoder,
    json_decoder,
)


def parse(*chunks: bytes) -> list[ServerSentEvent]:
    return SSEDecoder().decode_all(chunks)


def every_split(payload: bytes) -> list[list[ServerSentEvent]]:
    results = [parse(payload)]
    for i in range(1, len(payload)):
        results.append(parse(payload[:i], payload[i:]))
    results.append(parse(*[payload[i : i + 1] for i in range(len(payload))]))
    return results


def test_fields_multiline_data_and_defaults() -> None:
    events = parse(b"event: add\ndata: a\ndata:  b\nid: 7\n\ndata: plain\n\n")
    assert events == [
        ServerSentEvent(event="add", data="a\n b", id="7"),
        ServerSentEvent(event="message", data="plain", id="7"),  # the id persists
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r", b"\r\n"])
def test_line_endings(newline: bytes) -> None:
    payload = newline.join([b"data: x", b"id: 1", b"", b"data: y", b"", b""])
    for events in every_split(payload):
        assert [(e.data, e.id) for e in events] == [("x", "1"), ("y", "1")]


def test_bom_comments_and_field_without_colon() -> None:
    payload = "\ufeff: keep-alive\ndata\ndata:é\n\n:another\n".encode()
    for events in every_split(payload):
        assert [e.data for e in events] == ["\né"]
    decoder = SSEDecoder()
    decoder.feed(payload)
    assert decoder.comments == 2


def test_bom_only_stripped_at_start() -> None:
    events = parse("data: a\n\n\ufeffdata: b\n\n".encode())
    assert [e.data for e in events] == ["a"]  # "\ufeffdata" is an unknown field


def test_retry_id_rules_and_unknown_fields() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"retry: 1500\nretry: x1\nfoo: bar\nid: a\0b\ndata: 1\n\n")
    assert decoder.retry == 1500
    assert events == [ServerSentEvent(data="1", id=None, retry=1500)]  # id with NUL ignored
    events = decoder.feed(b"id\ndata: 2\n\n")  # empty id resets
    assert events[0].id == ""


def test_id_only_message_updates_last_event_id_without_dispatch() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\n\n") == []
    assert decoder.last_event_id == "5"
    assert decoder.feed(b"event: x\n\n") == []  # no data: nothing dispatched, type reset
    assert decoder.feed(b"data: d\n\n")[0].event == "message"


def test_incomplete_message_at_end_is_discarded() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: done\n\ndata: partial\nid: 9") == [ServerSentEvent(data="done")]
    assert decoder.end() == []
    assert decoder.last_event_id is None


def test_utf8_split_inside_character() -> None:
    payload = "data: ünïcödé ✓\n\n".encode()
    for events in every_split(payload):
        assert [e.data for e in events] == ["ünïcödé ✓"]


def test_decoders() -> None:
    decode = json_decoder(lambda obj: obj["n"])
    assert decode(ServerSentEvent(data='{"n": 3}')) == 3
    assert decode(ServerSentEvent(data="")) is None
    by_event = event_decoder({"a": lambda obj: ("a", obj), "text": None})
    assert by_event(ServerSentEvent(event="a", data="1")) == ("a", 1)
    assert by_event(ServerSentEvent(event="text", data="not json")) == "not json"
    assert by_event(ServerSentEvent(event="b", data="1")) is None
    with_default = event_decoder({}, default=lambda obj: ("other", obj))
    assert with_default(ServerSentEvent(event="b", data="[2]")) == ("other", [2])


def test_json_events_that_are_not_json_raise_the_typed_error() -> None:
    for decode in (json_decoder(lambda obj: obj), event_decoder({"a": lambda obj: obj})):
        with pytest.raises(APIEventValidationError) as info:
            decode(ServerSentEvent(event="a", data="{cut"))
        assert info.value.body == "{cut"
