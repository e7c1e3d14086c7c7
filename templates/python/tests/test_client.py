"""The request loop against a real local server: headers, URLs, retries, idempotency, timeouts,
typed errors and raw responses (sync and async)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import platform
import time
from typing import Callable

import httpx
import pytest
from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer, eventually
from fakesdk import Color, FakeSDK, Item, ItemCreate, ItemPatch
from fakesdk._core import (
    APIConnectionError,
    APIResponse,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)

ITEM = {"id": "it_1", "name": "A", "color": "red"}

MakeClient = Callable[..., RecordingSDK]
MakeAsyncClient = Callable[..., AsyncRecordingSDK]


def ok_item(ex: Exchange) -> None:
    ex.respond(200, ITEM)


# -- headers, auth, URL ------------------------------------------------------------------------


def test_user_agent_accept_and_api_key(server: TestServer, make_client: MakeClient) -> None:
    server.on(ok_item)
    client = make_client(api_key="k1", bearer_token="t1", default_headers={"X-Extra": "1"})
    item = client.items.retrieve("it_1")
    assert item == Item(id="it_1", name="A", color=Color.RED)
    headers = server.requests[0].headers
    assert headers["user-agent"] == f"fake-sdk/1.2.3 python/{platform.python_version()}"
    assert headers["accept"] == "application/json"
    assert headers["x-api-key"] == "k1"  # the API key wins over the bearer token
    assert "authorization" not in headers
    assert headers["x-extra"] == "1"
    assert "content-type" not in headers  # no body


def test_bearer_token_and_env(
    server: TestServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on(ok_item)
    monkeypatch.setenv("FAKE_BEARER_TOKEN", "env-token")
    monkeypatch.setenv("FAKE_BASE_URL", server.url)
    client = make_client(api_key=None, base_url=None)
    client.items.retrieve("x")
    assert server.requests[0].headers["authorization"] == "Bearer env-token"
    assert "x-api-key" not in server.requests[0].headers
    monkeypatch.setenv("FAKE_API_KEY", "env-key")
    env_client = FakeSDK()
    assert env_client.api_key == "env-key"
    assert env_client.base_url == server.url
    env_client.close()


def test_per_request_headers_win_and_none_removes(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(ok_item)
    client = make_client(default_headers={"X-Extra": "default", "X-Gone": "1"})
    client.items.retrieve(
        "x",
        request_options={
            "headers": {"X-Extra": "mine", "x-gone": None, "User-Agent": "custom/1"},
        },
    )
    headers = server.requests[0].headers
    assert headers["x-extra"] == "mine"
    assert "x-gone" not in headers
    assert headers["user-agent"] == "custom/1"


def test_client_headers_follow_attribute_changes(
    server: TestServer, make_client: MakeClient
) -> None:
    # The client's own headers are cached between calls: setting an attribute must show at once.
    server.on(ok_item)
    client = make_client(api_key="k1", default_headers={"X-Extra": "1"})
    client.items.retrieve("x")
    client.api_key = "k2"
    client.default_headers["X-Extra"] = "2"
    client.default_headers["Accept"] = "application/vnd.custom+json"
    client.items.retrieve("x")
    client.api_key = None
    client.bearer_token = "t1"
    del client.default_headers["X-Extra"]
    client.items.retrieve("x")
    first, second, third = (r.headers for r in server.requests)
    assert (first["x-api-key"], first["x-extra"], first["accept"]) == (
        "k1",
        "1",
        "application/json",
    )
    assert (second["x-api-key"], second["x-extra"]) == ("k2", "2")
    assert second["accept"] == "application/vnd.custom+json"  # a default header wins over Accept
    assert "x-api-key" not in third and "x-extra" not in third
    assert third["authorization"] == "Bearer t1"


def test_a_changed_client_timeout_applies(server: TestServer, make_client: MakeClient) -> None:
    def slow(ex: Exchange) -> None:
        time.sleep(0.5)
        ex.respond(200, ITEM)

    server.on(slow)
    client = make_client(timeout=5.0, max_retries=0)
    assert client.items.retrieve("x").id == "it_1"
    client.timeout = 0.1
    with pytest.raises(APITimeoutError):
        client.items.retrieve("x")


def test_path_params_are_one_encoded_segment(server: TestServer, make_client: MakeClient) -> None:
    server.on(ok_item)
    make_client().items.retrieve("a/b c?d")
    assert server.requests[0].path == "/items/a%2Fb%20c%3Fd"


def test_query_building(make_client: MakeClient) -> None:
    client = make_client(base_url="http://h.example/api/")
    when = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone.utc)
    url = client.build_url(
        "/x/{id}",
        {"id": "1"},
        {
            "b": True,
            "a": ["x", "y"],
            "skip": None,
            "when": when,
            "c": Color.GREEN,
            "f": False,
            "n": 3,
        },
    )
    assert url == (
        "http://h.example/api/x/1?b=true&a=x&a=y&when=2026-11-22T12%3A00%3A00Z&c=green&f=false&n=3"
    )
    assert client.websocket_url("/ws") == "ws://h.example/api/ws"


def test_json_body_and_merge_patch(server: TestServer, make_client: MakeClient) -> None:
    server.on(ok_item)
    client = make_client()
    client.items.create(ItemCreate(name="A"))
    client.items.update("it_1", ItemPatch(color=None), if_match='"v1"')
    create, patch = server.requests
    assert create.headers["content-type"] == "application/json"
    assert create.json() == {"name": "A"}  # unset optional fields are not sent
    assert patch.method == "PATCH"
    assert patch.headers["content-type"] == "application/merge-patch+json"
    assert patch.headers["if-match"] == '"v1"'
    assert patch.json() == {"color": None}  # explicit null kept, absent stays absent


# -- retries ---------------------------------------------------------------------------------


def failing_then_ok(
    failures: int, status: int = 503, headers: dict[str, str] | None = None
) -> Callable[[Exchange], None]:
    def handle(ex: Exchange) -> None:
        if ex.index < failures:
            ex.problem(status, "UNAVAILABLE", headers)
        else:
            ex.respond(200, ITEM)

    return handle


def test_get_retried_on_5xx_with_backoff(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(2))
    client = make_client()
    assert client.items.retrieve("x").id == "it_1"
    assert len(server.requests) == 3
    assert client.sleeps == [0.5, 1.0]  # 0.5 s * 2^n, jitter factor 1.0


def test_retries_are_limited(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(10))
    client = make_client(max_retries=3)
    with pytest.raises(InternalServerError) as info:
        client.items.retrieve("x")
    assert len(server.requests) == 4
    assert client.sleeps == [0.5, 1.0, 2.0]
    assert info.value.status_code == 503
    # per-request override
    server.requests.clear()
    with pytest.raises(InternalServerError):
        client.items.retrieve("x", request_options={"max_retries": 0})
    assert len(server.requests) == 1


def test_backoff_is_capped_and_jittered() -> None:
    from fakesdk._core._retry import retry_delay

    assert retry_delay(10, None, 0.0) == 8.0
    assert retry_delay(0, None, 0.999999) == pytest.approx(0.375, rel=1e-3)
    assert retry_delay(3, None, 0.5) == pytest.approx(4.0 * 0.875)


def test_retry_after_seconds(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1, 429, {"Retry-After": "3"}))
    client = make_client()
    client.items.retrieve("x")
    assert client.sleeps == [3.0]


def test_retry_after_ms_wins(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1, 429, {"Retry-After": "3", "Retry-After-Ms": "250"}))
    client = make_client()
    client.items.retrieve("x")
    assert client.sleeps == [0.25]


def test_retry_after_http_date(server: TestServer, make_client: MakeClient) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    server.on(failing_then_ok(1, 503, {"Retry-After": when}))
    client = make_client()
    client.items.retrieve("x")
    assert len(client.sleeps) == 1
    assert 17.0 < client.sleeps[0] <= 20.0


def test_retry_after_beyond_the_ceiling_is_raised_at_once(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(failing_then_ok(2, 503, {"Retry-After": "120"}))
    client = make_client(max_retries=5)
    with pytest.raises(InternalServerError) as info:
        client.items.update("it_1", ItemPatch(name="B"))
    assert info.value.retry_after == 120.0
    assert len(server.requests) == 1 and client.sleeps == []
    server.requests.clear()
    server.on(failing_then_ok(1, 429, {"Retry-After": "61"}))
    with pytest.raises(RateLimitError) as limited:
        client.items.retrieve("x")
    assert limited.value.retry_after == 61.0 and len(server.requests) == 1
    # The ceiling is an option: raised to 2 minutes, the same answer is waited for.
    server.requests.clear()
    server.on(failing_then_ok(1, 503, {"Retry-After": "120"}))
    patient = make_client(max_retry_after=120.0)
    assert patient.items.retrieve("x").id == "it_1"
    assert patient.sleeps == [120.0]


def test_retry_after_zero_uses_backoff(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1, 503, {"Retry-After": "0"}))
    client = make_client()
    client.items.retrieve("x")
    assert client.sleeps == [0.5]


def test_409_retried_only_with_retry_after(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1, 409, {"Retry-After": "1"}))
    client = make_client()
    client.items.create(ItemCreate(name="A"))  # IDEMPOTENCY_KEY_IN_USE-like lock
    assert len(server.requests) == 2
    assert client.sleeps == [1.0]

    server.requests.clear()
    server.on(failing_then_ok(1, 409))  # a domain conflict: no Retry-After
    with pytest.raises(ConflictError) as info:
        client.items.create(ItemCreate(name="A"))
    assert len(server.requests) == 1
    assert info.value.code == "UNAVAILABLE"


def test_x_should_retry_overrides_status(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1, 400, {"x-should-retry": "true"}))
    client = make_client()
    client.items.retrieve("x")
    assert len(server.requests) == 2

    server.requests.clear()
    server.on(failing_then_ok(1, 503, {"x-should-retry": "false"}))
    with pytest.raises(InternalServerError):
        client.items.retrieve("x")
    assert len(server.requests) == 1


def test_connection_error_is_retried_then_raised(make_client: MakeClient) -> None:
    client = make_client(base_url="http://127.0.0.1:9", max_retries=2)  # nothing listens there
    with pytest.raises(APIConnectionError) as info:
        client.items.retrieve("x")
    assert not isinstance(info.value, APITimeoutError)
    assert client.sleeps == [0.5, 1.0]


def test_timeout_raises_api_timeout_error(server: TestServer, make_client: MakeClient) -> None:
    def slow(ex: Exchange) -> None:
        time.sleep(0.5)
        ex.respond(200, ITEM)

    server.on(slow)
    client = make_client(timeout=0.1, max_retries=1)
    with pytest.raises(APITimeoutError):
        client.items.retrieve("x")
    assert len(server.requests) == 2  # a timeout is retried
    assert isinstance(APITimeoutError(), APIConnectionError)
    # a per-request timeout overrides the client's
    server.requests.clear()
    assert client.items.retrieve("x", request_options={"timeout": 5.0}).id == "it_1"


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (412, PreconditionFailedError),
        (413, PayloadTooLargeError),
        (415, UnsupportedMediaTypeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_typed_errors(
    server: TestServer, make_client: MakeClient, status: int, cls: type[APIStatusError]
) -> None:
    server.on(lambda ex: ex.problem(status, "SOME_CODE"))
    client = make_client(max_retries=0)
    with pytest.raises(cls) as info:
        client.items.retrieve("x")
    err = info.value
    assert type(err) is cls
    assert err.status_code == status == err.status
    assert err.request_id == "req_0"  # the body's (here equal to the header's)
    assert err.code == "SOME_CODE"
    assert err.problem is not None and err.problem["detail"] == "detail of SOME_CODE"
    assert isinstance(err.body, dict)
    assert err.headers["content-type"] == "application/problem+json"
    assert "SOME_CODE" in str(err)


def test_rate_limit_error_retry_after_and_text_body(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(lambda ex: ex.problem(429, "RATE_LIMITED", {"Retry-After": "7"}))
    client = make_client(max_retries=0)
    with pytest.raises(RateLimitError) as info:
        client.items.retrieve("x")
    assert info.value.retry_after == 7.0

    server.on(lambda ex: ex.respond(502, "bad gateway", content_type="text/plain"))
    with pytest.raises(InternalServerError) as info2:
        client.items.retrieve("x")
    assert info2.value.body == "bad gateway"
    assert info2.value.problem is None and info2.value.code is None


# -- raw response ----------------------------------------------------------------------------


def test_raw_response(server: TestServer, make_client: MakeClient) -> None:
    server.on(failing_then_ok(1))
    client = make_client()
    raw = client.items.with_raw_response.retrieve("it_1")
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.request_id == "req_1"
    assert raw.headers["content-type"] == "application/json"
    assert raw.retries_taken == 1
    assert raw.parse() == Item(id="it_1", name="A", color=Color.RED)
    assert raw.parse() is raw.parse()
    # the flag does not leak into the next plain call
    assert isinstance(client.items.retrieve("it_1"), Item)


def test_delete_returns_none(server: TestServer, make_client: MakeClient) -> None:
    server.on(lambda ex: ex.respond(204))
    client = make_client()
    client.items.delete("it_1")  # returns None (typed `-> None`)
    raw = client.items.with_raw_response.delete("it_1")
    assert raw.status_code == 204 and raw.parse() is None


def test_injected_http_client(server: TestServer) -> None:
    server.on(ok_item)
    seen: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
    client = FakeSDK(base_url=server.url, api_key="k", http_client=http)
    client.items.retrieve("x")
    client.close()  # does not close an injected client
    assert not http.is_closed
    http.close()
    assert seen == [f"{server.url}/items/x"]


def test_mock_transport_unit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "m", "name": "mock", "extra_field": [1]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = FakeSDK(base_url="http://mock", api_key="k", http_client=http)
    item = client.items.retrieve("m")
    assert item.model_extra == {"extra_field": [1]}


# -- async -----------------------------------------------------------------------------------


async def test_async_retries_idempotency_and_raw(
    server: TestServer, make_async_client: MakeAsyncClient
) -> None:
    server.on(failing_then_ok(2))
    async with make_async_client() as client:
        item = await client.items.create(ItemCreate(name="A"))
        assert item.id == "it_1"
        keys = {r.headers["idempotency-key"] for r in server.requests}
        assert len(server.requests) == 3 and len(keys) == 1
        assert client.sleeps == [0.5, 1.0]
        raw = await client.items.with_raw_response.retrieve("it_1")
        assert raw.status_code == 200 and raw.parse().name == "A"
        assert raw.request_id == "req_3"


async def test_async_typed_error_and_timeout(
    server: TestServer, make_async_client: MakeAsyncClient
) -> None:
    server.on(lambda ex: ex.problem(404, "NOT_FOUND"))
    async with make_async_client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.items.retrieve("x")
        assert info.value.code == "NOT_FOUND" and info.value.request_id == "req_0"

    def slow(ex: Exchange) -> None:
        time.sleep(0.5)
        ex.respond(200, ITEM)

    server.on(slow)
    async with make_async_client(timeout=0.1, max_retries=0) as client:
        with pytest.raises(APITimeoutError):
            await client.items.retrieve("x")


async def test_async_cancellation_propagates(
    server: TestServer, make_async_client: MakeAsyncClient
) -> None:
    def slow(ex: Exchange) -> None:
        time.sleep(0.5)
        ex.respond(200, ITEM)

    server.on(slow)
    async with make_async_client() as client:
        task = asyncio.ensure_future(client.items.retrieve("x"))
        await eventually(lambda: server.requests)  # cancelled while the server answers
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(server.requests) == 1  # cancelled, not retried


async def test_async_cancellation_interrupts_backoff(server: TestServer) -> None:
    from fakesdk import AsyncFakeSDK

    server.on(failing_then_ok(5, 503, {"Retry-After": "30"}))
    async with AsyncFakeSDK(base_url=server.url, api_key="k") as client:
        task = asyncio.ensure_future(client.items.retrieve("x"))
        await eventually(lambda: server.requests)
        await asyncio.sleep(0.2)  # now sleeping 30 s before the retry
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 1.0
        assert len(server.requests) == 1
