"""Parameter styles against the OpenAPI specification's examples, and on the wire."""

from __future__ import annotations

from typing import Callable

import pytest
from conftest import Exchange, RecordingSDK, TestServer
from fakesdk._core import joined_object, style_cookie, style_header, style_path, style_value

PRIMITIVE = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


@pytest.mark.parametrize(
    ("style", "explode", "one", "many", "members"),
    [
        ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
        ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
        ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
        ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
        ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
        (
            "matrix",
            True,
            ";color=blue",
            ";color=blue;color=black;color=brown",
            ";R=100;G=200;B=150",
        ),
        ("form", False, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
        ("form", True, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"),
    ],
)
def test_the_style_table(style: str, explode: bool, one: str, many: str, members: str) -> None:
    assert style_value(style, "color", PRIMITIVE, explode) == one
    assert style_value(style, "color", ARRAY, explode) == many
    assert style_value(style, "color", OBJECT, explode) == members
    assert style_value(style, "color", None, explode) is None


def test_encoding_and_cookie_pairs() -> None:
    assert (s := style_path("label", "id", ["a/b", "c d"], True)) and s.text == ".a%2Fb.c%20d"
    assert (c := style_cookie("c", ["a b", "c"], True)) and c.text == "c=a%20b; c=c"
    assert (o := style_cookie("c", {"x": 1, "y": 2}, True)) and o.text == "x=1; y=2"
    assert style_header({"a": 1, "b": 2}, False) == "a,1,b,2"
    assert joined_object(OBJECT, "|") == "R|100|G|200|B|150"


def test_styled_parameters_on_the_wire(
    server: TestServer, make_client: Callable[..., RecordingSDK]
) -> None:
    def ok(ex: Exchange) -> None:
        ex.respond(200, {})

    server.on(ok)
    client = make_client()
    client.request(
        "get",
        "/items/{ids}/{point}",
        cast_to=dict,
        path_params={
            "ids": style_path("label", "ids", [1, 2], False),
            "point": style_path("matrix", "point", OBJECT, True),
        },
        headers={"X-Ids": style_header([1, 2, 3], False)},
        cookies={"prefs": style_cookie("prefs", {"theme": "dark"}, True), "session": "s 1"},
    )
    request = server.requests[0]
    assert request.path == "/items/.1,2/;R=100;G=200;B=150"
    assert request.headers["x-ids"] == "1,2,3"
    assert request.headers["cookie"] == "theme=dark; session=s%201"
