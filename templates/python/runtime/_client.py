"""The client bases: :class:`SyncAPIClient` and :class:`AsyncAPIClient` over httpx.

Everything that is not I/O (configuration, URL and header building, the retry decision and delay,
error construction) lives in :class:`BaseClient` and the pure modules; each subclass has exactly one
request loop (``_request``).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import random
import threading
import time
import uuid
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Generic,
    Mapping,
    Sequence,
    TypedDict,
    TypeVar,
    cast,
)

import httpx

from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError, decode_body
from ._exceptions import make_status_error as _make_status_error
from ._models import NOT_GIVEN, NotGiven
from ._multipart import Multipart
from ._oauth import ClientCredentials
from ._response import APIResponse, _take_raw_response_flag
from ._retry import (
    DEFAULT_MAX_RETRY_AFTER,
    is_retryable_method,
    is_safe_method,
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

if TYPE_CHECKING:
    from ._pagination import (
        AsyncCursorPage,
        AsyncPageRequest,
        PageFields,
        PageStyle,
        SyncCursorPage,
    )
    from ._sse import ServerSentEvent
    from ._streaming import AsyncEventStream, SyncEventStream

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_KEY_HEADER",
    "AsyncAPIClient",
    "BaseClient",
    "ClientConfig",
    "RequestOptions",
    "RequestSpec",
    "SyncAPIClient",
    "request_options",
]

T = TypeVar("T")
Item = TypeVar("Item")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)

DEFAULT_TIMEOUT = 60.0
"""Seconds per attempt (connect, each read, write, pool)."""
DEFAULT_MAX_RETRIES = 2
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"

TimeoutTypes = float | httpx.Timeout | None
"""Seconds, an ``httpx.Timeout``, or ``None`` for no timeout."""


@dataclasses.dataclass(frozen=True)
class ClientConfig:
    """What generated code supplies about the API (nothing API-specific is in the runtime)."""

    sdk_name: str
    """E.g. ``"tka-sdk"``; first part of the User-Agent and the default logger name."""
    sdk_version: str
    default_base_url: str
    api_key_header: str | None = None
    """Header an API key is sent in (e.g. ``"X-API-Key"``); ``None`` sends it as a bearer token."""
    api_key_env: str | None = None
    """Environment variable read when no ``api_key`` is given."""
    bearer_token_env: str | None = None
    base_url_env: str | None = None
    api_key_in: tuple[str, str] | None = None
    """Where the API key goes when the API takes it in the query or a cookie: ``("query",
    name)`` or ``("cookie", name)``; ``None`` sends it in ``api_key_header``."""
    username_env: str | None = None
    """Environment variables of HTTP Basic credentials, read when none are given."""
    password_env: str | None = None
    oauth2_token_url: str | None = None
    """The token URL of the API's OAuth2 client-credentials flow (relative: to the base URL)."""
    oauth2_scopes: tuple[str, ...] = ()
    """Scopes requested by default with client credentials."""
    client_id_env: str | None = None
    """Environment variables of the client credentials, read when none are given."""
    client_secret_env: str | None = None
    idempotency_header: str | None = IDEMPOTENCY_KEY_HEADER
    """The header every non-GET request carries a key in (generated once per call, reused by
    its retries); ``None`` sends none, and then only GET, HEAD and OPTIONS are retried."""


class RequestOptions(TypedDict, total=False):
    """Per-request options (the last argument of every generated method); they override the
    client's."""

    timeout: TimeoutTypes
    max_retries: int
    headers: Mapping[str, str | None]
    """Extra headers; they win over all others, and ``None`` removes a header."""
    query: Mapping[str, Any]
    """Extra query parameters, appended after the operation's."""
    idempotency_key: str
    """The ``Idempotency-Key`` to send (instead of a generated one)."""


