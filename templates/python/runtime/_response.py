"""Raw response access: :class:`APIResponse` and the ``with_raw_response`` wrappers."""

from __future__ import annotations

import contextvars
import functools
import logging
from typing import Any, Awaitable, Callable, Generic, ParamSpec, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError
from ._utils import is_json_media_type

__all__ = [
    "APIResponse",
    "async_to_raw_response_wrapper",
    "to_raw_response_wrapper",
]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

_NoneType = type(None)
_RAW_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sdk_raw_response", default=False
)


def _take_raw_response_flag() -> bool:
    """Read and clear the raw-response request flag (so nested requests are unaffected)."""
    if _RAW_RESPONSE.get():
        _RAW_RESPONSE.set(False)
        return True
    return False


@functools.lru_cache(maxsize=512)
def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def type_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """A cached ``pydantic.TypeAdapter`` for ``tp`` (falls back to an uncached one when ``tp`` is
    not hashable)."""
    try:
        return _adapter(tp)
    except TypeError:
        return pydantic.TypeAdapter(tp)


def validate_as(tp: type[T], data: object, *, response: httpx.Response, strict: bool = True) -> T:
    """Validate decoded JSON ``data`` as ``tp``. A mismatch raises APIResponseValidationError when
    ``strict``; otherwise the value is built leniently (what fits is kept, what does not stays raw),
    so an answer from a server that differs from the contract still reaches the caller."""
    if tp is object or tp is Any:
        return cast(T, data)
    try:
        return cast(T, type_adapter(tp).validate_python(data))
    except pydantic.ValidationError as exc:
        if not strict:
            from ._models import construct_lenient

            logging.getLogger(__name__).debug("Decoding leniently: %s", exc)
            return cast(T, construct_lenient(tp, data))
        raise APIResponseValidationError(
            f"The response body does not match the expected type: {exc}",
            response=response,
            body=data,
        ) from exc


class APIResponse(Generic[T]):
    """One HTTP answer (body already read) plus how to parse it.

    ``parse()`` returns what the plain method returns; ``status_code``, ``headers``, ``request_id``
    and the underlying ``http_response`` are available without a second request.
    """

    def __init__(
        self,
        *,
        http_response: httpx.Response,
        cast_to: type[T],
        parser: Callable[[APIResponse[T]], T] | None = None,
        retries_taken: int = 0,
        strict: bool = True,
    ) -> None:
        self.strict = strict
        """Whether a body that does not match ``cast_to`` raises (else it decodes leniently)."""
        self.http_response = http_response
        self.cast_to = cast_to
        self.retries_taken = retries_taken
        self._parser = parser
        self._parsed: list[T] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` response header."""
        value: str | None = self.http_response.headers.get("x-request-id")
        return value

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return self.http_response.json()

    def parse(self) -> T:
        """The parsed body (computed once): a model/type validated by pydantic, ``None`` for
        ``cast_to=type(None)`` or an empty body, ``str``/``bytes`` as such."""
        if not self._parsed:
            self._parsed.append(self._parser(self) if self._parser else self._default_parse())
        return self._parsed[0]

    def _default_parse(self) -> T:
        cast_to: Any = self.cast_to
        response = self.http_response
        if cast_to is _NoneType:
            return cast(T, None)
        if cast_to is httpx.Response:
            return cast(T, response)
        if cast_to is bytes:
            return cast(T, response.content)
        if cast_to is str and not (
            response.content and is_json_media_type(response.headers.get("content-type", ""))
        ):
            return cast(T, response.text)
        if not response.content:
            return validate_as(self.cast_to, None, response=response, strict=self.strict)
        if cast_to is not object and cast_to is not Any:
            # The common case in one step: pydantic parses and validates the bytes (faster than
            # json.loads, then validate_python). Anything it refuses (a mismatch, JSON that is
            # not UTF-8 or not JSON) takes the path below, which decides as before.
            try:
                return cast(T, type_adapter(cast_to).validate_json(response.content))
            except pydantic.ValidationError:
                pass
        try:
            data = response.json()
        except ValueError as exc:
            raise APIResponseValidationError(
                f"The response body is not valid JSON: {exc}", response=response, body=response.text
            ) from exc
        return validate_as(self.cast_to, data, response=response, strict=self.strict)

    def __repr__(self) -> str:
        return (
            f"<APIResponse [{self.status_code}] {self.method} {self.url} "
            f"request_id={self.request_id!r}>"
        )


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """Wrap a generated sync method so it returns the :class:`APIResponse` instead of the parsed
    value (the method's request is the same; the flag travels in a context variable)."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[R]", func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[APIResponse[R]]]:
    """The async twin of :func:`to_raw_response_wrapper` (also for paginated methods, whose
    result is awaited for the first page)."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = _RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[R]", await func(*args, **kwargs))
        finally:
            _RAW_RESPONSE.reset(token)

    return wrapped
