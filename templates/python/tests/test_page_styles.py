"""The pagination styles besides a body cursor: a Link header over a list body (GitHub's style),
a next-page URL in the body (and one on another origin refused), offset/limit and page numbers;
each walks every page and stops on the last."""

from __future__ import annotations

import pytest
from conftest import Exchange, TestServer
from fakesdk._core import APIError, AsyncAPIClient, ClientConfig, SyncAPIClient, link_next

ITEMS = [{"id": x} for x in "abcde"]


def client(server: TestServer) -> SyncAPIClient:
    config = ClientConfig(sdk_name="t", sdk_version="1", default_base_url=server.url)
    return SyncAPIClient(config=config)


def ids(page: object) -> list[str]:
    return [item["id"] for item in page]  # type: ignore[attr-defined]


def test_link_header_over_a_list_body(server: TestServer) -> None:
    def handle(ex: Exchange) -> None:
        page = int(ex.request.query.get("page", ["1"])[0])
        links = [f'<{server.url}/repos?per_page=2&page=1>; rel="first"']
        if page == 1:
            links.append(f'<{server.url}/repos?per_page=2&page=2>; rel="next"')
        if page == 2:
            links.append('</repos?per_page=2&page=3>; rel="next last"')
        ex.respond(200, ITEMS[(page - 1) * 2 : page * 2], {"Link": ", ".join(links)})

    server.on(handle)
    page = client(server).request_page(
        "get",
        "/repos",
        item=dict,
        query={"per_page": 2},
        page_fields=(None, "", None),
        page_style=("link", None),
    )
    assert ids(page) == ["a", "b", "c", "d", "e"]
    assert [r.query for r in server.requests] == [
        {"per_page": ["2"]},
        {"per_page": ["2"], "page": ["2"]},
        {"per_page": ["2"], "page": ["3"]},
    ]


def test_next_url_and_another_origin_refused(server: TestServer) -> None:
    def handle(ex: Exchange) -> None:
        if ex.request.path == "/evil":
            ex.respond(200, {"results": [{"id": "x"}], "next": "https://evil.test/steal"})
            return
        after = int(ex.request.query.get("after", ["0"])[0])
        more = after + 2 < len(ITEMS)
        nxt = f"{server.url}/things?after={after + 2}" if more else None
        ex.respond(200, {"results": ITEMS[after : after + 2], "next": nxt})

    server.on(handle)
    c = client(server)
    fields = ("results", "next", None)
    page = c.request_page(
        "get", "/things", item=dict, page_fields=fields, page_style=("nextUrl", None)
    )
    assert ids(page) == ["a", "b", "c", "d", "e"]
    evil = c.request_page(
        "get", "/evil", item=dict, page_fields=fields, page_style=("nextUrl", None)
    )
    with pytest.raises(APIError, match="another origin"):
        ids(evil)


def test_offset_stops_at_a_short_page(server: TestServer) -> None:
    def handle(ex: Exchange) -> None:
        offset = int(ex.request.query.get("offset", ["0"])[0])
        limit = int(ex.request.query["limit"][0])
        ex.respond(200, {"items": ITEMS[offset : offset + limit], "total": len(ITEMS)})

    server.on(handle)
    page = client(server).request_page(
        "get",
        "/offset",
        item=dict,
        query={"limit": 2},
        cursor_param="offset",
        page_fields=("items", "", None),
        page_style=("offset", "limit"),
    )
    assert ids(page) == ["a", "b", "c", "d", "e"]
    assert [r.query.get("offset") for r in server.requests] == [None, ["2"], ["4"]]


async def test_page_numbers_stop_at_an_empty_page(server: TestServer) -> None:
    def handle(ex: Exchange) -> None:
        page = int(ex.request.query["page"][0])
        ex.respond(200, ITEMS[(page - 1) * 3 : page * 3])

    server.on(handle)
    config = ClientConfig(sdk_name="t", sdk_version="1", default_base_url=server.url)
    c = AsyncAPIClient(config=config)
    first = c.request_page(
        "get",
        "/paged",
        item=dict,
        query={"page": 1},
        cursor_param="page",
        page_fields=(None, "", None),
        page_style=("page", None),
    )
    seen = [item["id"] async for item in first]
    assert seen == ["a", "b", "c", "d", "e"]
    assert [r.query["page"] for r in server.requests] == [["1"], ["2"], ["3"]]
    await c.close()


def test_link_header_parsing() -> None:
    assert (
        link_next('<https://x.test/a?page=2>; rel="next", <https://x.test/a?page=9>; rel="last"')
        == "https://x.test/a?page=2"
    )
    assert link_next('<https://x.test/p3>; title="x"; REL=next') == "https://x.test/p3"
    assert link_next('<https://x.test/a>; rel="prev"') is None
    assert link_next(None) is None
