"""The retry rule and the call idioms of the Python SDK against the real server.

Lost answers and a 503 are injected by an httpx transport wrapped around the real one: it sends
every request to the server and may hide the answer (the change is made, the client sees a
connection error) or replace it. The 429s come from the server's own rate limiter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pydantic
import pytest
from tka import AsyncTka, InternalServerError, NotGiven, RateLimitError, Tka, models

from server import KEY_A, Server

Fault = Callable[[httpx.Request, int], "str | httpx.Response | None"]


class FaultyTransport(httpx.BaseTransport):
    """Sends to the server; ``fault`` may lose the answer ("lose") or replace it."""

    def __init__(self, fault: Fault) -> None:
        self.inner = httpx.HTTPTransport()
        self.fault = fault
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        injected = self.fault(request, len(self.seen) - 1)
        if isinstance(injected, httpx.Response):
            return injected
        response = self.inner.handle_request(request)
        if injected == "lose":
            response.read()  # the server has answered: the change is made
            response.close()
            raise httpx.RemoteProtocolError("connection reset", request=request)
        return response

    def keys(self, method: str) -> list[str | None]:
        return [r.headers.get("idempotency-key") for r in self.seen if r.method == method]


def client_with(server: Server, transport: httpx.BaseTransport, **options: float) -> Tka:
    """A client whose backoff sleeps are skipped: the retry decisions are what is tested."""
    tka = Tka(
        base_url=server.url,
        api_key=KEY_A,
        max_retries=2,
        http_client=httpx.Client(transport=transport),
        **options,  # type: ignore[arg-type]
    )
    tka._sleep = lambda seconds: None  # type: ignore[method-assign]
    return tka


@pytest.fixture(scope="module")
def plain(server: Server) -> Iterator[Tka]:
    with Tka(base_url=server.url, api_key=KEY_A) as tka:
        yield tka


def test_a_put_whose_answer_was_lost_is_retried_with_its_key_one_history_entry(
    server: Server, plain: Tka
) -> None:
    seq = plain.sequences.create(name="Replace", length=2)
    transport = FaultyTransport(lambda r, i: "lose" if r.method == "PUT" and i == 0 else None)
    client = client_with(server, transport)
    replaced = client.beats.replace(seq.id, beats=[{"letter": "a"}, {"letter": "b"}])
    assert replaced.word == "AB"
    keys = transport.keys("PUT")
    assert len(keys) == 2 and keys[0] is not None and keys[0] == keys[1]
    history = plain.history.list(seq.id)
    assert [e.command for e in history.data] == [
        models.CommandKind.BEATS_REPLACE,
        models.CommandKind.SEQUENCE_CREATE,
    ]


def test_a_delete_whose_answer_was_lost_gets_the_replayed_success_not_a_404(
    server: Server, plain: Tka
) -> None:
    seq = plain.sequences.create(name="Gone")
    transport = FaultyTransport(lambda r, i: "lose" if r.method == "DELETE" and i == 0 else None)
    client = client_with(server, transport)
    raw = client.sequences.with_raw_response.delete(seq.id)
    assert raw.status_code == 200
    assert raw.headers.get("Idempotency-Replayed") == "true"
    assert raw.parse().id == seq.id
    assert len(set(transport.keys("DELETE"))) == 1


def test_a_patch_answered_503_is_retried_with_its_key_and_applied_once(
    server: Server, plain: Tka
) -> None:
    seq = plain.sequences.create(name="Patch")

    def unavailable(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            503,
            json={"code": "SERVICE_UNAVAILABLE"},
            headers={"Retry-After": "0"},
            request=request,
        )

    transport = FaultyTransport(
        lambda r, i: unavailable(r) if r.method == "PATCH" and i == 0 else None
    )
    patched = client_with(server, transport).sequences.update(seq.id, name="Patched")
    assert patched.name == "Patched"
    keys = transport.keys("PATCH")
    assert len(keys) == 2 and keys[0] == keys[1]
    history = plain.history.list(seq.id)
    assert [e.command for e in history.data].count(models.CommandKind.SEQUENCE_UPDATE) == 1
    always = FaultyTransport(lambda r, i: unavailable(r))
    with pytest.raises(InternalServerError):
        client_with(server, always).sequences.update(seq.id, name="Never", max_retries=0)


def test_a_patch_answered_429_is_retried_and_one_beyond_the_ceiling_raised_at_once() -> None:
    limited = Server(RATE_LIMIT="1/1")
    try:
        transport = FaultyTransport(lambda r, i: None)
        with Tka(
            base_url=limited.url,
            api_key=KEY_A,
            max_retries=3,
            http_client=httpx.Client(transport=transport),
        ) as client:
            seq = client.sequences.create(name="Limited")
            # Patch until one had to wait (on a slow machine the bucket may refill in between).
            patches = 0
            while patches < 6:
                client.sequences.update(seq.id, name=f"Name {patches}")
                patches += 1
                keys = transport.keys("PATCH")
                if len(keys) > len(set(keys)):
                    break
            keys = transport.keys("PATCH")
            assert len(keys) > len(set(keys)), "no PATCH was retried"
            history = client.history.list(seq.id, limit=10)
            updates = [e for e in history.data if e.command == models.CommandKind.SEQUENCE_UPDATE]
            assert len(updates) == patches
            # A ceiling of half a second: the same 429 (Retry-After: 1) is raised at once.
            strict = client.with_options(max_retry_after=0.5)
            caught: RateLimitError | None = None
            for i in range(5):
                try:
                    strict.sequences.update(seq.id, name=f"Strict {i}")
                except RateLimitError as error:
                    caught = error
                    break
            assert caught is not None
            assert caught.retry_after is not None and caught.retry_after >= 1
            assert caught.problem is not None
            assert caught.problem.code == models.ErrorCode.RATE_LIMITED
            strict_keys = transport.keys("PATCH")[len(keys) :]
            assert len(strict_keys) == len(set(strict_keys))  # none was sent twice
    finally:
        limited.stop()


def test_bodies_as_models_dicts_or_keyword_arguments(plain: Tka) -> None:
    by_model = plain.sequences.create(models.SequenceCreate(name="Model", length=1))
    by_dict = plain.sequences.create({"name": "Dict", "beats": [{"letter": "q"}]})
    by_keywords = plain.sequences.create(name="Keywords", beats=[models.BeatInput(letter="k")])
    assert (by_model.length, by_dict.word, by_keywords.word) == (1, "Q", "K")
    with pytest.raises(TypeError, match="not both"):
        plain.sequences.create(models.SequenceCreate(name="A"), name="B")  # type: ignore[call-overload]


def test_omit_null_and_a_value_are_three_states(plain: Tka) -> None:
    seq = plain.sequences.create(name="States", start_position="n")
    renamed = plain.sequences.update(seq.id, name="Renamed")  # start_position left out: kept
    assert (renamed.name, renamed.start_position) == ("Renamed", "n")
    cleared = plain.sequences.update(seq.id, start_position=None)  # null: cleared
    assert (cleared.name, cleared.start_position) == ("Renamed", None)
    patch = models.SequencePatch(start_position=None)
    assert isinstance(patch.name, NotGiven)
    assert patch.model_dump(by_alias=True, exclude_unset=True) == {"start_position": None}
    # `name` may not be null: the type checker refuses it (mypy --strict checks this file and
    # flags an unused ignore), and so does the model, before anything is sent.
    with pytest.raises(pydantic.ValidationError):
        models.SequencePatch(name=None)  # type: ignore[arg-type]


def test_per_request_keyword_options_and_with_options(server: Server, plain: Tka) -> None:
    seq = plain.sequences.create(name="Options")
    transport = FaultyTransport(lambda r, i: None)
    client = client_with(server, transport)
    client.sequences.get(seq.id, extra_headers={"X-Request-Id": "req_mine_0001"}, timeout=5.0)
    assert transport.seen[-1].headers["x-request-id"] == "req_mine_0001"
    client.sequences.update(seq.id, name="Keyed", idempotency_key="py-keyed-1")
    assert transport.seen[-1].headers["idempotency-key"] == "py-keyed-1"
    copy = client.with_options(timeout=2.0, max_retries=0)
    assert (copy.timeout, copy.max_retries, client.max_retries) == (2.0, 0, 2)
    assert copy.sequences.get(seq.id).name == "Keyed"


async def test_the_async_client_takes_the_same_idioms(server: Server) -> None:
    async with AsyncTka(base_url=server.url, api_key=KEY_A) as client:
        seq = await client.sequences.create(name="Async idioms", length=1)
        patched = await client.sequences.update(seq.id, {"name": "Async dict"}, timeout=10.0)
        assert patched.name == "Async dict"
        deleted = await client.with_options(max_retries=0).sequences.delete(seq.id)
        assert deleted.id == seq.id


def test_the_sync_client_watches_changes_over_the_websocket(plain: Tka) -> None:
    seq = plain.sequences.create(name="Sync live")
    seen: models.ChangeEvent | None = None
    with plain.events.connect_web_socket() as ws:
        ws.send({"type": "subscribe", "event_types": ["beat.added"], "sequence_ids": [seq.id]})
        for message in ws:
            if isinstance(message, models.WsSubscribedMessage):
                plain.beats.add(seq.id, letter="s")
            if isinstance(message, models.WsEventMessage):
                seen = message.event
                break
    assert isinstance(seen, models.BeatAddedEvent)
    assert seen.data.beat.letter == "S"
