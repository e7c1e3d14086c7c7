"""Model bases for generated code: forward-compatible pydantic models, open enums and open
discriminated unions (docs/sdk-runtime.md, "Decoding")."""

from __future__ import annotations

import enum
from typing import Any, Callable, Iterable

import pydantic

__all__ = ["UNKNOWN_TAG", "BaseModel", "OpenEnum", "UnknownVariant", "open_discriminator"]


class BaseModel(pydantic.BaseModel):
    """Base of every generated model.

    Unknown fields are accepted and kept (``extra="allow"``: readable as attributes and in
    ``model_extra``, and serialised back). Fields are populated by their JSON name (alias) or by
    their Python name. Missing optional fields stay *unset*, so ``model_dump(exclude_unset=True)``
    (what the runtime sends) distinguishes "absent" from an explicit ``None``.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )


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