def request_options(
    *,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    max_retries: int | NotGiven = NOT_GIVEN,
    extra_headers: Mapping[str, str | None] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> RequestOptions | None:
    """The per-request keyword options of a generated method as :class:`RequestOptions` (``None``
    when none is given, the common case)."""
    options: RequestOptions = {}
    if not isinstance(timeout, NotGiven):
        options["timeout"] = timeout
    if not isinstance(max_retries, NotGiven):
        options["max_retries"] = max_retries
    if extra_headers:
        options["headers"] = extra_headers
    if extra_query:
        options["query"] = extra_query
    if idempotency_key is not None:
        options["idempotency_key"] = idempotency_key
    return options or None


@dataclasses.dataclass(frozen=True)
class RequestSpec:
    """One operation call as generated code describes it."""

    method: str
    path: str
    """Path template with ``{name}`` placeholders."""
    path_params: Mapping[str, Any] | None = None
    query: Mapping[str, Any] | None = None
    """In declaration order; see ``_utils.build_query``."""
    headers: Mapping[str, Any] | None = None
    """Header parameters of the operation (``None`` values are skipped; other scalars are sent as
    text, like query values: ``true``/``false``, numbers, RFC 3339 date-times)."""
    body: Any = None
    """``bytes``/``str`` are sent as is; anything else is form-encoded when ``content_type`` is
    ``application/x-www-form-urlencoded`` and JSON-serialised otherwise; ``None`` means no body."""
    content_type: str | None = None
    """Defaults to ``application/json`` when there is a body."""
    accept: str = "application/json"
    cookies: Mapping[str, Any] | None = None
    """Cookie parameters of the operation, sent as one ``Cookie`` header (``None`` skipped)."""
    errors: Mapping[str, Any] | None = None
    """The error bodies the operation declares: status (``"404"``, ``"4XX"``, ``"default"``) to
    the type its JSON body decodes to (the error's ``problem``). ``None``: any problem+json body
    stays a dict."""

    def with_query(self, query: Mapping[str, Any]) -> RequestSpec:
        return dataclasses.replace(self, query=query)


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

    def _idempotency_key(self, spec: RequestSpec, options: RequestOptions) -> str | None:
        """The key of one logical request: the caller's, else a UUID for every non-GET request
        (generated once here, reused by every retry)."""
        header = self._config.idempotency_header
        if header is None:
            return None
        given = options.get("idempotency_key")
        if given:
            return given
        for layer in (options.get("headers"), spec.headers):
            for name, value in (layer or {}).items():
                if name.lower() == header.lower() and value:
                    return value
        return None if is_safe_method(spec.method) else str(uuid.uuid4())

    def _build_headers(
        self,
        spec: RequestSpec,
        options: RequestOptions,
        idempotency_key: str | None,
        extra: Mapping[str, str | None] | None = None,
    ) -> dict[str, str]:
        base: dict[str, str | None] = {"Accept": spec.accept}
        # A multipart body's Content-Type (with its boundary) is set by httpx.
        if spec.body is not None and not isinstance(spec.body, Multipart):
            base["Content-Type"] = spec.content_type or "application/json"
        base.update(self.auth_headers())
        base["User-Agent"] = self.user_agent
        operation = {k: format_scalar(v) for k, v in (spec.headers or {}).items() if v is not None}
        cookie = cookie_header(spec.cookies)
        if cookie is not None:
            operation["Cookie"] = cookie
        header = self._config.idempotency_header
        key_header = {header: idempotency_key} if idempotency_key and header else None
        return merge_headers(
            base, self.default_headers, operation, key_header, extra, options.get("headers")
        )

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
                timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
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
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
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
    )


