"""Cursor pagination across three pages, sync and async."""

from __future__ import annotations

from typing import Callable

from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer
from fakesdk import Item
from fakesdk._core import APIResponse, AsyncCursorPage, SyncCursorPage

PAGES: dict[str | None, dict[str, object]] = {
    None: {
        "data": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}],
        "next_cursor": "c2",
        "has_more": True,
    },
    "c2": {"data": [{"id": "3", "name": "c"}], "next_cursor": "c3", "has_more": True, "extra": 1},
    "c3": {
        "data": [{"id": "4", "name": "d", "color": "ultraviolet"}],
        "next_cursor": None,
        "has_more": False,
    },
}


def pages(ex: Exchange) -> None:
    cursor = ex.request.query.get("cursor", [None])[0]
    ex.respond(200, PAGES[cursor])


def test_sync_iterates_all_items(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    server.on(pages)
    client = make_client()
    ids = [item.id for item in client.items.list(limit=2)]
    assert ids == ["1", "2", "3", "4"]
    assert [r.query for r in server.requests] == [
        {"limit": ["2"]},
        {"limit": ["2"], "cursor": ["c2"]},
        {"limit": ["2"], "cursor": ["c3"]},
    ]


def test_sync_manual_paging(server: TestServer, make_client: Callable[..., RecordingSDK]) -> None:
    server.on(pages)
    client = make_client()
    first = client.items.list()
    assert isinstance(first, SyncCursorPage)
    assert [i.id for i in first.data] == ["1", "2"]
    assert first.next_cursor == "c2" and first.has_more and first.has_next_page()
    assert first.request_id == "req_0"
    assert len(server.requests) == 1  # lazily fetched
    all_pages = list(first.iter_pages())
    assert [len(p.data) for p in all_pages] == [2, 1, 1]
    last = all_pages[-1]
    assert not last.has_next_page() and last.next_cursor is None
    assert last.data[0].color is not None and not last.data[0].color.is_known
    raw = client.items.with_raw_response.list()
    assert isinstance(raw, APIResponse)
    assert [i.id for i in raw.parse().data] == ["1", "2"]


async def test_async_iterates_all_items(
    server: TestServer, make_async_client: Callable[..., AsyncRecordingSDK]
) -> None:
    server.on(pages)
    async with make_async_client() as client:
        ids = [item.id async for item in client.items.list(limit=2)]
        assert ids == ["1", "2", "3", "4"]
        first = await client.items.list()
        assert isinstance(first, AsyncCursorPage)
        assert first.has_next_page()
        second = await first.get_next_page()
        assert [i.id for i in second.data] == ["3"]
        counts = [len(p.data) async for p in first.iter_pages()]
        assert counts == [2, 1, 1]
        raw = await client.items.with_raw_response.list()
        assert raw.status_code == 200
        page = raw.parse()
        assert isinstance(page.data[0], Item)


def test_pages_with_the_member_names_the_api_declares(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    # `{items, nextPageToken}` without a has-more member: a token means another page.
    bodies: dict[str | None, dict[str, object]] = {
        None: {"items": [{"id": "1", "name": "a"}], "nextPageToken": "t2"},
        "t2": {"items": [{"id": "2", "name": "b"}]},
    }
    server.on(lambda ex: ex.respond(200, bodies[ex.request.query.get("pageToken", [None])[0]]))
    client = make_client()
    page = client.request_page(
        "get",
        "/v1/things",
        item=Item,
        cursor_param="pageToken",
        page_fields=("items", "nextPageToken", None),
    )
    assert [item.id for item in page] == ["1", "2"]
    assert len(server.requests) == 2
