"""The part of a client that is not I/O, shared by the sync and the async client: configuration,
URL and header building, the idempotency key, the retry decision and delay, error construction.
Each subclass has exactly one request loop (``_request``).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import random
import uuid
from typing import Any, Callable, Generic, Mapping, Sequence, TypeVar

import httpx

from ._exceptions import APIStatusError, decode_body
from ._exceptions import make_status_error as _make_status_error
from ._multipart import Multipart
from ._oauth import ClientCredentials
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientConfig,
    RequestOptions,
    RequestSpec,
    TimeoutTypes,
)
from ._response import APIResponse
from ._retry import (
    DEFAULT_MAX_RETRY_AFTER,
    is_retryable_method,
    parse_retry_after,
    retry_delay,
    should_retry_status,
)
from ._utils import (
    FORM_CONTENT_TYPE,
    build_path,
    build_query,
    cookie_header,
    encode_form_body,
    encode_json_body,
    env_value,
    format_scalar,
    is_json_media_type,
    merge_headers,
    user_agent,
)

__all__ = ["BaseClient"]

T = TypeVar("T")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)


class BaseClient(Generic[_HttpxClientT]):
    """Configuration and the pure parts of the request loop, shared by sync and async clients."""

    _client: _HttpxClientT

    def __init__(
        self,
        *,
        config: ClientConfig,
        base_url: str | httpx.URL | None = None,
        api_key: str | None = None,
        bearer_token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Sequence[str] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        default_headers: Mapping[str, str] | None = None,
        logger: logging.Logger | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._config = config
        resolved_base = (
            str(base_url)
            if base_url is not None
            else env_value(config.base_url_env) or config.default_base_url
        )
        self.base_url = resolved_base.rstrip("/")
        self.api_key = api_key if api_key is not None else env_value(config.api_key_env)
        self.bearer_token = (
            bearer_token if bearer_token is not None else env_value(config.bearer_token_env)
        )
        self.username = username if username is not None else env_value(config.username_env)
        self.password = password if password is not None else env_value(config.password_env)
        self.client_id = client_id if client_id is not None else env_value(config.client_id_env)
        self.client_secret = (
            client_secret if client_secret is not None else env_value(config.client_secret_env)
        )
        self.scopes = tuple(scopes) if scopes is not None else config.oauth2_scopes
        self._oauth: ClientCredentials | None = None
        # Client credentials stand in for a bearer token; one given explicitly wins.
        if (
            config.oauth2_token_url is not None
            and self.client_id is not None
            and self.client_secret is not None
            and bearer_token is None
        ):
            token_url = config.oauth2_token_url
            if "://" not in token_url:
                token_url = self.base_url + "/" + token_url.lstrip("/")
            self._oauth = ClientCredentials(
                token_url=token_url,
                client_id=self.client_id,
                client_secret=self.client_secret,
                scopes=self.scopes,
            )
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        """The longest ``Retry-After`` (seconds) waited for; a longer one is raised at once."""
        self.strict_response_validation = strict_response_validation
        """Raise :class:`APIResponseValidationError` for a 2xx body that does not match its type
        (default: decode it leniently, keeping what is there)."""
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self.logger = logger or logging.getLogger(config.sdk_name)
        self.user_agent = user_agent(config.sdk_name, config.sdk_version)
        # Per-call work kept off the hot path: the client's own header layer and its timeout as
        # an httpx.Timeout, rebuilt only when an attribute they derive from changes.
        self._client_layer_key: tuple[Any, ...] | None = None
        self._client_layer: tuple[dict[str, tuple[str, str]], tuple[str, ...]] = ({}, ())
        self._timeout_cache: tuple[TimeoutTypes, httpx.Timeout] | None = None

    # -- pure request building -------------------------------------------------------------

    def url_for(self, path: str, path_params: Mapping[str, Any] | None = None) -> str:
        """Base URL + path with its parameters percent-encoded. An operation with servers of its
        own has an absolute path (its server's URL), used as it is."""
        filled = build_path(path, path_params)
        if filled.startswith(("https://", "http://")):
            return filled
        return self.base_url + filled

    def build_url(
        self,
        path: str,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> str:
        """Base URL + path (parameters percent-encoded) + query; also for the WebSocket URL."""
        url = self.url_for(path, path_params)
        pairs = build_query(query)
        if pairs:
            url += "?" + str(httpx.QueryParams(pairs))
        return url

    def websocket_url(
        self,
        path: str,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> str:
        """:meth:`build_url` with the scheme turned into ``ws``/``wss``."""
        url = self.build_url(path, path_params, query)
        if url.startswith("https://"):
            return "wss://" + url[len("https://") :]
        if url.startswith("http://"):
            return "ws://" + url[len("http://") :]
        return url

    def websocket_headers(self) -> dict[str, str]:
        """Handshake headers for a WebSocket: auth, User-Agent and the default headers."""
        return merge_headers(
            self.auth_headers(), {"User-Agent": self.user_agent}, self.default_headers
        )

    def auth_headers(self) -> dict[str, str]:
        """``<api-key-header>: <key>`` or ``Authorization: Bearer <token>`` (the key wins);
        HTTP Basic credentials when given. An API key the API takes in the query or a cookie is
        not a header (see ``_build_request``)."""
        headers: dict[str, str] = {}
        if self.username is not None or self.password is not None:
            pair = f"{self.username or ''}:{self.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        if self.api_key and self._config.api_key_in is None:
            header = self._config.api_key_header
            if header:
                return {**headers, header: self.api_key}
            return {**headers, "Authorization": f"Bearer {self.api_key}"}
        if self.bearer_token:
            headers["Authorization"] = f"Bearer {self.bearer_token}"
        return headers

    def _oauth_invalidate(self, stale: str) -> None:
        if self._oauth is not None:
            self._oauth.invalidate(stale)

    def _idempotency_header(self, spec: RequestSpec) -> str | None:
        """The operation's declared idempotency header, else the client's (for a caller's key)."""
        return spec.idempotency_header or self._config.idempotency_header

    def _idempotency_key(self, spec: RequestSpec, options: RequestOptions) -> str | None:
        """The key of one logical request: the caller's, else a UUID when the operation declares
        an idempotency header (generated once here, reused by every retry). None otherwise: a
        server that ignores the header would apply a retry twice, so the request is not retried
        unless its method is safe."""
        header = self._idempotency_header(spec)
        if header is None:
            return None
        given = options.get("idempotency_key")
        if given:
            return given
        extra = options.get("headers")
        if extra or spec.headers:
            wanted = header.lower()
            for layer in (extra, spec.headers):
                for name, value in (layer or {}).items():
                    if value and name.lower() == wanted:
                        return value
        return str(uuid.uuid4()) if spec.idempotency_header else None

    def _build_headers(
        self,
        spec: RequestSpec,
        options: RequestOptions,
        idempotency_key: str | None,
        extra: Mapping[str, str | None] | None = None,
    ) -> dict[str, str]:
        # Layers, later ones winning case-insensitively (see merge_headers): Accept and
        # Content-Type, the client's layer (auth, User-Agent, default headers), the operation's
        # header and cookie parameters, the idempotency key, ``extra``, the per-request headers.
        merged: dict[str, tuple[str, str]] = {"accept": ("Accept", spec.accept)}
        # A multipart body's Content-Type (with its boundary) is set by httpx.
        if spec.body is not None and not isinstance(spec.body, Multipart):
            merged["content-type"] = ("Content-Type", spec.content_type or "application/json")
        client_layer, removed = self._client_headers()
        for name in removed:
            merged.pop(name, None)
        merged.update(client_layer)
        if spec.headers:
            for name, value in spec.headers.items():
                if value is not None:
                    merged[name.lower()] = (name, format_scalar(value))
        cookie = cookie_header(spec.cookies) if spec.cookies else None
        if cookie is not None:
            merged["cookie"] = ("Cookie", cookie)
        header = self._idempotency_header(spec)
        if idempotency_key and header:
            merged[header.lower()] = (header, idempotency_key)
        for layer in (extra, options.get("headers")):
            for name, maybe in (layer or {}).items():
                if maybe is None:
                    merged.pop(name.lower(), None)
                else:
                    merged[name.lower()] = (name, maybe)
        return dict(merged.values())

    def _client_headers(self) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
        """Auth, User-Agent and the default headers merged (lower-case name -> (name, value)),
        and the names a ``None`` default header removes; cached until one of the attributes they
        come from changes (callers may set them)."""
        key = (
            self.api_key,
            self.bearer_token,
            self.username,
            self.password,
            self.user_agent,
            tuple(self.default_headers.items()),
        )
        if key != self._client_layer_key:
            layer: dict[str, tuple[str, str]] = {}
            for name, value in self.auth_headers().items():
                layer[name.lower()] = (name, value)
            layer["user-agent"] = ("User-Agent", self.user_agent)
            removed: list[str] = []
            for name, maybe in self.default_headers.items():
                if maybe is None:  # outside the type, but merge_headers' rule: None removes
                    layer.pop(name.lower(), None)
                    removed.append(name.lower())
                else:
                    layer[name.lower()] = (name, maybe)
            self._client_layer = (layer, tuple(removed))
            self._client_layer_key = key
        return self._client_layer

    def _httpx_timeout(self, timeout: TimeoutTypes) -> httpx.Timeout:
        """``timeout`` as an httpx.Timeout (the client's own is built once)."""
        if isinstance(timeout, httpx.Timeout):
            return timeout
        cached = self._timeout_cache
        if cached is not None and cached[0] == timeout:
            return cached[1]
        built = httpx.Timeout(timeout)
        self._timeout_cache = (timeout, built)
        return built

    def _build_request(
        self,
        spec: RequestSpec,
        options: RequestOptions,
        idempotency_key: str | None,
        *,
        retries_taken: int = 0,
        extra_headers: Mapping[str, str | None] | None = None,
        access_token: str | None = None,
    ) -> httpx.Request:
        if access_token is not None:
            # An OAuth2 access token (client credentials) replaces other Authorization.
            extra_headers = {**(extra_headers or {}), "Authorization": f"Bearer {access_token}"}
        url = self.url_for(spec.path, spec.path_params)
        params = build_query(spec.query) + build_query(options.get("query"))
        if "?" in url:
            # A URL with a query of its own (a next-page link): httpx would replace it with
            # ``params``, so its pairs go first.
            url, _, own_query = url.partition("?")
            own: list[tuple[str, str | int | float | bool | None]] = list(
                httpx.QueryParams(own_query).multi_items()
            )
            params = own + params
        key_in = self._config.api_key_in if self.api_key else None
        if key_in is not None and key_in[0] == "query":
            params.append((key_in[1], self.api_key))
        if key_in is not None and key_in[0] == "cookie":
            spec = dataclasses.replace(
                spec, cookies={**(spec.cookies or {}), key_in[1]: self.api_key}
            )
        content: bytes | None
        timeout = options.get("timeout", self.timeout)
        if isinstance(spec.body, Multipart):
            data, files = spec.body.encode()
            return self._client.build_request(
                spec.method.upper(),
                url,
                params=params,
                headers=self._build_headers(spec, options, idempotency_key, extra_headers),
                data=data,
                files=files,
                timeout=self._httpx_timeout(timeout),
            )
        if spec.body is None:
            content = None
        elif isinstance(spec.body, bytes):
            content = spec.body
        elif isinstance(spec.body, str) and not is_json_media_type(spec.content_type):
            # Text; a JSON body whose schema is a string (an enum, base64 text) is quoted below.
            content = spec.body.encode()
        elif (spec.content_type or "").split(";")[0].strip().lower() == FORM_CONTENT_TYPE:
            content = encode_form_body(spec.body)
        else:
            content = encode_json_body(spec.body)
        return self._client.build_request(
            spec.method.upper(),
            url,
            params=params or None,
            headers=self._build_headers(spec, options, idempotency_key, extra_headers),
            content=content,
            timeout=self._httpx_timeout(timeout),
        )

    # -- pure retry logic -------------------------------------------------------------------

    def _should_retry(
        self,
        spec: RequestSpec,
        response: httpx.Response | None,
        *,
        has_idempotency_key: bool,
        retries_taken: int,
        max_retries: int,
    ) -> bool:
        """Whether to retry after ``response`` (``None``: a connection error or timeout). A
        ``Retry-After`` beyond :attr:`max_retry_after` is not waited for: the error is raised at
        once (with ``retry_after`` on it), never retried sooner than the server asked."""
        if retries_taken >= max_retries:
            return False
        if not is_retryable_method(spec.method, has_idempotency_key=has_idempotency_key):
            return False
        if response is None:
            return True
        if not should_retry_status(response.status_code, response.headers):
            return False
        hint = parse_retry_after(response.headers)
        return hint is None or hint <= self.max_retry_after

    def _retry_delay(self, retries_taken: int, response: httpx.Response | None) -> float:
        headers = response.headers if response is not None else None
        return retry_delay(retries_taken, headers, self._random())

    def _random(self) -> float:
        """Jitter source in [0, 1) (a seam for deterministic tests)."""
        return random.random()

    def _make_status_error(self, response: httpx.Response, spec: RequestSpec) -> APIStatusError:
        body = decode_body(response.content, response.headers)
        return _make_status_error(
            response.status_code, response.headers, body, response=response, errors=spec.errors
        )

    def _log_retry(
        self, request: httpx.Request, reason: str, delay: float, retries_taken: int
    ) -> None:
        self.logger.info(
            "Retrying %s %s after %s in %.3f s (retry %d)",
            request.method,
            request.url.copy_with(query=None),
            reason,
            delay,
            retries_taken + 1,
        )

    def _wrap_response(
        self,
        response: httpx.Response,
        cast_to: type[T],
        retries_taken: int,
        parser: Callable[[APIResponse[T]], T] | None = None,
    ) -> APIResponse[T]:
        return APIResponse(
            http_response=response,
            cast_to=cast_to,
            parser=parser,
            retries_taken=retries_taken,
            strict=self.strict_response_validation,
        )


def _spec(
    method: str,
    path: str,
    path_params: Mapping[str, Any] | None,
    query: Mapping[str, Any] | None,
    headers: Mapping[str, str | None] | None,
    body: Any,
    content_type: str | None,
    accept: str,
    errors: Mapping[str, Any] | None,
    cookies: Mapping[str, Any] | None = None,
    idempotency_header: str | None = None,
) -> RequestSpec:
    return RequestSpec(
        method=method,
        path=path,
        path_params=path_params,
        query=query,
        headers=headers,
        body=body,
        content_type=content_type,
        accept=accept,
        errors=errors,
        cookies=cookies,
        idempotency_header=idempotency_header,
    )
