"""Which requests are retried and which carry an idempotency key: only an operation that declares
an idempotency header (``RequestSpec.idempotency_header``) gets a generated key and is retried as
a mutation; otherwise only safe methods, or a call given a key by its caller."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Callable

import pytest
from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer
from fakesdk import CONFIG, ItemCreate, ItemPatch
from fakesdk._core import APIConnectionError, InternalServerError

ITEM = {"id": "it_1", "name": "A", "color": "red"}
MUTATIONS = ["post", "put", "patch", "delete"]

MakeClient = Callable[..., RecordingSDK]
MakeAsyncClient = Callable[..., AsyncRecordingSDK]


def failing_then_ok(failures: int, status: int = 503) -> Callable[[Exchange], None]:
    def handle(ex: Exchange) -> None:
        if ex.index < failures:
            ex.problem(status, "UNAVAILABLE")
        else:
            ex.respond(200, ITEM)

    return handle


@pytest.mark.parametrize("method", MUTATIONS)
def test_an_operation_without_a_declared_key_sends_none_and_is_not_retried(
    server: TestServer, make_client: MakeClient, method: str
) -> None:
    server.on(failing_then_ok(5))
    client = make_client()
    with pytest.raises(InternalServerError):
        client.request(method, "/plain", cast_to=dict, body={"a": 1})
    assert len(server.requests) == 1
    assert "idempotency-key" not in server.requests[0].headers
    assert client.sleeps == []


def test_nor_on_a_connection_error(make_client: MakeClient) -> None:
    client = make_client(base_url="http://127.0.0.1:9", max_retries=2)  # nothing listens there
    with pytest.raises(APIConnectionError):
        client.items.delete("it_1")
    assert client.sleeps == []
    # The same client retries an operation that declares a key.
    with pytest.raises(APIConnectionError):
        client.items.create(ItemCreate(name="A"))
    assert client.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("method", MUTATIONS)
def test_a_declared_key_is_generated_once_and_sent_on_every_retry(
    server: TestServer, make_client: MakeClient, method: str
) -> None:
    statuses = iter([429, 503])

    def handle(ex: Exchange) -> None:
        status = next(statuses, 200)
        ex.respond(status, ITEM if status == 200 else {"code": "X"})

    server.on(handle)
    client = make_client()
    client.request(
        method, "/plain", cast_to=dict, body={"a": 1}, idempotency_header="Idempotency-Key"
    )
    keys = [r.headers.get("idempotency-key") for r in server.requests]
    assert len(keys) == 3 and len(set(keys)) == 1 and keys[0] is not None
    assert uuid.UUID(keys[0]).version == 4


def test_the_generated_method_reuses_its_key_and_a_new_call_gets_a_new_one(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(failing_then_ok(2))
    client = make_client()
    client.items.create(ItemCreate(name="A"))
    keys = [r.headers["idempotency-key"] for r in server.requests]
    assert len(keys) == 3 and len(set(keys)) == 1
    client.items.create(ItemCreate(name="B"))
    assert server.requests[3].headers["idempotency-key"] != keys[0]


def test_the_declared_header_name_is_used(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1))
    client = make_client()
    client.request("post", "/plain", cast_to=dict, body={}, idempotency_header="X-Request-Key")
    first, second = server.requests
    assert uuid.UUID(first.headers["x-request-key"]).version == 4
    assert second.headers["x-request-key"] == first.headers["x-request-key"]
    assert "idempotency-key" not in first.headers


def test_a_callers_key_makes_any_operation_retryable(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(failing_then_ok(1))
    client = make_client()
    client.items.update("it_1", ItemPatch(name="B"), request_options={"idempotency_key": "k"})
    assert [r.headers["idempotency-key"] for r in server.requests] == ["k", "k"]
    # ... also given as a header; and a caller's key replaces a generated one.
    server.requests.clear()
    server.on(failing_then_ok(1))
    client.items.delete("it_1", request_options={"headers": {"Idempotency-Key": "h"}})
    assert [r.headers["idempotency-key"] for r in server.requests] == ["h", "h"]
    server.requests.clear()
    server.on(failing_then_ok(1))
    client.items.create(ItemCreate(name="A"), request_options={"idempotency_key": "mine"})
    assert [r.headers["idempotency-key"] for r in server.requests] == ["mine", "mine"]


def test_a_callers_key_goes_in_the_clients_header_or_the_declared_one(
    server: TestServer, make_client: MakeClient
) -> None:
    client = make_client()
    client._config = dataclasses.replace(CONFIG, idempotency_header="X-Key")
    server.on(failing_then_ok(1))
    client.request("post", "/plain", cast_to=dict, body={}, options={"idempotency_key": "a"})
    assert [r.headers.get("x-key") for r in server.requests] == ["a", "a"]
    server.requests.clear()
    server.on(failing_then_ok(1))
    client.request(
        "post",
        "/plain",
        cast_to=dict,
        body={},
        idempotency_header="Idempotency-Key",
        options={"idempotency_key": "b"},
    )
    assert [r.headers.get("idempotency-key") for r in server.requests] == ["b", "b"]
    assert all("x-key" not in r.headers for r in server.requests)
    # Without a client header, a caller's key on an operation declaring none is not sent.
    client._config = dataclasses.replace(CONFIG, idempotency_header=None)
    server.requests.clear()
    server.on(failing_then_ok(1))
    with pytest.raises(InternalServerError):
        client.request("post", "/plain", cast_to=dict, body={}, options={"idempotency_key": "c"})
    assert len(server.requests) == 1 and "idempotency-key" not in server.requests[0].headers


def test_get_carries_no_key_and_is_retried(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1))
    make_client().items.retrieve("x")
    assert len(server.requests) == 2
    assert all("idempotency-key" not in r.headers for r in server.requests)


async def test_async_declared_and_undeclared(
    server: TestServer, make_async_client: MakeAsyncClient
) -> None:
    server.on(failing_then_ok(2))
    async with make_async_client() as client:
        await client.items.create(ItemCreate(name="A"))
        keys = {r.headers["idempotency-key"] for r in server.requests}
        assert len(server.requests) == 3 and len(keys) == 1
        server.requests.clear()
        server.on(failing_then_ok(1))
        with pytest.raises(InternalServerError):
            await client.request("delete", "/items/it_1", cast_to=type(None))
        assert len(server.requests) == 1 and "idempotency-key" not in server.requests[0].headers
