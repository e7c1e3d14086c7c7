"""The hand-written runtime of the generated Python SDK (copied verbatim as ``<package>/_core``).

Generated code imports from here only; this package imports only httpx, pydantic, websockets
and the standard library, always through relative imports inside itself.
"""

from ._async_client import AsyncAPIClient
from ._base_client import BaseClient
from ._client import SyncAPIClient
from ._etag import ETagInput, HasVersion, format_etag
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
    EventStreamError,
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
from ._models import (
    NOT_GIVEN,
    UNKNOWN_TAG,
    BaseModel,
    NotGiven,
    OpenEnum,
    UnknownVariant,
    construct_lenient,
    decode_lenient,
    open_discriminator,
)
from ._multipart import FileContent, FileTypes, Multipart
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT,
    IDEMPOTENCY_KEY_HEADER,
    ClientConfig,
    RequestOptions,
    RequestSpec,
    TimeoutTypes,
    request_options,
)
from ._pagination import AsyncCursorPage, AsyncPageRequest, SyncCursorPage, link_next
from ._response import (
    APIResponse,
    async_to_raw_response_wrapper,
    to_raw_response_wrapper,
    type_adapter,
)
from ._sse import ServerSentEvent, SSEDecoder, event_decoder, json_decoder
from ._streaming import AsyncEventStream, SyncEventStream
from ._style import (
    Styled,
    joined_object,
    style_cookie,
    style_header,
    style_path,
    style_value,
)
from ._utils import body_from, cookie_header, deep_object_query, delimited, encode_form_body
from ._websocket import AsyncWebSocketClient, WebSocketProtocol
from ._websocket_sync import SyncWebSocketClient

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_KEY_HEADER",
    "NOT_GIVEN",
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
    "ETagInput",
    "ConflictError",
    "EventStreamError",
    "FileContent",
    "FileTypes",
    "HasVersion",
    "InternalServerError",
    "Multipart",
    "NotFoundError",
    "NotGiven",
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
    "Styled",
    "SyncWebSocketClient",
    "TimeoutTypes",
    "UnknownVariant",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "WebSocketClosedError",
    "WebSocketProtocol",
    "async_to_raw_response_wrapper",
    "body_from",
    "construct_lenient",
    "cookie_header",
    "decode_lenient",
    "deep_object_query",
    "delimited",
    "encode_form_body",
    "event_decoder",
    "format_etag",
    "joined_object",
    "json_decoder",
    "make_status_error",
    "open_discriminator",
    "request_options",
    "style_cookie",
    "style_header",
    "style_path",
    "style_value",
    "to_raw_response_wrapper",
    "type_adapter",
    "link_next",
]
