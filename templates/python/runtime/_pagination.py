"""Pagination. By default a page is ``{data: [...], next_cursor: str | null, has_more: bool}`` (or
the member names the API declares, ``PageFields``) and the next page repeats the first request
with ``cursor = next_cursor``. Other styles (``PageStyle``): ``nextUrl`` (the body's next member
is the next page's URL), ``link`` (the ``Link`` header's ``rel="next"`` URL), ``offset`` (the
offset parameter advanced by the items received) and ``page`` (the page number advanced by one);
``offset`` and ``page`` stop at an empty page or one shorter than the limit sent."""

from __future__ import annotations

import dataclasses
import re
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
    Tuple,
    TypeVar,
    cast,
)

from ._exceptions import APIError
from ._options import RequestSpec
from ._response import APIResponse, _take_raw_response_flag, validate_as

__all__ = [
    "DEFAULT_PAGE_FIELDS",
    "DEFAULT_PAGE_STYLE",
    "AsyncCursorPage",
    "AsyncPageRequest",
    "PageFields",
    "PageStyle",
    "SyncCursorPage",
    "link_next",
]

Item = TypeVar("Item")

PageFields = Tuple[str | None, str, str | None]
"""A page body's member names: its items (``None``: the body is the list), the next page's cursor
or URL, and whether more pages follow (``None`` when it does not say: a next cursor then means
another page)."""

PageStyle = Tuple[str, str | None]
"""How the next page is asked for (``cursor``, ``nextUrl``, ``link``, ``offset``, ``page``) and
the page-size parameter whose value, when sent, marks a shorter page as the last."""

DEFAULT_PAGE_STYLE: PageStyle = ("cursor", None)

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_REL = re.compile(r';\s*rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def link_next(header: str | None) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header (RFC 8288), or ``None``."""
    for target, params in _LINK.findall(header or ""):
        rel = _REL.search(params)
        if rel is not None and "next" in rel.group(1).lower().split():
            return str(target)
    return None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


DEFAULT_PAGE_FIELDS: PageFields = ("data", "next_cursor", "has_more")


def fetch_page_spec(spec: RequestSpec, cursor: str | None, cursor_param: str) -> RequestSpec:
    """``spec`` with its cursor query parameter set (in place, keeping the declaration order)."""
    query: dict[str, Any] = dict(spec.query or {})
    if cursor is not None or cursor_param in query:
        query[cursor_param] = cursor if cursor is not None else query[cursor_param]
    return spec.with_query(query)


def _parse_page_body(
    response: APIResponse[Any],
    item: type[Any],
    fields: PageFields = DEFAULT_PAGE_FIELDS,
    style: PageStyle = DEFAULT_PAGE_STYLE,
    spec: RequestSpec | None = None,
    cursor_param: str = "cursor",
) -> tuple[list[Any], str | None, bool]:
    body = response.json()
    http_response = response.http_response
    if fields[0] is None:
        raw_list: Any = body
        body = {}
    elif isinstance(body, Mapping):
        raw_list = body.get(fields[0], [])
    else:
        validate_as(cast("type[dict[str, Any]]", dict), body, response=http_response)
        raise AssertionError("unreachable")  # pragma: no cover
    raw_items = validate_as(cast("type[List[Any]]", list), raw_list, response=http_response)
    items = [
        validate_as(item, raw, response=http_response, strict=response.strict) for raw in raw_items
    ]
    kind, limit_param = style
    if kind == "link":
        url = link_next(http_response.headers.get("link"))
        return items, url, url is not None
    if kind in ("offset", "page"):
        query = dict(spec.query or {}) if spec is not None else {}
        limit = _number(query.get(limit_param)) if limit_param else None
        if not items or (limit is not None and len(items) < limit):
            return items, None, False
        current = _number(query.get(cursor_param))
        if kind == "offset":
            return items, str((current or 0) + len(items)), True
        return items, str((current if current is not None else 1) + 1), True
    next_cursor = body.get(fields[1])
    cursor = next_cursor if isinstance(next_cursor, str) and next_cursor else None
    if kind == "nextUrl":
        return items, cursor, cursor is not None
    has_more = body.get(fields[2]) if fields[2] is not None else None
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
        style: PageStyle = DEFAULT_PAGE_STYLE,
    ) -> None:
        self.data = data
        self.next_cursor = next_cursor
        self.has_more = has_more
        self.response = response
        self._spec = spec
        self._cursor_param = cursor_param
        self._style = style

    @property
    def request_id(self) -> str | None:
        return self.response.request_id

    def has_next_page(self) -> bool:
        return self.has_more and self.next_cursor is not None

    def _next_spec(self) -> RequestSpec:
        if not self.has_next_page():
            raise StopIteration("no next page")  # pragma: no cover
        if self._style[0] in ("link", "nextUrl") and self.next_cursor is not None:
            # The next page's URL as the server gave it: only on this page's origin, so
            # credentials never go to a host the caller did not choose.
            here = self.response.http_response.url
            url = here.join(self.next_cursor)
            if (url.scheme, url.host, url.port) != (here.scheme, here.host, here.port):
                raise APIError(f"Not following the next-page URL to another origin: {url}")
            return dataclasses.replace(self._spec, path=str(url), path_params=None, query=None)
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
        style: PageStyle = DEFAULT_PAGE_STYLE,
    ) -> None:
        super().__init__(
            data=data,
            next_cursor=next_cursor,
            has_more=has_more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            style=style,
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
        fields: PageFields = DEFAULT_PAGE_FIELDS,
        style: PageStyle = DEFAULT_PAGE_STYLE,
        fetch: Callable[[RequestSpec], APIResponse[SyncCursorPage[Item]]],
    ) -> SyncCursorPage[Item]:
        items, cursor, more = _parse_page_body(response, item, fields, style, spec, cursor_param)
        return cls(
            data=items,
            next_cursor=cursor,
            has_more=more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            fetch=fetch,
            style=style,
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
        style: PageStyle = DEFAULT_PAGE_STYLE,
    ) -> None:
        super().__init__(
            data=data,
            next_cursor=next_cursor,
            has_more=has_more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            style=style,
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
        fields: PageFields = DEFAULT_PAGE_FIELDS,
        style: PageStyle = DEFAULT_PAGE_STYLE,
        fetch: Callable[[RequestSpec], Awaitable[APIResponse[AsyncCursorPage[Item]]]],
    ) -> AsyncCursorPage[Item]:
        items, cursor, more = _parse_page_body(response, item, fields, style, spec, cursor_param)
        return cls(
            data=items,
            next_cursor=cursor,
            has_more=more,
            response=response,
            spec=spec,
            cursor_param=cursor_param,
            fetch=fetch,
            style=style,
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
