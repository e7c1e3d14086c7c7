"""Model bases for generated code: forward-compatible pydantic models, open enums and open
discriminated unions (docs/sdk-runtime.md, "Decoding")."""

from __future__ import annotations

import collections.abc
import enum
import types
import typing
from typing import Annotated, Any, Callable, Final, Iterable, Literal, TypeVar, cast

import pydantic
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from ._exceptions import APIEventValidationError

__all__ = [
    "NOT_GIVEN",
    "UNKNOWN_TAG",
    "BaseModel",
    "NotGiven",
    "OpenEnum",
    "UnknownVariant",
    "construct_lenient",
    "decode_lenient",
    "message_decoder",
    "open_discriminator",
]


class NotGiven:
    """The type of :data:`NOT_GIVEN`: a member or argument left out, as opposed to ``None``, which
    is sent as JSON ``null``. Request models default their optional members to it, so omit, null
    and a value are three states a type checker tells apart (``SequencePatch(name=None)`` is an
    error where the API does not allow null)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.is_instance_schema(
            cls, serialization=core_schema.plain_serializer_function_ser_schema(lambda _: None)
        )


NOT_GIVEN: Final = NotGiven()
"""Left out: the member is not sent at all (``None`` sends ``null``)."""


class BaseModel(pydantic.BaseModel):
    """Base of every generated model.

    Unknown fields are accepted and kept (``extra="allow"``: readable as attributes and in
    ``model_extra``, and serialised back). Fields are populated by their JSON name (alias) or by
    their Python name. Missing optional fields stay *unset*, so ``model_dump(exclude_unset=True)``
    (what the runtime sends) distinguishes "absent" from an explicit ``None``; a member set to
    :data:`NOT_GIVEN` is never serialised.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )

    @pydantic.model_serializer(mode="wrap")
    def _drop_not_given(self, handler: pydantic.SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name, field in type(self).model_fields.items():
                if getattr(self, name, None) is NOT_GIVEN:
                    data.pop(name, None)
                    if field.serialization_alias is not None:
                        data.pop(field.serialization_alias, None)
        return data


class OpenEnum(str, enum.Enum):
    """Base of generated string enums that accept values this SDK version does not know.

    An unknown value decodes to a pseudo-member (cached, so identity holds) whose ``value`` is the
    raw string and whose ``is_known`` is ``False``; it compares equal to its string like any member.
    Generated code: ``class EventType(OpenEnum): BEAT_ADDED = "beat.added"``.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        # Cache the pseudo-member so the same raw value always gives the same object.
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether this value is one the SDK was generated with."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self.value!r}>"


UNKNOWN_TAG = "__unknown__"
"""The tag of the fallback member of an open discriminated union."""


class UnknownVariant(BaseModel):
    """Fallback member of a discriminated union: a variant this SDK version does not know. Every
    field of the raw JSON object is kept (``model_extra`` / ``model_dump()``)."""


def open_discriminator(
    field: str, known: Iterable[str], *, unknown_tag: str = UNKNOWN_TAG
) -> pydantic.Discriminator:
    """A pydantic discriminator that routes unknown discriminator values to ``unknown_tag``.

    Generated code::

        Event = Annotated[
            Union[
                Annotated[BeatAdded, Tag("beat.added")],
                Annotated[UnknownEvent, Tag(UNKNOWN_TAG)],  # UnknownEvent(UnknownVariant)
            ],
            open_discriminator("type", ["beat.added"]),
        ]
    """
    known_values = frozenset(known)

    def discriminate(value: Any) -> str:
        raw = value.get(field) if isinstance(value, dict) else getattr(value, field, None)
        if isinstance(raw, enum.Enum):
            raw = raw.value
        return raw if isinstance(raw, str) and raw in known_values else unknown_tag

    return pydantic.Discriminator(discriminate)


Decoder = Callable[[Any], Any]

T = TypeVar("T")

_UNION_ORIGINS: Final = (typing.Union, types.UnionType)
_LIST_ORIGINS: Final = (list, typing.List, collections.abc.Sequence)
_DICT_ORIGINS: Final = (dict, typing.Dict, collections.abc.Mapping)


def decode_lenient(tp: Any, data: Any) -> Any:
    """``data`` validated as ``tp``; when it does not fit (a required member missing, a value of
    another type), built leniently instead (see :func:`construct_lenient`)."""
    from ._response import type_adapter

    try:
        return type_adapter(tp).validate_python(data)
    except pydantic.ValidationError:
        return construct_lenient(tp, data)


def message_decoder(tp: type[T], *, strict: bool = False) -> Callable[[Any], T]:
    """A decoder of one event or WebSocket message (JSON already parsed) as ``tp``, following the
    rule for answers: leniently (:func:`decode_lenient`) unless ``strict``, which raises
    :class:`APIEventValidationError` for a message that does not match (never pydantic's own
    error)."""
    from ._response import type_adapter

    adapter = type_adapter(tp)

    def decode(data: Any) -> T:
        try:
            return cast(T, adapter.validate_python(data))
        except pydantic.ValidationError as exc:
            if strict:
                raise APIEventValidationError(
                    f"An event does not match the expected type: {exc}", body=data
                ) from exc
            return cast(T, construct_lenient(tp, data))

    return decode


def construct_lenient(tp: Any, data: Any) -> Any:
    """Build ``tp`` from ``data`` without failing: a model from a JSON object keeps every member
    that decodes (members that do not fit keep their raw JSON value, missing ones stay unset and
    unknown ones are kept as extras); lists and dicts are built item by item; an optional value or
    a union takes the member the data fits (a discriminated union the arm its tag names, else
    the model whose members the object has most of); anything else that does not validate stays
    as it is. This is how an answer from a server that differs from the contract still reaches
    the caller, as openai-python does."""
    return _construct(tp, data, None)


def _construct(tp: Any, data: Any, discriminator: Any) -> Any:
    from ._response import type_adapter

    tp, metadata = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel) and isinstance(data, dict):
        return _construct_model(tp, data)
    if origin in _LIST_ORIGINS and isinstance(data, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [decode_lenient(item, v) for v in data]
    if origin in _DICT_ORIGINS and isinstance(data, dict):
        args = typing.get_args(tp)
        value = args[1] if len(args) == 2 else Any
        return {k: decode_lenient(value, v) for k, v in data.items()}
    if origin in _UNION_ORIGINS:
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        if data is None:
            return data
        arm = _union_arm(members, data, _discriminator_of(metadata) or discriminator)
        if arm is not None:
            return _construct(arm, data, None)
        return data
    try:
        return type_adapter(tp).validate_python(data)
    except (pydantic.ValidationError, TypeError):
        return data


def _construct_model(tp: type[pydantic.BaseModel], data: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    consumed: set[str] = set()
    for name, field in tp.model_fields.items():
        key = next((k for k in _keys(name, field) if k in data), None)
        if key is None:
            continue
        consumed.add(key)
        values[name] = _decode_field(field, data[key])
    if tp.model_config.get("extra") == "allow":
        values.update({k: v for k, v in data.items() if k not in consumed})
    return tp.model_construct(**values)


def _decode_field(field: FieldInfo, value: Any) -> Any:
    from ._response import type_adapter

    annotation = field.rebuild_annotation()
    try:
        if field.discriminator is None:
            return type_adapter(annotation).validate_python(value)
        return type_adapter(
            Annotated[annotation, pydantic.Field(discriminator=field.discriminator)]
        ).validate_python(value)
    except pydantic.ValidationError:
        return _construct(annotation, value, field.discriminator)


def _keys(name: str, field: FieldInfo) -> list[str]:
    return [k for k in (field.validation_alias, field.alias, name) if isinstance(k, str)]


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """``tp`` without ``Annotated`` (also nested), and the metadata it carried."""
    metadata: list[Any] = []
    while typing.get_origin(tp) is Annotated:
        tp, *extra = typing.get_args(tp)
        metadata.extend(extra)
    return tp, metadata


def _discriminator_of(metadata: list[Any]) -> Any:
    for item in metadata:
        if isinstance(item, pydantic.Discriminator):
            return item
        found = getattr(item, "discriminator", None)  # Field(discriminator=...)
        if found is not None:
            return found
    return None


def _union_arm(members: list[Any], data: Any, discriminator: Any) -> Any:
    """The member of a union that ``data`` is built as, or ``None`` to keep it raw."""
    if isinstance(data, dict) and discriminator is not None:
        arm = _tagged_arm(members, data, discriminator)
        if arm is not None:
            return arm
    if isinstance(data, dict):
        best, score = None, -1
        for member in members:
            bare = _unwrap(member)[0]
            if isinstance(bare, type) and issubclass(bare, pydantic.BaseModel):
                known = {k for n, f in bare.model_fields.items() for k in _keys(n, f)}
                overlap = len(known & data.keys())
                if overlap > score:
                    best, score = member, overlap
            elif best is None and typing.get_origin(bare) in _DICT_ORIGINS:
                best, score = member, 0
        return best
    if isinstance(data, list):
        return next((m for m in members if typing.get_origin(_unwrap(m)[0]) in _LIST_ORIGINS), None)
    return None


def _tagged_arm(members: list[Any], data: dict[str, Any], discriminator: Any) -> Any:
    """The arm of a discriminated union that ``data``'s tag names."""
    if isinstance(discriminator, pydantic.Discriminator):
        chosen = discriminator.discriminator
        if callable(chosen):
            tag = chosen(data)
            for member in members:
                if any(isinstance(m, pydantic.Tag) and m.tag == tag for m in _unwrap(member)[1]):
                    return member
            return None
        discriminator = chosen
    if not isinstance(discriminator, str):
        return None
    tag = data.get(discriminator)
    for member in members:
        bare = _unwrap(member)[0]
        if not (isinstance(bare, type) and issubclass(bare, pydantic.BaseModel)):
            continue
        for name, field in bare.model_fields.items():
            if discriminator in _keys(name, field):
                annotation = _unwrap(field.annotation)[0]
                if typing.get_origin(annotation) is Literal and tag in typing.get_args(annotation):
                    return member
    return None
