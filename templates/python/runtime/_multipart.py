"""``multipart/form-data`` request bodies: file parts and fields, encoded by httpx."""

from __future__ import annotations

import dataclasses
import json
from typing import IO, Any, Dict, List, Mapping, Tuple

import pydantic

from ._models import NotGiven
from ._utils import format_scalar, to_jsonable

__all__ = ["FileContent", "FileTypes", "Multipart"]

FileContent = bytes | IO[bytes]
"""The bytes of a file, or an open binary file (read when the request is sent)."""

FileTypes = (
    FileContent | Tuple[str | None, FileContent] | Tuple[str | None, FileContent, str | None]
)
"""A file part: its content, ``(filename, content)`` or ``(filename, content, content_type)``."""

_FilePart = Tuple[str | None, bytes | IO[bytes], str | None]


def _is_file(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return True
    if isinstance(value, tuple) and len(value) in (2, 3):
        return True
    return hasattr(value, "read")


@dataclasses.dataclass(frozen=True)
class Multipart:
    """The fields of a multipart body: files become file parts (named after the field unless a
    filename is given), scalars text parts, a list one part per item, a mapping or model a JSON
    part (``application/json``). ``content_types`` gives a part's Content-Type by field (the
    document's ``encoding``). ``None`` and not-given fields are left out."""

    fields: Mapping[str, Any]
    content_types: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def encode(self) -> Tuple[Dict[str, List[str]], List[Tuple[str, _FilePart]]]:
        """The text fields and the file parts, as httpx's ``data`` and ``files`` take them."""
        data: Dict[str, List[str]] = {}
        files: List[Tuple[str, _FilePart]] = []

        def add(name: str, value: Any) -> None:
            if value is None or isinstance(value, NotGiven):
                return
            declared = self.content_types.get(name)
            if _is_file(value):
                if isinstance(value, tuple):
                    filename = value[0]
                    content = value[1]
                    content_type = value[2] if len(value) == 3 else declared
                else:
                    filename = getattr(value, "name", None) or name
                    if not isinstance(filename, str):
                        filename = name
                    content = bytes(value) if isinstance(value, bytearray) else value
                    content_type = declared
                files.append(
                    (name, (filename, content, content_type or "application/octet-stream"))
                )
            elif isinstance(value, (pydantic.BaseModel, Mapping)):
                payload = json.dumps(to_jsonable(value), separators=(",", ":")).encode()
                files.append((name, (None, payload, declared or "application/json")))
            elif declared is not None and not declared.startswith("text/plain"):
                files.append((name, (None, format_scalar(value).encode(), declared)))
            else:
                data.setdefault(name, []).append(format_scalar(value))

        for name, value in self.fields.items():
            if isinstance(value, list):
                for item in value:
                    add(name, item)
            else:
                add(name, value)
        return data, files