class SyncAPIClient(BaseClient[httpx.Client]):
    """Base of the generated synchronous client."""

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
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            config=config,
            base_url=base_url,
            api_key=api_key,
            bearer_token=bearer_token,
            username=username,
            password=password,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            default_headers=default_headers,
            logger=logger,
            strict_response_validation=strict_response_validation,
        )
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(follow_redirects=True)
        self._oauth_lock = threading.Lock()

    def _access_token(self) -> str | None:
        """The OAuth2 access token (cached, else fetched once for all threads), or ``None``."""
        oauth = self._oauth
        if oauth is None:
            return None
        with self._oauth_lock:
            cached = oauth.cached()
            if cached is not None:
                return cached
            started = oauth.started()
            try:
                response = self._client.send(oauth.build_request(self._client))
            except httpx.HTTPError as exc:
                raise oauth.connection_error(exc) from exc
            return oauth.accept(response, started)

    def _sleep(self, seconds: float) -> None:
        """Backoff sleep (a seam for tests)."""
        if seconds > 0:
            time.sleep(seconds)

    def close(self) -> None:
        """Close the HTTP connection pool (unless the ``http_client`` was injected)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self: _SyncSelf) -> _SyncSelf:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the request loop -------------------------------------------------------------------

    def _request(
        self, spec: RequestSpec, options: RequestOptions | None
    ) -> tuple[httpx.Response, int]:
        """Send ``spec`` with retries; returns the 2xx response (body read) and retries taken."""
        opts: RequestOptions = options or {}
        max_retries = opts.get("max_retries", self.max_retries)
        key = self._idempotency_key(spec, opts)
        retries_taken = 0
        token = self._access_token()
        renewed = False
        while True:
            request = self._build_request(
                spec, opts, key, retries_taken=retries_taken, access_token=token
            )
            # The URL without its query is built only when debug logging is on (a hot path).
            debug = self.logger.isEnabledFor(logging.DEBUG)
            if debug:
                self.logger.debug("%s %s", request.method, request.url.copy_with(query=None))
            try:
                response = self._client.send(request, stream=True)
                try:
                    response.read()
                finally:
                    response.close()
            except httpx.TimeoutException as exc:
                if self._should_retry(
                    spec,
                    None,
                    has_idempotency_key=key is not None,
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                ):
                    delay = self._retry_delay(retries_taken, None)
                    self._log_retry(request, "a timeout", delay, retries_taken)
                    self._sleep(delay)
                    retries_taken += 1
                    continue
                raise APITimeoutError(request=request) from exc
            except httpx.HTTPError as exc:
                if self._should_retry(
                    spec,
                    None,
                    has_idempotency_key=key is not None,
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                ):
                    delay = self._retry_delay(retries_taken, None)
                    self._log_retry(request, f"a connection error ({exc!r})", delay, retries_taken)
                    self._sleep(delay)
                    retries_taken += 1
                    continue
                raise APIConnectionError(f"Connection error: {exc}", request=request) from exc
            if debug:
                self.logger.debug(
                    "%s %s -> %d",
                    request.method,
                    request.url.copy_with(query=None),
                    response.status_code,
                )
            if response.is_success:
                return response, retries_taken
            if response.status_code == 401 and token is not None and not renewed:
                # The token was revoked or expired early: one new token, one more attempt (a
                # 401 was not acted on, so even a non-idempotent request may be sent again).
                renewed = True
                self._oauth_invalidate(token)
                token = self._access_token()
                continue
            if self._should_retry(
                spec,
                response,
                has_idempotency_key=key is not None,
                retries_taken=retries_taken,
                max_retries=max_retries,
            ):
                delay = self._retry_delay(retries_taken, response)
                self._log_retry(request, f"status {response.status_code}", delay, retries_taken)
                self._sleep(delay)
                retries_taken += 1
                continue
            raise self._make_status_error(response, spec)

    # -- what generated methods call ----------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
        errors: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send one operation and return its body parsed as ``cast_to`` (the
        :class:`APIResponse` instead when called through ``to_raw_response_wrapper``)."""
        raw = _take_raw_response_flag()
        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            body,
            content_type,
            accept,
            errors,
            cookies=cookies,
        )
        response, retries_taken = self._request(spec, options)
        api_response = self._wrap_response(response, cast_to, retries_taken)
        return cast(T, api_response) if raw else api_response.parse()

    def request_page(
        self,
        method: str,
        path: str,
        *,
        item: type[Item],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        errors: Mapping[str, Any] | None = None,
        cursor_param: str = "cursor",
        page_fields: PageFields | None = None,
        page_style: PageStyle | None = None,
        options: RequestOptions | None = None,
    ) -> SyncCursorPage[Item]:
        """Fetch the first page of a cursor-paginated operation. Iterating the page yields every
        item across all pages; see :class:`SyncCursorPage`."""
        from ._pagination import (
            DEFAULT_PAGE_FIELDS,
            DEFAULT_PAGE_STYLE,
            SyncCursorPage,
            fetch_page_spec,
        )

        raw = _take_raw_response_flag()
        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            body,
            content_type,
            "application/json",
            errors,
            cookies=cookies,
        )

        def fetch(page_spec: RequestSpec) -> APIResponse[SyncCursorPage[Item]]:
            response, retries_taken = self._request(page_spec, options)
            page_type = cast("type[SyncCursorPage[Item]]", SyncCursorPage)
            return self._wrap_response(
                response,
                page_type,
                retries_taken,
                parser=lambda r: SyncCursorPage.from_response(
                    r,
                    item=item,
                    spec=page_spec,
                    cursor_param=cursor_param,
                    fields=page_fields or DEFAULT_PAGE_FIELDS,
                    style=page_style or DEFAULT_PAGE_STYLE,
                    fetch=fetch,
                ),
            )

        first = fetch(fetch_page_spec(spec, None, cursor_param))
        return cast("SyncCursorPage[Item]", first) if raw else first.parse()

    def request_stream(
        self,
        method: str,
        path: str,
        *,
        decode: Callable[[ServerSentEvent], T | None],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        last_event_id: str | None = None,
        errors: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        initial_reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
        max_reconnect_attempts: int | None = None,
    ) -> SyncEventStream[T]:
        """An SSE stream (connects on first iteration). ``decode`` turns each message into a
        ``T`` (``None`` skips it); see :class:`SyncEventStream`."""
        from ._streaming import SyncEventStream

        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            None,
            None,
            "text/event-stream",
            errors,
            cookies=cookies,
        )
        return SyncEventStream(
            client=self,
            spec=spec,
            options=options or {},
            decode=decode,
            last_event_id=last_event_id,
            initial_reconnect_delay=initial_reconnect_delay,
            max_reconnect_delay=max_reconnect_delay,
            max_reconnect_attempts=max_reconnect_attempts,
        )


