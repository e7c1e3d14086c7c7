"""Cursor pagination: a page is ``{data: [...], next_cursor: str | null, has_more: bool}``; the
next page repeats the first request with ``cursor = next_cursor``."""

from __future__ import annotations

from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Generic,
    Iterator,
    List,
    Mapping,
    TypeVar,
    cast,
)

from ._client import RequestSpec
from ._response import APIResponse, _take_raw_response_flag, validate_as

__all__ = ["AsyncCursorPage", "AsyncPageRequest", "SyncCursorPage"]

Item = TypeVar("Item")


def fetch_page_spec(spec: RequestSpec, cursor: str | None, cursor_param: str) -> RequestSpec:
    """``spec`` with its cursor query parameter set (in place, keeping the declaration order)."""
    query: dict[str, Any] = dict(spec.query or {})
    if cursor is not None or cursor_param in query:
        query[cursor_param] = cursor if cursor is not None else query[cursor_param]
    return spec.with_query(query)


def _parse_page_body(
    response: APIResponse[Any], item: type[Any]
) -> tuple[list[Any], str | None, bool]:
    body = response.json()
    http_response = response.http_response
    if not isinstance(body, Mapping):
        validate_as(cast("type[dict[str, Any]]", dict), body, response=http_response)
        raise AssertionError("unreachable")  # pragma: no cover
    raw_items = validate_as(
        cast("type[List[Any]]", list), body.get("data", []), response=http_response
    )
    items = [
        validate_as(item, raw, response=http_response, strict=response.strict) for raw in raw_items
    ]
    next_cursor = body.get("next_cursor")
    has_more = body.get("has_more")
    cursor = next_cursor if isinstance(next_cursor, str) and next_cursor else None
    more = bool(has_more) if isinstance(has_more, bool) else cursor is not None
    return items, cursor, more


class _BasePage(Generic[Item]):
    data: list[Item]
    """The items of this page."""
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; ``None`` on the last page."""
    has_more: bool

    def __init__(
        self,
        *,
        data: list[Item],
        next_cursor: str | None,
        has_more: bool,
        response: APIResponse[Any],
        spec: RequestSpec,
        cursor_param: str,
    ) -> None:
        self.data = data
        self.next_cursor = next_cursor
        self.has_more = has_more
        self.response = response
        self._spec = spec
        self._cursor_param = cursor_param

    @property
    def request_id(self) -> str | None:
        return self.response.request_id

    def has_next_page(self) -> bool:
        return self.has_more and self.next_cursor is not None

    def _next_spec(self) -> RequestSpec:
        if not self.has_next_page():
            raise StopIteration("no next page")  # pragma: no cover
        return fetch_page_spec(self._spec, self.next_cursor, self._cursor_param)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} items={len(self.data)} "
            f"next_cursor={self.next_cursor!r} has_more={self.has_more}>"
        )


class SyncCursorPage(_BasePage[Item]):
    """One page; ``for item in page`` walks every item of this and all following pages."""

    def __init__(
        self,
        *,
        data: list[Item],
        next_cursor: str | None,
        has_more: bool,
        response: APIResponse[Any],
        spec: RequestSpec,
        cursor_param: str,
        fetch: Callable[[RequestSpec], APIResponse[SyncCursorPage[Item]]],
    ) -> None:
        super().__init__(
            data=data,
            next_cursor=next_cursor,
            has_more=has_more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
        )
        self._fetch = fetch

    @classmethod
    def from_response(
        cls,
        response: APIResponse[Any],
        *,
        item: type[Item],
        spec: RequestSpec,
        cursor_param: str,
        fetch: Callable[[RequestSpec], APIResponse[SyncCursorPage[Item]]],
    ) -> SyncCursorPage[Item]:
        items, cursor, more = _parse_page_body(response, item)
        return cls(
            data=items,
            next_cursor=cursor,
            has_more=more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            fetch=fetch,
        )

    def get_next_page(self) -> SyncCursorPage[Item]:
        """Fetch the next page (raises ``RuntimeError`` on the last page)."""
        if not self.has_next_page():
            raise RuntimeError("No next page; check has_next_page() first.")
        return self._fetch(self._next_spec()).parse()

    def iter_pages(self) -> Iterator[SyncCursorPage[Item]]:
        """This page, then each following page (fetched lazily)."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[Item]:
        for page in self.iter_pages():
            yield from page.data


class AsyncCursorPage(_BasePage[Item]):
    """One page; ``async for item in page`` walks every item of this and all following pages."""

    def __init__(
        self,
        *,
        data: list[Item],
        next_cursor: str | None,
        has_more: bool,
        response: APIResponse[Any],
        spec: RequestSpec,
        cursor_param: str,
        fetch: Callable[[RequestSpec], Awaitable[APIResponse[AsyncCursorPage[Item]]]],
    ) -> None:
        super().__init__(
            data=data,
            next_cursor=next_cursor,
            has_more=has_more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
        )
        self._fetch = fetch

    @classmethod
    def from_response(
        cls,
        response: APIResponse[Any],
        *,
        item: type[Item],
        spec: RequestSpec,
        cursor_param: str,
        fetch: Callable[[RequestSpec], Awaitable[APIResponse[AsyncCursorPage[Item]]]],
    ) -> AsyncCursorPage[Item]:
        items, cursor, more = _parse_page_body(response, item)
        return cls(
            data=items,
            next_cursor=cursor,
            has_more=more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            fetch=fetch,
        )

    async def get_next_page(self) -> AsyncCursorPage[Item]:
        """Fetch the next page (raises ``RuntimeError`` on the last page)."""
        if not self.has_next_page():
            raise RuntimeError("No next page; check has_next_page() first.")
        return (await self._fetch(self._next_spec())).parse()

    async def iter_pages(self) -> AsyncIterator[AsyncCursorPage[Item]]:
        """This page, then each following page (fetched lazily)."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[Item]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPageRequest(Generic[Item]):
    """What an async paginated method returns: ``await`` it for the first
    :class:`AsyncCursorPage`, or ``async for`` over it for every item across all pages."""

    def __init__(
        self,
        fetch: Callable[[RequestSpec], Awaitable[APIResponse[AsyncCursorPage[Item]]]],
        spec: RequestSpec,
    ) -> None:
        self._fetch = fetch
        self._spec = spec

    async def _first(self) -> AsyncCursorPage[Item]:
        raw = _take_raw_response_flag()
        response = await self._fetch(self._spec)
        return cast("AsyncCursorPage[Item]", response) if raw else response.parse()

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[Item]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[Item]:
        page = await self._first()
        async for item in page:
            yield item
