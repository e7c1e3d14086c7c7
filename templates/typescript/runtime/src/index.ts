// The public API of the hand-written SDK runtime. Generated code imports from here (or the files directly).
export { type APIPromise, type APIResponseProps, defaultParse, type WithResponse } from "./core/api-promise.ts";
export { BaseClient } from "./core/client.ts";
export {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type DeclaredErrors,
  declaresError,
  EventStreamError,
  errorClassForStatus,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  PreconditionFailedError,
  RateLimitError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
  WebSocketClosedError,
} from "./core/errors.ts";
export { ClientCredentials, type OAuth2Config } from "./core/oauth.ts";
export type {
  BinaryBody,
  ClientConfig,
  ClientOptions,
  Fetch,
  HTTPMethod,
  Logger,
  RequestOptions,
  RequestSpec,
} from "./core/options.ts";
export {
  CursorPage,
  linkNext,
  type PageBody,
  type PageFields,
  type PagePromise,
  type PageStyle,
} from "./core/pagination.ts";
export { EventStream, type EventStreamOptions, type ServerSentEvent, SSEParser } from "./core/streaming.ts";
export {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  type PingableWebSocket,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  toWebSocketURL,
  type WebSocketFactory,
  type WebSocketLike,
  type WebSocketProtocol,
} from "./core/websocket.ts";
export { type ETagInput, formatETag } from "./internal/etag.ts";
export type { HeadersInit_ as HeadersInput } from "./internal/headers.ts";
export { multipartBody, type Uploadable } from "./internal/multipart.ts";
export {
  cookieHeader,
  deepObjectQuery,
  delimitedQuery,
  type QueryParams,
  type QueryValue,
  stringifyForm,
} from "./internal/query.ts";
export {
  joinedObject,
  type ParameterStyle,
  Styled,
  type StyleValue,
  styleCookie,
  styleHeader,
  stylePath,
  styleValue,
} from "./internal/style.ts";
