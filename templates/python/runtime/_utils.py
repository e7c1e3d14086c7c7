"""Pure request-building helpers shared by the sync and async clients (docs/sdk-runtime.md, 1-2)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import os
import platform
import re
from typing import Any, Iterable, Mapping, Sequence, Tuple
from urllib.parse import quote, urlencode

import pydantic

from ._models import NotGiven

__all__ = [
    "FORM_CONTENT_TYPE",
    "Styled",
    "QueryValue",
    "body_from",
    "build_path",
    "build_query",
    "cookie_header",
    "deep_object_query",
    "delimited",
    "encode_form_body",
    "encode_json_body",
    "env_value",
    "merge_headers",
    "to_jsonable",
    "user_agent",
]

QueryValue = Any
"""A query parameter value: str, int, float, bool, date/datetime, Enum, a list/tuple of these
(exploded), a mapping (spread form-style) or ``None`` (omitted)."""

QueryPairs = Sequence[Tuple[str, str]]
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
HeaderValue = str | None

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclasses.dataclass(frozen=True)
class Styled:
    """A path or cookie value already written in its style (delimiters and encoding applied):
    ``build_path`` and ``cookie_header`` use its text as it is (see ``_style``)."""

    text: str


def format_scalar(value: Any) -> str:
    """A scalar as it appears in a URL: booleans ``true``/``false``, date-times RFC 3339."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def build_path(template: str, path_params: Mapping[str, Any] | None) -> str:
    """Fill ``{name}`` placeholders, each value percent-encoded as one path segment."""
    if "{" not in template:
        return template
    params = path_params or {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params or params[name] is None:
            raise ValueError(f"missing path parameter {name!r} for {template!r}")
        value = params[name]
        # A value in its style (label, matrix, an array or object) is encoded already.
        if isinstance(value, Styled):
            return value.text
        return quote(format_scalar(value), safe="")

    return _PLACEHOLDER.sub(replace, template)


def build_query(
    query: Mapping[str, QueryValue] | None,
) -> list[tuple[str, str | int | float | bool | None]]:
    """Query pairs in declaration order: arrays exploded (``a=1&a=2``), ``None`` omitted, nested
    mappings spread form-style (their own keys become parameters)."""
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in (query or {}).items():
        _add_query(pairs, key, value)
    return pairs


def _add_query(
    pairs: list[tuple[str, str | int | float | bool | None]], key: str, value: QueryValue
) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for sub_key, sub_value in value.items():
            _add_query(pairs, str(sub_key), sub_value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            if item is not None:
                pairs.append((key, format_scalar(item)))
    else:
        pairs.append((key, format_scalar(value)))


def deep_object_query(
    name: str, value: Mapping[str, Any] | pydantic.BaseModel | None
) -> dict[str, Any]:
    """A deepObject-style query parameter (``filter[status]=open``): one entry per member of
    ``value`` keyed ``name[member]``, to spread into the ``query`` mapping. A model dumps by alias
    and only its set fields; array members explode, ``None`` members (and ``value=None``) add
    nothing."""
    if value is None:
        return {}
    members = (
        value.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if isinstance(value, pydantic.BaseModel)
        else value
    )
    return {f"{name}[{key}]": member for key, member in members.items() if member is not None}


def delimited(values: Iterable[Any] | None, delimiter: str) -> str | None:
    """A non-exploded array query parameter as one value: the items joined with ``delimiter``
    (``","`` for style form without explode, ``"|"`` for pipeDelimited, ``" "`` for
    spaceDelimited), ``None`` items skipped; ``None`` for an absent array (the parameter is
    omitted)."""
    if values is None:
        return None
    return delimiter.join(format_scalar(v) for v in values if v is not None)


def encode_form_body(value: Any) -> bytes:
    """An ``application/x-www-form-urlencoded`` body from a model or a mapping: one pair per
    member (models by alias, only set fields), arrays exploded, booleans ``true``/``false``,
    dates RFC 3339, ``None`` omitted. A nested object has no form encoding: ``TypeError``."""
    data = to_jsonable(value)
    if not isinstance(data, Mapping):
        raise TypeError(f"a form body must be a model or a mapping, not {type(value).__name__}")
    pairs: list[tuple[str, str]] = []
    for key, member in data.items():
        for item in member if isinstance(member, list) else [member]:
            if item is None:
                continue
            if isinstance(item, (Mapping, list)):
                raise TypeError(
                    f"the form field {key!r} is an object; form bodies carry scalars and arrays"
                )
            pairs.append((str(key), format_scalar(item)))
    return urlencode(pairs).encode()


def cookie_header(cookies: Mapping[str, Any] | None) -> str | None:
    """The ``Cookie`` header of cookie parameters: ``name=value`` pairs joined by ``; ``, each
    value percent-encoded (RFC 6265 allows no spaces, quotes, commas, semicolons or backslashes
    in a value), ``None`` omitted; ``None`` when no cookie is left."""
    pairs = [
        # A cookie in its style (an array or object) is its pair(s) already.
        value.text
        if isinstance(value, Styled)
        else f"{name}={quote(format_scalar(value), safe=_COOKIE_SAFE)}"
        for name, value in (cookies or {}).items()
        if value is not None
    ]
    return "; ".join(pairs) if pairs else None


# The characters JavaScript's encodeURIComponent keeps (with letters, digits and ``_.-~``), so
# every SDK writes the same cookie value.
_COOKIE_SAFE = "!*'()"


def to_jsonable(value: Any) -> Any:
    """Turn a body into plain JSON data: models dump by alias and only their *set* fields (so an
    unset optional field is absent and an explicit ``None`` is ``null``, as merge patch needs)."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return format_scalar(value)
    return value


def body_from(body: Any, members: Mapping[str, Any]) -> Any:
    """The body of a call made with a model/dict or with its members as keyword arguments
    (``members`` by wire name; those left NOT_GIVEN are not sent). Giving both is an error."""
    given = {k: v for k, v in members.items() if not isinstance(v, NotGiven)}
    if body is not None:
        if given:
            raise TypeError(
                f"pass the body or its members as keyword arguments, not both ({', '.join(given)})"
            )
        return body
    return given


def is_json_media_type(content_type: str | None) -> bool:
    """True for no content type (JSON is the default), ``application/json`` and ``*/*+json``."""
    if content_type is None:
        return True
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def encode_json_body(value: Any) -> bytes:
    """Serialise a request body as compact UTF-8 JSON."""
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":")).encode()


def merge_headers(*layers: Mapping[str, HeaderValue] | None) -> dict[str, str]:
    """Merge header layers, later ones winning (case-insensitively); a ``None`` value removes."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        for name, value in (layer or {}).items():
            if value is None:
                merged.pop(name.lower(), None)
            else:
                merged[name.lower()] = (name, value)
    return dict(merged.values())


def env_value(name: str | None) -> str | None:
    """The value of an environment variable (``None`` when unset, empty or not named)."""
    if not name:
        return None
    value = os.environ.get(name)
    return value if value else None


def user_agent(sdk_name: str, sdk_version: str) -> str:
    """``<sdk-name>/<version> python/<python-version>``."""
    return f"{sdk_name}/{sdk_version} python/{platform.python_version()}"


def first_of(values: Iterable[str | None]) -> str | None:
    for value in values:
        if value is not None:
            return value
    return None
