"""Parameter styles of path, header and cookie parameters (and non-exploded object query
parameters), as OpenAPI's style table writes them (RFC 6570)."""

from __future__ import annotations

from typing import Any, Callable, Mapping
from urllib.parse import quote

import pydantic

from ._utils import Styled, format_scalar, to_jsonable

__all__ = ["Styled", "joined_object", "style_cookie", "style_header", "style_path", "style_value"]


def _encode(text: str) -> str:
    # The characters JavaScript's encodeURIComponent keeps, so every SDK writes the same text.
    return quote(text, safe="!*'()")


def style_value(
    style: str,
    name: str,
    value: Any,
    explode: bool,
    encode: Callable[[str], str] = lambda text: text,
    pair_join: str = "&",
) -> str | None:
    """A value in ``simple``, ``label``, ``matrix`` or ``form`` style: ``simple`` 3,4,5 or
    R,100,G,200 (exploded R=100,G=200); ``label`` .3,4,5 (exploded .3.4.5); ``matrix`` ;id=3,4,5
    (exploded ;id=3;id=4); ``form`` id=3,4,5 (exploded id=3&id=4, joined with ``pair_join``).
    Names and values go through ``encode``; ``None`` for an absent value."""
    if value is None:
        return None
    if isinstance(value, pydantic.BaseModel):
        value = to_jsonable(value)

    def atom(v: Any) -> str:
        return encode(format_scalar(v))

    key = encode(name)
    if isinstance(value, (list, tuple)):
        items = [atom(v) for v in value if v is not None]
        if style == "simple":
            return ",".join(items)
        if style == "label":
            return "." + ("." if explode else ",").join(items)
        if style == "matrix":
            return "".join(f";{key}={i}" for i in items) if explode else f";{key}={','.join(items)}"
        return (
            pair_join.join(f"{key}={i}" for i in items) if explode else f"{key}={','.join(items)}"
        )
    if isinstance(value, Mapping):
        pairs = [
            (
                encode(str(k)),
                ",".join(atom(x) for x in v if x is not None)
                if isinstance(v, (list, tuple))
                else atom(v),
            )
            for k, v in value.items()
            if v is not None
        ]
        flat = ",".join(f"{k},{v}" for k, v in pairs)
        if style == "simple":
            return ",".join(f"{k}={v}" for k, v in pairs) if explode else flat
        if style == "label":
            return "." + ".".join(f"{k}={v}" for k, v in pairs) if explode else f".{flat}"
        if style == "matrix":
            return "".join(f";{k}={v}" for k, v in pairs) if explode else f";{key}={flat}"
        return pair_join.join(f"{k}={v}" for k, v in pairs) if explode else f"{key}={flat}"
    one = atom(value)
    if style == "label":
        return f".{one}"
    if style == "matrix":
        return f";{key}={one}"
    if style == "form":
        return f"{key}={one}"
    return one


def style_path(style: str, name: str, value: Any, explode: bool) -> Styled | None:
    """A path parameter in its style, percent-encoded (delimiters kept)."""
    text = style_value(style, name, value, explode, _encode)
    return None if text is None else Styled(text)


def style_header(value: Any, explode: bool) -> str | None:
    """A header value in style simple (sent as it is)."""
    return style_value("simple", "", value, explode)


def style_cookie(name: str, value: Any, explode: bool) -> Styled | None:
    """A cookie parameter in style form as its ``name=value`` pair(s) of the Cookie header."""
    text = style_value("form", name, value, explode, _encode, "; ")
    return None if text is None else Styled(text)


def joined_object(value: Any, delimiter: str) -> str | None:
    """A non-exploded object query parameter as one value (``R,100,G,200``; ``|`` or space for
    pipeDelimited and spaceDelimited); the query string encodes it."""
    text = style_value("simple", "", value, False)
    return None if text is None else delimiter.join(text.split(","))