class AsyncAPIClient(BaseClient[httpx.AsyncClient]):
    """Base of the generated asynchronous client. Cancelling the calling task cancels the request
    (and any backoff sleep); ``asyncio.CancelledError`` propagates unchanged."""

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
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            config=config,
            base_url=base_url,
            api_key=api_key,
            bearer_token=bearer_token,
            username=username,
            password=password,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_after=max_retry_after,
            default_headers=default_headers,
            logger=logger,
            strict_response_validation=strict_response_validation,
        )
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(follow_redirects=True)
        self._oauth_lock = asyncio.Lock()

    async def _access_token(self) -> str | None:
        """The OAuth2 access token (cached, else fetched once for all tasks), or ``None``."""
        oauth = self._oauth
        if oauth is None:
            return None
        async with self._oauth_lock:
            cached = oauth.cached()
            if cached is not None:
                return cached
            started = oauth.started()
            try:
                response = await self._client.send(oauth.build_request(self._client))
            except httpx.HTTPError as exc:
                raise oauth.connection_error(exc) from exc
            return oauth.accept(response, started)

    async def _sleep(self, seconds: float) -> None:
        """Backoff sleep (a seam for tests)."""
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def close(self) -> None:
        """Close the HTTP connection pool (unless the ``http_client`` was injected)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self: _AsyncSelf) -> _AsyncSelf:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- the request loop -------------------------------------------------------------------

    async def _request(
        self, spec: RequestSpec, options: RequestOptions | None
    ) -> tuple[httpx.Response, int]:
        """Send ``spec`` with retries; returns the 2xx response (body read) and retries taken."""
        opts: RequestOptions = options or {}
        max_retries = opts.get("max_retries", self.max_retries)
        key = self._idempotency_key(spec, opts)
        retries_taken = 0
        token = await self._access_token()
        renewed = False
        while True:
            request = self._build_request(
                spec, opts, key, retries_taken=retries_taken, access_token=token
            )
            # The URL without its query is built only when debug logging is on (a hot path).
            debug = self.logger.isEnabledFor(logging.DEBUG)
            if debug:
                self.logger.debug("%s %s", request.method, request.url.copy_with(query=None))
            try:
                response = await self._client.send(request, stream=True)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            except httpx.TimeoutException as exc:
                if self._should_retry(
                    spec,
                    None,
                    has_idempotency_key=key is not None,
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                ):
                    delay = self._retry_delay(retries_taken, None)
                    self._log_retry(request, "a timeout", delay, retries_taken)
                    await self._sleep(delay)
                    retries_taken += 1
                    continue
                raise APITimeoutError(request=request) from exc
            except httpx.HTTPError as exc:
                if self._should_retry(
                    spec,
                    None,
                    has_idempotency_key=key is not None,
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                ):
                    delay = self._retry_delay(retries_taken, None)
                    self._log_retry(request, f"a connection error ({exc!r})", delay, retries_taken)
                    await self._sleep(delay)
                    retries_taken += 1
                    continue
                raise APIConnectionError(f"Connection error: {exc}", request=request) from exc
            if debug:
                self.logger.debug(
                    "%s %s -> %d",
                    request.method,
                    request.url.copy_with(query=None),
                    response.status_code,
                )
            if response.is_success:
                return response, retries_taken
            if response.status_code == 401 and token is not None and not renewed:
                # The token was revoked or expired early: one new token, one more attempt (a
                # 401 was not acted on, so even a non-idempotent request may be sent again).
                renewed = True
                self._oauth_invalidate(token)
                token = await self._access_token()
                continue
            if self._should_retry(
                spec,
                response,
                has_idempotency_key=key is not None,
                retries_taken=retries_taken,
                max_retries=max_retries,
            ):
                delay = self._retry_delay(retries_taken, response)
                self._log_retry(request, f"status {response.status_code}", delay, retries_taken)
                await self._sleep(delay)
                retries_taken += 1
                continue
            raise self._make_status_error(response, spec)

    # -- what generated methods call ----------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
        errors: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Async twin of :meth:`SyncAPIClient.request`."""
        raw = _take_raw_response_flag()
        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            body,
            content_type,
            accept,
            errors,
            cookies=cookies,
        )
        response, retries_taken = await self._request(spec, options)
        api_response = self._wrap_response(response, cast_to, retries_taken)
        return cast(T, api_response) if raw else api_response.parse()

    def request_page(
        self,
        method: str,
        path: str,
        *,
        item: type[Item],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        errors: Mapping[str, Any] | None = None,
        cursor_param: str = "cursor",
        page_fields: PageFields | None = None,
        page_style: PageStyle | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPageRequest[Item]:
        """A paginated operation: ``await`` it for the first page, or ``async for`` over it for
        every item across all pages (no request is made until then)."""
        from ._pagination import (
            DEFAULT_PAGE_FIELDS,
            DEFAULT_PAGE_STYLE,
            AsyncCursorPage,
            AsyncPageRequest,
            fetch_page_spec,
        )

        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            body,
            content_type,
            "application/json",
            errors,
            cookies=cookies,
        )

        async def fetch(page_spec: RequestSpec) -> APIResponse[AsyncCursorPage[Item]]:
            response, retries_taken = await self._request(page_spec, options)
            page_type = cast("type[AsyncCursorPage[Item]]", AsyncCursorPage)
            return self._wrap_response(
                response,
                page_type,
                retries_taken,
                parser=lambda r: AsyncCursorPage.from_response(
                    r,
                    item=item,
                    spec=page_spec,
                    cursor_param=cursor_param,
                    fields=page_fields or DEFAULT_PAGE_FIELDS,
                    style=page_style or DEFAULT_PAGE_STYLE,
                    fetch=fetch,
                ),
            )

        return AsyncPageRequest(fetch, fetch_page_spec(spec, None, cursor_param))

    def request_stream(
        self,
        method: str,
        path: str,
        *,
        decode: Callable[[ServerSentEvent], T | None],
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | None] | None = None,
        cookies: Mapping[str, Any] | None = None,
        last_event_id: str | None = None,
        errors: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        initial_reconnect_delay: float = 1.0,
        max_reconnect_delay: float = 30.0,
        max_reconnect_attempts: int | None = None,
    ) -> AsyncEventStream[T]:
        """Async twin of :meth:`SyncAPIClient.request_stream` (use ``async for``)."""
        from ._streaming import AsyncEventStream

        spec = _spec(
            method,
            path,
            path_params,
            query,
            headers,
            None,
            None,
            "text/event-stream",
            errors,
            cookies=cookies,
        )
        return AsyncEventStream(
            client=self,
            spec=spec,
            options=options or {},
            decode=decode,
            last_event_id=last_event_id,
            initial_reconnect_delay=initial_reconnect_delay,
            max_reconnect_delay=max_reconnect_delay,
            max_reconnect_attempts=max_reconnect_attempts,
        )


_SyncSelf = TypeVar("_SyncSelf", bound=SyncAPIClient)
_AsyncSelf = TypeVar("_AsyncSelf", bound=AsyncAPIClient)
