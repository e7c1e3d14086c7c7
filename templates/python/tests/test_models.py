"""Forward-compatible decoding: unknown fields kept, unknown enum values and unknown union
variants tolerated."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import pydantic
from fakesdk import Color, Item
from fakesdk._core import (
    UNKNOWN_TAG,
    BaseModel,
    UnknownVariant,
    open_discriminator,
    type_adapter,
)


def test_unknown_fields_are_kept() -> None:
    item = Item.model_validate({"id": "1", "name": "a", "new_field": {"x": 1}})
    assert item.model_extra == {"new_field": {"x": 1}}
    assert item.model_dump()["new_field"] == {"x": 1}


def test_open_enum_accepts_unknown_values() -> None:
    item = Item.model_validate({"id": "1", "name": "a", "color": "ultraviolet"})
    color = item.color
    assert color is not None
    assert color == "ultraviolet" and color.value == "ultraviolet"
    assert not color.is_known and Color.RED.is_known
    assert Color("ultraviolet") is color  # pseudo-members are cached
    assert isinstance(color, Color) and isinstance(color, str)
    assert str(color) == "ultraviolet" and str(Color.RED) == "red"
    assert Color("red") is Color.RED
    assert item.model_dump(mode="json")["color"] == "ultraviolet"
    assert list(Color) == [Color.RED, Color.GREEN]  # unknown values do not become members


class Added(BaseModel):
    type: Literal["added"]
    n: int


class Removed(BaseModel):
    type: Literal["removed"]


class UnknownChange(UnknownVariant):
    type: str


Change = Annotated[
    Union[  # noqa: UP007 - the form generated code uses for tagged unions
        Annotated[Added, pydantic.Tag("added")],
        Annotated[Removed, pydantic.Tag("removed")],
        Annotated[UnknownChange, pydantic.Tag(UNKNOWN_TAG)],
    ],
    open_discriminator("type", ["added", "removed"]),
]


def test_open_discriminated_union() -> None:
    adapter = type_adapter(list[Change])
    values = adapter.validate_python(
        [{"type": "added", "n": 1}, {"type": "removed"}, {"type": "renamed", "to": "x"}]
    )
    assert isinstance(values[0], Added) and values[0].n == 1
    assert isinstance(values[1], Removed)
    assert isinstance(values[2], UnknownChange)
    assert values[2].type == "renamed" and values[2].model_extra == {"to": "x"}
