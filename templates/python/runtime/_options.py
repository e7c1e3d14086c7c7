"""What a client is configured with and what one call is: :class:`ClientConfig` (supplied by
generated code), :class:`RequestOptions` (per-request overrides) and :class:`RequestSpec`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, TypedDict

import httpx

from ._models import NOT_GIVEN, NotGiven
from ._retry import DEFAULT_MAX_RETRY_AFTER

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_KEY_HEADER",
    "ClientConfig",
    "RequestOptions",
    "RequestSpec",
    "TimeoutTypes",
    "request_options",
]


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
    """The header a caller's ``idempotency_key`` is sent in on an operation that declares none of
    its own (:attr:`RequestSpec.idempotency_header`); ``None`` sends none there."""


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
    """The idempotency key to send (instead of a generated one); it also makes the request
    retryable on any operation, as the caller asserts the server honours it."""


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
    idempotency_header: str | None = None
    """The idempotency header the operation declares: a key generated once per call goes in it,
    reused by every retry. ``None``: only safe methods (GET, HEAD, OPTIONS) or calls given an
    ``idempotency_key`` are retried, and no key is sent."""

    def with_query(self, query: Mapping[str, Any]) -> RequestSpec:
        return dataclasses.replace(self, query=query)
