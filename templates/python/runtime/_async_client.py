"""The asyncio client base, :class:`AsyncAPIClient`, over ``httpx.AsyncClient``: the twin of
:class:`SyncAPIClient` (same request loop, awaited; cancellation propagates).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TypeVar, cast

import httpx

from ._base_client import BaseClient, _spec
from ._exceptions import APIConnectionError, APITimeoutError
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientConfig,
    RequestOptions,
    RequestSpec,
    TimeoutTypes,
)
from ._response import APIResponse, _take_raw_response_flag
from ._retry import DEFAULT_MAX_RETRY_AFTER

if TYPE_CHECKING:
    from ._pagination import (
        AsyncCursorPage,
        AsyncPageRequest,
        PageFields,
        PageStyle,
    )
    from ._sse import ServerSentEvent
    from ._streaming import AsyncEventStream

__all__ = ["AsyncAPIClient"]

T = TypeVar("T")
Item = TypeVar("Item")


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
        idempotency_header: str | None = None,
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
            idempotency_header=idempotency_header,
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
        idempotency_header: str | None = None,
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
            idempotency_header=idempotency_header,
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


_AsyncSelf = TypeVar("_AsyncSelf", bound=AsyncAPIClient)
