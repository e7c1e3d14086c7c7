"""The SDK's error hierarchy: every error the runtime raises derives from :class:`APIError`."""

from __future__ import annotations

import json
from typing import Any, Mapping

import httpx

from ._retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "APIUserAbortError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
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
    """The ``X-Request-Id`` response header."""
    code: str | None
    """The problem's machine-readable ``code`` when the body is problem+json."""
    problem: dict[str, Any] | None
    """The problem+json body (RFC 9457) when the answer carries one."""
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
        self.request_id = headers.get("x-request-id")
        problem = _problem_of(headers, body)
        self.problem = problem
        code = problem.get("code") if problem is not None else None
        self.code = code if isinstance(code, str) else None

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
    """429"""

    retry_after: float | None
    """Seconds the server asked to wait (``Retry-After-Ms`` / ``Retry-After``), if it said."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        headers: httpx.Headers,
        body: object,
        response: httpx.Response | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            headers=headers,
            body=body,
            response=response,
            request=request,
        )
        self.retry_after = parse_retry_after(headers)


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


class WebSocketClosedError(APIError):
    """The WebSocket was closed with a final close code (e.g. 4001 authentication failed)."""

    code: int
    reason: str

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"WebSocket closed with code {code}: {reason or 'no reason'}")
        self.code = code
        self.reason = reason


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


def make_status_error(
    status_code: int,
    headers: httpx.Headers,
    body: object,
    *,
    response: httpx.Response | None = None,
    request: httpx.Request | None = None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer (the class is chosen by the status)."""
    problem = _problem_of(headers, body)
    message = f"Error code: {status_code}"
    if problem is not None:
        title = problem.get("title")
        detail = problem.get("detail")
        code = problem.get("code")
        parts = [str(p) for p in (code, title, detail) if isinstance(p, str) and p]
        if parts:
            message += " - " + ": ".join(parts)
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
    )


def _problem_of(headers: Mapping[str, str], body: object) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    content_type = headers.get("content-type", "").lower()
    looks_like_problem = "title" in body and "status" in body
    if "problem+json" in content_type or looks_like_problem:
        return {str(k): v for k, v in body.items()}
    return None
