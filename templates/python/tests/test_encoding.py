"""Encodings beyond JSON against a real local server: cookie parameters, deepObject query
parameters and form-urlencoded bodies (sync and async), plus the pure helpers."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Callable
from urllib.parse import parse_qsl

import pytest
from conftest import AsyncRecordingSDK, Exchange, RecordingSDK, TestServer
from fakesdk import Color, ItemCreate, ItemPatch
from fakesdk._core import cookie_header, deep_object_query, delimited, encode_form_body, format_etag

MakeClient = Callable[..., RecordingSDK]
MakeAsyncClient = Callable[..., AsyncRecordingSDK]


def ok(ex: Exchange) -> None:
    ex.respond(200, {"ok": True})


# -- cookies ------------------------------------------------------------------------------------


def test_cookie_header_encodes_values_and_skips_none() -> None:
    header = cookie_header({"session": 'a b;c=d,"e"\\', "n": 3, "flag": False, "gone": None})
    assert header == "session=a%20b%3Bc%3Dd%2C%22e%22%5C; n=3; flag=false"
    assert cookie_header({"gone": None}) is None
    assert cookie_header(None) is None


def test_cookie_parameters_are_sent_in_one_cookie_header(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(ok)
    client = make_client()
    client.request(
        "get", "/stats", cast_to=dict, cookies={"session": "s 1", "theme": "dark", "x": None}
    )
    assert server.requests[0].headers["cookie"] == "session=s%201; theme=dark"
    # A per-request Cookie header wins; no cookie parameter left means no header.
    client.request(
        "get",
        "/stats",
        cast_to=dict,
        cookies={"session": "s1"},
        options={"headers": {"Cookie": "session=mine"}},
    )
    assert server.requests[1].headers["cookie"] == "session=mine"
    client.request("get", "/stats", cast_to=dict, cookies={"session": None})
    assert "cookie" not in server.requests[2].headers


def test_cookies_are_resent_on_retries(server: TestServer, make_client: MakeClient) -> None:
    server.on(lambda ex: ex.respond(503, {}) if ex.index == 0 else ok(ex))
    client = make_client()
    client.request("get", "/stats", cast_to=dict, cookies={"session": "s1"})
    assert [r.headers.get("cookie") for r in server.requests] == ["session=s1", "session=s1"]


def test_async_cookie_parameters(server: TestServer, make_async_client: MakeAsyncClient) -> None:
    server.on(ok)

    async def run() -> None:
        async with make_async_client() as client:
            await client.request("get", "/stats", cast_to=dict, cookies={"session": "é"})

    asyncio.run(run())
    assert server.requests[0].headers["cookie"] == "session=%C3%A9"


# -- deepObject ---------------------------------------------------------------------------------


def test_deep_object_query_spreads_maps_and_models() -> None:
    assert deep_object_query("filter", {"status": "open", "tag": ["a", "b"], "none": None}) == {
        "filter[status]": "open",
        "filter[tag]": ["a", "b"],
    }
    assert deep_object_query("filter", ItemPatch(name="x")) == {"filter[name]": "x"}
    assert deep_object_query("filter", None) == {}


def test_deep_object_query_in_the_url(server: TestServer, make_client: MakeClient) -> None:
    server.on(ok)
    client = make_client()
    client.request(
        "get",
        "/stats",
        cast_to=dict,
        query={
            "limit": 5,
            **deep_object_query("filter", {"status": "open now", "n": 2, "tag": ["x", "y"]}),
        },
    )
    request = server.requests[0]
    assert request.query == {
        "limit": ["5"],
        "filter[status]": ["open now"],
        "filter[n]": ["2"],
        "filter[tag]": ["x", "y"],
    }


# -- non-exploded arrays --------------------------------------------------------------------------


def test_delimited_joins_items_with_the_style_delimiter(
    server: TestServer, make_client: MakeClient
) -> None:
    assert delimited(["a", 1, True, None, Color.RED], "|") == "a|1|true|red"
    assert delimited([], ",") == ""
    assert delimited(None, " ") is None
    server.on(ok)
    client = make_client()
    client.request(
        "get",
        "/widgets",
        cast_to=dict,
        query={
            "sort": delimited(["name", "-size"], "|"),
            "ids": delimited([1, 2], ","),
            "none": delimited(None, " "),
        },
    )
    assert server.requests[0].query == {"sort": ["name|-size"], "ids": ["1,2"]}


# -- form bodies --------------------------------------------------------------------------------


def test_encode_form_body() -> None:
    body = encode_form_body(
        {
            "q": "red & blue",
            "page": 2,
            "exact": True,
            "tags": ["a", "b"],
            "since": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            "none": None,
        }
    )
    assert body == b"q=red+%26+blue&page=2&exact=true&tags=a&tags=b&since=2026-01-02T03%3A04%3A05Z"
    # Models: by alias, only the fields that were set; enums by value.
    assert encode_form_body(ItemCreate(name="n", color=Color.GREEN)) == b"name=n&color=green"
    assert encode_form_body(ItemCreate(name="n")) == b"name=n"
    with pytest.raises(TypeError, match="form field 'nested' is an object"):
        encode_form_body({"nested": {"a": 1}})
    with pytest.raises(TypeError, match="must be a model or a mapping"):
        encode_form_body([1, 2])


def test_form_body_is_sent_form_encoded(server: TestServer, make_client: MakeClient) -> None:
    server.on(lambda ex: ex.respond(200, [{"id": 1}]))
    client = make_client()
    result: Any = client.request(
        "post",
        "/search",
        cast_to=list,
        body={"q": "a b", "page": 2},
        content_type="application/x-www-form-urlencoded",
    )
    assert result == [{"id": 1}]
    request = server.requests[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.body.decode()) == [("q", "a b"), ("page", "2")]


def test_form_body_bytes_and_async(server: TestServer, make_async_client: MakeAsyncClient) -> None:
    server.on(ok)

    async def run() -> None:
        async with make_async_client() as client:
            await client.request(
                "post",
                "/search",
                cast_to=dict,
                body=ItemCreate(name="a&b"),
                content_type="application/x-www-form-urlencoded",
            )
            await client.request(
                "post",
                "/search",
                cast_to=dict,
                body=b"q=raw",
                content_type="application/x-www-form-urlencoded",
            )

    asyncio.run(run())
    assert server.requests[0].body == b"name=a%26b"
    assert server.requests[1].body == b"q=raw"


def test_json_string_bodies_are_quoted_and_decoded(
    server: TestServer, make_client: MakeClient
) -> None:
    # A JSON body or answer whose schema is a string (an enum, base64 text) is a JSON string;
    # text stays text.
    server.on(lambda ex: ex.respond(200, b'"Monday"'))
    client = make_client()
    result: Any = client.request("put", "/day", cast_to=str, body="Monday")
    assert result == "Monday"
    assert server.requests[0].body == b'"Monday"'
    assert server.requests[0].headers["content-type"] == "application/json"
    server.on(lambda ex: ex.respond(200, "plain words", content_type="text/plain"))
    text: Any = client.request(
        "put", "/text", cast_to=str, body="plain words", content_type="text/plain"
    )
    assert text == "plain words"
    assert server.requests[1].body == b"plain words"


class _Versioned:
    version = 12


def test_format_etag_quotes_versions_and_resources_and_keeps_tags() -> None:
    assert format_etag(None) is None
    assert format_etag(7) == '"7"'
    assert format_etag(_Versioned()) == '"12"'
    assert format_etag("7") == '"7"'
    assert format_etag(" 7 ") == '"7"'
    assert format_etag('"7"') == '"7"'
    assert format_etag('W/"7"') == 'W/"7"'
    assert format_etag("*") == "*"
    assert format_etag('"1", "2"') == '"1", "2"'
    with pytest.raises(TypeError, match="bool"):
        format_etag(True)
