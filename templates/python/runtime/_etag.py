"""Entity tags for ``If-Match`` / ``If-None-Match`` parameters: pass a version or the resource."""

from __future__ import annotations

from typing import Protocol, Union

__all__ = ["ETagInput", "HasVersion", "format_etag"]


class HasVersion(Protocol):
    """A resource that carries its ``version`` (a generated model such as ``Sequence``)."""

    @property
    def version(self) -> int | str: ...


ETagInput = Union[str, int, HasVersion]  # noqa: UP007 (an alias, evaluated at run time)
"""What an ``If-Match`` / ``If-None-Match`` parameter accepts: an entity tag as the server sent
it (``'"7"'``, ``'W/"7"'``, ``"*"`` or a list), a bare tag value or version number (sent as the
strong tag ``"7"``), or a resource that has a ``version`` (its version, as a strong tag)."""


def format_etag(value: ETagInput | None) -> str | None:
    """The header value for an ``ETagInput``; None stays None (the header is not sent)."""
    if value is None:
        return None
    # bool is an int to Python; `if_match=True` is a mistake, not version 1.
    if isinstance(value, bool):
        raise TypeError("an entity tag is a version, a tag or a resource, not a bool")
    if isinstance(value, int):
        return f'"{value}"'
    if isinstance(value, str):
        trimmed = value.strip()
        # Already an entity tag, a list of them, or `*`: as given.
        if trimmed == "*" or trimmed.startswith('"') or trimmed.startswith("W/") or "," in trimmed:
            return value
        return f'"{trimmed}"'
    version = getattr(value, "version", None)
    if isinstance(version, bool) or not isinstance(version, (int, str)):
        kind = type(value).__name__
        raise TypeError(f"an entity tag needs a version number or string, got {kind}")
    return f'"{version}"'
