"""Model bases for generated code: forward-compatible pydantic models, open enums and open
discriminated unions (docs/sdk-runtime.md, "Decoding")."""

from __future__ import annotations

import enum
import typing
from typing import Any, Callable, Final, Iterable, Literal

import pydantic
from pydantic_core import core_schema

__all__ = [
    "NOT_GIVEN",
    "UNKNOWN_TAG",
    "BaseModel",
    "NotGiven",
    "OpenEnum",
    "UnknownVariant",
    "construct_lenient",
    "decode_lenient",
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


def decode_lenient(tp: Any, data: Any) -> Any:
    """``data`` validated as ``tp``; when it does not fit (a required member missing, a value of
    another type), built leniently instead (see :func:`construct_lenient`)."""
    from ._response import type_adapter

    try:
        return type_adapter(tp).validate_python(data)
    except pydantic.ValidationError:
        return construct_lenient(tp, data)


def construct_lenient(tp: Any, data: Any) -> Any:
    """Build ``tp`` from ``data`` without failing: a model from a JSON object keeps every member
    that decodes (members that do not fit keep their raw JSON value, missing ones stay unset and
    unknown ones are kept as extras); a list is built item by item; anything else that does not
    validate stays as it is. This is how an answer from a server that differs from the contract
    still reaches the caller, as openai-python does."""
    from ._response import type_adapter

    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel) and isinstance(data, dict):
        values: dict[str, Any] = {}
        consumed: set[str] = set()
        for name, field in tp.model_fields.items():
            keys = [k for k in (field.validation_alias, field.alias, name) if isinstance(k, str)]
            key = next((k for k in keys if k in data), None)
            if key is None:
                continue
            consumed.add(key)
            values[name] = decode_lenient(field.annotation, data[key])
        extra = {k: v for k, v in data.items() if k not in consumed}
        if tp.model_config.get("extra") == "allow":
            values.update(extra)
        return tp.model_construct(**values)
    if origin in (list, typing.List) and isinstance(data, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [decode_lenient(item, v) for v in data]
    try:
        return type_adapter(tp).validate_python(data)
    except (pydantic.ValidationError, TypeError):
        return data
