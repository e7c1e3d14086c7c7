"""OAuth2 client credentials (RFC 6749 section 4.4): the access token is fetched from the API's
token URL with the client's id and secret, cached until shortly before it expires, fetched once
for concurrent callers, and fetched again once when the API answers 401 (see the clients'
request loops)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote_plus

import httpx

from ._exceptions import APIConnectionError, APIError

EXPIRY_MARGIN = 30.0
"""Seconds before the announced expiry a token is renewed (half its life when shorter)."""


class ClientCredentials:
    """The token state of one client: what to ask for, and the cached token."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scopes = tuple(scopes)
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def cached(self) -> str | None:
        """The cached token while it is valid, else ``None``."""
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    def invalidate(self, stale: str) -> None:
        """Forget ``stale`` (the token a 401 answered) so the next call fetches a new one."""
        if self._token == stale:
            self._token = None

    def build_request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The token request: a form POST, the client authenticated with HTTP Basic of its
        form-encoded id and secret (client_secret_basic, RFC 6749 section 2.3.1)."""
        form = {"grant_type": "client_credentials"}
        if self._scopes:
            form["scope"] = " ".join(self._scopes)
        pair = f"{quote_plus(self._client_id)}:{quote_plus(self._client_secret)}".encode()
        return client.build_request(
            "POST",
            self.token_url,
            data=form,
            headers={
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
            },
        )

    def started(self) -> float:
        return self._clock()

    def accept(self, response: httpx.Response, started: float) -> str:
        """Reads the token endpoint's answer (body already read), caches and returns the token;
        raises :class:`APIError` with the endpoint's ``error`` when there is no token."""
        body: Any = None
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        token = body.get("access_token")
        if not response.is_success or not isinstance(token, str) or not token:
            error = body.get("error")
            if isinstance(error, str):
                detail = body.get("error_description")
                why = f"{error}: {detail}" if isinstance(detail, str) else error
            elif response.is_success:
                why = "no access_token in the answer"
            else:
                why = f"status {response.status_code}"
            raise APIError(f"OAuth2 token request to {self.token_url} failed ({why})")
        expires_in = body.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else float("inf")
        )
        self._token = token
        self._expires_at = started + lifetime - min(EXPIRY_MARGIN, lifetime / 2)
        return token

    def connection_error(self, exc: Exception) -> APIConnectionError:
        return APIConnectionError(f"OAuth2 token request to {self.token_url} failed: {exc}")
