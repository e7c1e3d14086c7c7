//! The hand-written runtime of the SDK: HTTP client with one request loop (auth, retries,
//! idempotency keys, timeouts), typed errors, raw responses, cursor pagination, Server-Sent
//! Events and a reconnecting WebSocket client.
//!
//! Generated models and resources call this module; it knows nothing about any particular API.
//! Everything API-specific (base URL, API-key header name, environment variable names, SDK name
//! and version, paths, message-type names) is passed in by generated code through
//! [`ClientConfig`], [`RequestSpec`] and [`WsProtocol`].
//!
//! The generator copies this directory verbatim into the generated crate as `src/runtime/`.
//! Files refer to each other only through `super::` paths, so the tree compiles wherever it is
//! mounted; the one exception is the [`open_enum!`](crate::open_enum) macro, which expands in
//! the caller's crate and therefore names `$crate::runtime::…` (the runtime must be mounted as
//! `crate::runtime`).

mod builder;
pub mod client;
pub mod datetime;
pub mod enums;
pub mod error;
pub mod etag;
mod log;
pub mod multipart;
mod oauth;
pub mod pagination;
mod pending;
pub mod query;
mod request;
pub mod response;
pub mod retry;
pub mod sse;
mod sse_parser;
pub mod style;
pub mod websocket;
mod ws_keepalive;
mod ws_options;
mod ws_task;

pub use client::{
    BoxFuture, Client, ClientBuilder, ClientConfig, LogLevel, Logger, PendingRequest,
    RequestOptions, RequestParams, RequestSpec,
};
pub use datetime::DateTime;
pub use enums::OpenEnum;
pub use error::{decode_error, Error, ErrorDecoder, Result, StatusError};
pub use etag::ETag;
pub use multipart::{FilePart, Multipart};
pub use pagination::{link_next, Page, PageStyle, Paginator};
pub use query::{fmt_json_scalar, QueryValue};
pub use response::ApiResponse;
pub use sse::{EventStream, SseMessage, SseParser};
pub use style::Style;
pub use websocket::{WebSocket, WsOptions, WsProtocol};

/// Re-exports of the HTTP types that appear in the runtime's API.
pub mod http {
    pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    pub use reqwest::{Method, StatusCode};
}
