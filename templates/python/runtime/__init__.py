"""The hand-written runtime of the generated Python SDK (copied verbatim as ``<package>/_core``).

Generated code imports from here only; this package imports only httpx, pydantic, websockets
and the standard library, always through relative imports inside itself.
"""

from ._client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    IDEMPOTENCY_KEY_HEADER,
    AsyncAPIClient,
    BaseClient,
    ClientConfig,
    RequestOptions,
    RequestSpec,
    SyncAPIClient,
    TimeoutTypes,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    WebSocketClosedError,
    make_status_error,
)
from ._models import UNKNOWN_TAG, BaseModel, OpenEnum, UnknownVariant, open_discriminator
from ._pagination import AsyncCursorPage, AsyncPageRequest, SyncCursorPage
from ._response import (
    APIResponse,
    async_to_raw_response_wrapper,
    to_raw_response_wrapper,
    type_adapter,
)
from ._sse import ServerSentEvent, SSEDecoder, event_decoder, json_decoder
from ._streaming import AsyncEventStream, SyncEventStream
from ._utils import cookie_header, deep_object_query, delimited, encode_form_body
from ._websocket import AsyncWebSocketClient, WebSocketProtocol

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_KEY_HEADER",
    "UNKNOWN_TAG",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "APIUserAbortError",
    "AsyncAPIClient",
    "AsyncCursorPage",
    "AsyncEventStream",
    "AsyncPageRequest",
    "AsyncWebSocketClient",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "BaseModel",
    "ClientConfig",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "OpenEnum",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "RequestOptions",
    "RequestSpec",
    "SSEDecoder",
    "ServerSentEvent",
    "SyncAPIClient",
    "SyncCursorPage",
    "SyncEventStream",
    "TimeoutTypes",
    "UnknownVariant",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "WebSocketClosedError",
    "WebSocketProtocol",
    "async_to_raw_response_wrapper",
    "cookie_header",
    "deep_object_query",
    "delimited",
    "encode_form_body",
    "event_decoder",
    "json_decoder",
    "make_status_error",
    "open_discriminator",
    "to_raw_response_wrapper",
    "type_adapter",
]
