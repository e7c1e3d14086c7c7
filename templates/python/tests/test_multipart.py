"""multipart/form-data bodies over the real local server: the request is parsed back with the
standard library's MIME parser, part by part (and resent whole on a retry)."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import io
import json
from typing import Any, Callable

from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer
from fakesdk._core import Multipart

MakeClient = Callable[..., RecordingSDK]
MakeAsyncClient = Callable[..., AsyncRecordingSDK]


def ok(ex: Exchange) -> None:
    ex.respond(200, {})


def parts(headers: dict[str, str], body: bytes) -> list[Any]:
    """The parts of a multipart body, as ``email`` messages."""
    head = f"Content-Type: {headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    assert message.is_multipart()
    return list(message.iter_parts())


def describe(part: Any) -> tuple[str | None, str | None, str, bytes]:
    return (
        part.get_param("name", header="content-disposition"),
        part.get_filename(),
        part.get_content_type(),
        part.get_payload(decode=True),
    )


def test_files_fields_lists_and_json_parts(server: TestServer, make_client: MakeClient) -> None:
    server.on(ok)
    client = make_client()
    body = Multipart(
        {
            "image": b"\x89PNG",
            "named": ("hello.txt", io.BytesIO(b"hello"), "text/plain"),
            "caption": "a cat",
            "width": 640,
            "tags": ["a", "b"],
            "crop": {"x": 1, "y": 2},
            "skipped": None,
        },
        {"image": "image/png"},
    )
    client.request("put", "/upload", cast_to=dict, body=body)
    request = server.requests[0]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    got = [describe(p) for p in parts(request.headers, request.body)]
    by_name: dict[str | None, list[tuple[str | None, str | None, str, bytes]]] = {}
    for entry in got:
        by_name.setdefault(entry[0], []).append(entry)
    assert by_name["image"] == [("image", "image", "image/png", b"\x89PNG")]
    assert by_name["named"] == [("named", "hello.txt", "text/plain", b"hello")]
    assert [e[3] for e in by_name["caption"]] == [b"a cat"]
    assert [e[3] for e in by_name["width"]] == [b"640"]
    assert [e[3] for e in by_name["tags"]] == [b"a", b"b"]
    (crop,) = by_name["crop"]
    assert crop[2] == "application/json"
    assert json.loads(crop[3]) == {"x": 1, "y": 2}
    assert "skipped" not in by_name


def test_a_retry_resends_the_same_parts(server: TestServer, make_client: MakeClient) -> None:
    server.on(lambda ex: ex.respond(503, {}) if ex.index == 0 else ok(ex))
    client = make_client()
    # A POST declaring an idempotency key carries a generated one, so it is retried.
    client.request(
        "post",
        "/upload",
        cast_to=dict,
        body=Multipart({"file": b"abc"}),
        idempotency_header="Idempotency-Key",
    )
    first, second = server.requests
    assert [describe(p)[3] for p in parts(first.headers, first.body)] == [b"abc"]
    assert [describe(p)[3] for p in parts(second.headers, second.body)] == [b"abc"]


def test_async_multipart(server: TestServer, make_async_client: MakeAsyncClient) -> None:
    server.on(ok)

    async def run() -> None:
        async with make_async_client() as client:
            await client.request("put", "/upload", cast_to=dict, body=Multipart({"f": b"x"}))

    asyncio.run(run())
    request = server.requests[0]
    assert [describe(p) for p in parts(request.headers, request.body)] == [
        ("f", "f", "application/octet-stream", b"x")
    ]
