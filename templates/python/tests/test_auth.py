"""Credentials where the API declares them: HTTP Basic, an API key in the query or a cookie,
OAuth2 client credentials against a real local token endpoint."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs

import pytest
from conftest import Exchange, TestServer
from fakesdk._core import (
    APIError,
    AsyncAPIClient,
    AuthenticationError,
    ClientConfig,
    SyncAPIClient,
)


def ok(ex: Exchange) -> None:
    ex.respond(200, {})


def client(server: TestServer, **kwargs: object) -> SyncAPIClient:
    config = ClientConfig(
        sdk_name="t",
        sdk_version="1",
        default_base_url=server.url,
        api_key_in=kwargs.pop("api_key_in", None),  # type: ignore[arg-type]
    )
    return SyncAPIClient(config=config, **kwargs)  # type: ignore[arg-type]


def test_basic_credentials(server: TestServer) -> None:
    server.on(ok)
    client(server, username="ünï", password="p:w").request("get", "/a", cast_to=dict)
    expected = "Basic " + base64.b64encode("ünï:p:w".encode()).decode()
    assert server.requests[0].headers["authorization"] == expected


def test_api_key_in_the_query(server: TestServer) -> None:
    server.on(ok)
    c = client(server, api_key="s3cr3t key", api_key_in=("query", "api_key"))
    c.request("get", "/b", cast_to=dict, query={"q": "x"})
    request = server.requests[0]
    assert request.query == {"q": ["x"], "api_key": ["s3cr3t key"]}
    assert "authorization" not in request.headers


def test_api_key_in_a_cookie(server: TestServer) -> None:
    server.on(ok)
    c = client(server, api_key="k1", api_key_in=("cookie", "session"))
    c.request("get", "/c", cast_to=dict, cookies={"theme": "dark"})
    assert server.requests[0].headers["cookie"] == "theme=dark; session=k1"


class TokenServer:
    """The API and its token endpoint on one test server: tokens tok1, tok2, ... and revocation."""

    def __init__(self, server: TestServer, expires_in: float | None = 3600) -> None:
        self.issued = 0
        self.revoked: set[str] = set()
        self.expires_in = expires_in
        self.token_requests: list[Exchange] = []
        self.api_calls: list[str | None] = []
        server.on(self.handle)

    def handle(self, ex: Exchange) -> None:
        if ex.request.path == "/oauth/token":
            self.token_requests.append(ex)
            good = "Basic " + base64.b64encode(b"my+id:s3cr%C3%A9t").decode()
            if ex.request.headers.get("authorization") != good:
                ex.respond(401, {"error": "invalid_client", "error_description": "unknown client"})
                return
            self.issued += 1
            body: dict[str, object] = {"access_token": f"tok{self.issued}", "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            ex.respond(200, body)
            return
        auth = ex.request.headers.get("authorization")
        self.api_calls.append(auth)
        token = (auth or "").removeprefix("Bearer ")
        ok = token.startswith("tok") and token not in self.revoked
        ex.respond(200 if ok else 401, {"ok": True} if ok else {})


def oauth_config(server: TestServer, scopes: tuple[str, ...] = ()) -> ClientConfig:
    return ClientConfig(
        sdk_name="t",
        sdk_version="1",
        default_base_url=server.url,
        oauth2_token_url="/oauth/token",
        oauth2_scopes=scopes,
    )


def test_client_credentials_fetched_once_and_cached(server: TestServer) -> None:
    api = TokenServer(server)
    c = SyncAPIClient(
        config=oauth_config(server, ("read:a", "write:a")),
        client_id="my id",
        client_secret="s3crét",
    )
    c.request("get", "/x", cast_to=dict)
    c.request("post", "/y", cast_to=dict)
    assert len(api.token_requests) == 1
    form = parse_qs(api.token_requests[0].request.body.decode())
    assert form == {"grant_type": ["client_credentials"], "scope": ["read:a write:a"]}
    assert api.api_calls == ["Bearer tok1", "Bearer tok1"]


def test_client_credentials_renewed_once_on_401(server: TestServer) -> None:
    api = TokenServer(server)
    c = SyncAPIClient(
        config=oauth_config(server), client_id="my id", client_secret="s3crét", max_retries=0
    )
    c.request("get", "/x", cast_to=dict)
    api.revoked.add("tok1")
    assert c.request("post", "/y", cast_to=dict) == {"ok": True}
    assert api.api_calls == ["Bearer tok1", "Bearer tok1", "Bearer tok2"]
    api.revoked.update({"tok2", "tok3"})
    with pytest.raises(AuthenticationError):
        c.request("get", "/z", cast_to=dict)
    assert len(api.token_requests) == 3


def test_client_credentials_renewed_before_expiry(server: TestServer) -> None:
    api = TokenServer(server, expires_in=0)
    c = SyncAPIClient(config=oauth_config(server), client_id="my id", client_secret="s3crét")
    c.request("get", "/x", cast_to=dict)
    c.request("get", "/x", cast_to=dict)
    assert api.api_calls == ["Bearer tok1", "Bearer tok2"]


def test_token_endpoint_error_and_explicit_bearer(server: TestServer) -> None:
    api = TokenServer(server)
    bad = SyncAPIClient(config=oauth_config(server), client_id="other", client_secret="x")
    with pytest.raises(APIError, match="invalid_client: unknown client"):
        bad.request("get", "/x", cast_to=dict)
    assert api.api_calls == []
    explicit = SyncAPIClient(
        config=oauth_config(server), client_id="my id", client_secret="s3crét", bearer_token="tok9"
    )
    explicit.request("get", "/x", cast_to=dict)
    assert api.api_calls == ["Bearer tok9"]


async def test_async_client_credentials_shared_between_tasks(server: TestServer) -> None:
    api = TokenServer(server)
    c = AsyncAPIClient(config=oauth_config(server), client_id="my id", client_secret="s3crét")
    await asyncio.gather(*(c.request("get", "/x", cast_to=dict) for _ in range(3)))
    api.revoked.add("tok1")
    await c.request("get", "/x", cast_to=dict)
    assert len(api.token_requests) == 2
    assert api.api_calls == ["Bearer tok1"] * 4 + ["Bearer tok2"]
    await c.close()
