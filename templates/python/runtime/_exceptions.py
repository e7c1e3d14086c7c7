"""The SDK's error hierarchy: every error the runtime raises derives from :class:`APIError`."""

from __future__ import annotations

import json
from typing import Any, Mapping

import httpx

from ._retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIEventValidationError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "APIUserAbortError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EventStreamError",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "WebSocketClosedError",
    "make_status_error",
]


class APIError(Exception):
    """The root of every error raised by the SDK."""

    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIStatusError(APIError):
    """The server answered with a non-2xx status (after any retries)."""

    status_code: int
    headers: httpx.Headers
    body: object
    """The decoded JSON body, else the text (``None`` when empty)."""
    request_id: str | None
    """The body's ``request_id``, else the ``X-Request-Id`` response header."""
    code: str | None
    """The body's machine-readable ``code``, when it has a string one."""
    problem: Any
    """The body decoded as the model the operation declares for this status (the generated
    package types it: ``problem: Problem | None``); ``None`` when it declares none or the body is
    not JSON. Without declarations (a hand-written call) a problem+json body stays a dict."""
    retry_after: float | None
    """Seconds the server asked to wait (``Retry-After-Ms`` / ``Retry-After``), if it said. A 429
    or 503 asking for longer than the client's ``max_retry_after`` is raised at once with it."""
    response: httpx.Response | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        headers: httpx.Headers,
        body: object,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
        problem: Any = None,
    ) -> None:
        if request is None and response is not None:
            try:
                request = response.request
            except RuntimeError:
                request = None
        super().__init__(message, request=request)
        self.status_code = status_code
        self.headers = headers
        self.body = body
        self.response = response
        self.problem = problem
        record = body if isinstance(body, dict) else {}
        body_id = record.get("request_id")
        self.request_id = body_id if isinstance(body_id, str) else headers.get("x-request-id")
        code = record.get("code")
        self.code = code if isinstance(code, str) else None
        self.retry_after = parse_retry_after(headers)

    @property
    def status(self) -> int:
        """Alias of :attr:`status_code` (the name docs/sdk-runtime.md uses)."""
        return self.status_code


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class PreconditionFailedError(APIStatusError):
    """412 (a stale ``If-Match``)."""


class PayloadTooLargeError(APIStatusError):
    """413"""


class UnsupportedMediaTypeError(APIStatusError):
    """415"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429 (``retry_after`` says how long the server asked to wait)."""


class InternalServerError(APIStatusError):
    """Any status >= 500."""


class APIConnectionError(APIError):
    """The request could not be sent or the answer could not be read."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIUserAbortError(APIError):
    """The caller aborted the operation (e.g. closed a stream while it was reconnecting).

    Asyncio cancellation is never converted: ``asyncio.CancelledError`` always propagates.
    """

    def __init__(
        self, message: str = "Request was aborted.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """A 2xx body did not match the declared response type."""

    response: httpx.Response
    body: object

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.body = body


class APIEventValidationError(APIError):
    """An event of a stream or a WebSocket message did not match its declared type. Raised only
    when the client sets ``strict_response_validation=True`` (else events decode leniently, as
    answers do), and for a JSON event whose data is not JSON. It ends the iteration."""

    body: object
    """The decoded JSON of the message (its raw text when it is not JSON)."""

    def __init__(self, message: str, *, body: object) -> None:
        super().__init__(message)
        self.body = body


class WebSocketClosedError(APIError):
    """The WebSocket was closed with a final close code (e.g. 4001 authentication failed)."""

    code: int
    reason: str

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"WebSocket closed with code {code}: {reason or 'no reason'}")
        self.code = code
        self.reason = reason


class EventStreamError(APIError):
    """The server ended an event stream with an ``error`` event (its ``code`` and ``message``).

    ``SLOW_CONSUMER`` (and a code this SDK does not know) is resumable: the stream reconnects with
    the last event id by itself, nothing is lost, and the error is only the reconnect's reason
    (logged; raised once the stream's reconnect attempts are used up). Other codes
    (``EVENTS_EXPIRED``: re-read the state) end the iteration with this error.
    """

    code: str
    resumable: bool

    def __init__(self, code: str, message: str) -> None:
        detail = f": {message}" if message else ""
        super().__init__(f"Event stream ended by the server: {code}{detail}")
        self.code = code
        self.resumable = code != "EVENTS_EXPIRED"


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[APIStatusError]:
    """The :class:`APIStatusError` subclass for a status (plain ``APIStatusError`` if none)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def decode_body(content: bytes, headers: Mapping[str, str]) -> object:
    """Decode an error body: JSON when it parses as JSON, else text, ``None`` when empty."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    content_type = headers.get("content-type", "")
    if "json" in content_type or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def declared_error_type(errors: Mapping[str, Any] | None, status_code: int) -> Any:
    """The type an operation declares for an error status: the exact status, else its range
    (``4XX``), else ``default``; ``None`` when it declares none."""
    if not errors:
        return None
    for key in (str(status_code), f"{status_code // 100}XX", "default"):
        if key in errors:
            return errors[key]
    return None


def make_status_error(
    status_code: int,
    headers: httpx.Headers,
    body: object,
    *,
    response: httpx.Response | None = None,
    request: httpx.Request | None = None,
    errors: Mapping[str, Any] | None = None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer (the class is chosen by the status; the body
    decoded as the model the operation declares for it, leniently: a body that misses a member
    still decodes, keeping what is there)."""
    from ._models import decode_lenient

    problem: Any = None
    declared = declared_error_type(errors, status_code)
    if declared is not None and isinstance(body, (dict, list)):
        problem = decode_lenient(declared, body)
    elif errors is None:
        problem = _problem_of(headers, body)
    record: dict[str, Any] = body if isinstance(body, dict) else {}
    message = f"Error code: {status_code}"
    parts = [record[k] for k in ("code", "title", "detail") if isinstance(record.get(k), str)]
    if parts:
        message += " - " + ": ".join(p for p in parts if p)
    elif isinstance(body, str) and body:
        message += f" - {body[:500]}"
    elif body is not None:
        message += f" - {json.dumps(body)[:500]}"
    cls = error_class_for_status(status_code)
    return cls(
        message,
        status_code=status_code,
        headers=headers,
        body=body,
        response=response,
        request=request,
        problem=problem,
    )


def _problem_of(headers: Mapping[str, str], body: object) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    if "problem+json" in headers.get("content-type", "").lower():
        return {str(k): v for k, v in body.items()}
    return None
