"""Forward-compatible decoding: unknown fields kept, unknown enum values and unknown union
variants tolerated."""

from __future__ import annotations

from typing import Annotated, Dict, List, Literal, Union

import pydantic
from fakesdk import Color, Item
from fakesdk._core import (
    UNKNOWN_TAG,
    BaseModel,
    UnknownVariant,
    construct_lenient,
    decode_lenient,
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


class FieldError(BaseModel):
    field: str
    code: str


class Problem(BaseModel):
    code: str
    errors: List[FieldError] | None = None
    by_field: Dict[str, FieldError] | None = None
    grid: List[List[FieldError]] = pydantic.Field(default_factory=list)


class Envelope(BaseModel):
    change: Change
    tagged: Union[Added, Removed] = pydantic.Field(discriminator="type")  # noqa: UP007
    either: Union[FieldError, Added, None] = None  # noqa: UP007
    note: str | None = None


def test_lenient_decoding_recurses_through_optional_lists_dicts_and_nested_lists() -> None:
    problem = decode_lenient(
        Problem,
        {
            "code": "VALIDATION_FAILED",
            "errors": [{"field": "/name"}, {"field": "/length", "code": "minimum"}],
            "by_field": {"/name": {"field": "/name"}},
            "grid": [[{"code": "x"}]],
        },
    )
    assert isinstance(problem, Problem)
    assert problem.errors is not None
    assert [type(e) for e in problem.errors] == [FieldError, FieldError]
    assert problem.errors[0].field == "/name" and "code" not in problem.errors[0].model_fields_set
    assert problem.errors[1].code == "minimum"
    assert problem.by_field is not None and problem.by_field["/name"].field == "/name"
    assert isinstance(problem.grid[0][0], FieldError) and problem.grid[0][0].code == "x"
    assert decode_lenient(Problem, {"code": "X", "errors": None}).errors is None


def test_lenient_decoding_picks_union_arms_by_tag_else_by_members() -> None:
    envelope = decode_lenient(
        Envelope,
        {
            "change": {"type": "added", "extra": 1},  # `n` missing
            "tagged": {"type": "removed", "at": 3},
            "either": {"field": "/x"},  # fits FieldError best (one member of two)
            "note": 5,  # a scalar of another type stays raw
        },
    )
    assert isinstance(envelope.change, Added) and envelope.change.model_extra == {"extra": 1}
    assert isinstance(envelope.tagged, Removed) and envelope.tagged.model_extra == {"at": 3}
    assert isinstance(envelope.either, FieldError) and envelope.either.field == "/x"
    assert envelope.note == 5
    unknown = decode_lenient(Change, {"type": "renamed", "to": 1})
    assert isinstance(unknown, UnknownChange) and unknown.type == "renamed"
    assert isinstance(construct_lenient(Change, {"type": "added"}), Added)
    assert construct_lenient(List[Added] | None, "not a list") == "not a list"
