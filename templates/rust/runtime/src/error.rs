//! The SDK's error type: one [`Error`] enum for everything, with a variant per HTTP status
//! family, connection and timeout failures, and decoding problems.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::retry;

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error the SDK returns.
///
/// Non-2xx answers (after retries are exhausted) become one of the status variants, each carrying
/// a [`StatusError`] with the status, headers, body, request id, `code`, `Retry-After` and the
/// body decoded as the error model the operation declares for that status (the generated crate
/// adds typed accessors such as `problem()`). Use [`Error::status_error`] to reach it whatever
/// the variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400 Bad Request.
    #[error("bad request: {0}")]
    BadRequest(Box<StatusError>),
    /// 401 Unauthorized: missing or unknown credentials.
    #[error("authentication failed: {0}")]
    Authentication(Box<StatusError>),
    /// 403 Forbidden: the credentials may not perform this operation.
    #[error("permission denied: {0}")]
    PermissionDenied(Box<StatusError>),
    /// 404 Not Found.
    #[error("not found: {0}")]
    NotFound(Box<StatusError>),
    /// 409 Conflict.
    #[error("conflict: {0}")]
    Conflict(Box<StatusError>),
    /// 412 Precondition Failed (for example a stale `If-Match`).
    #[error("precondition failed: {0}")]
    PreconditionFailed(Box<StatusError>),
    /// 413 Content Too Large.
    #[error("payload too large: {0}")]
    PayloadTooLarge(Box<StatusError>),
    /// 415 Unsupported Media Type.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(Box<StatusError>),
    /// 422 Unprocessable Content (validation failed).
    #[error("unprocessable entity: {0}")]
    UnprocessableEntity(Box<StatusError>),
    /// 429 Too Many Requests.
    #[error("rate limited: {error}")]
    RateLimit {
        /// The answer.
        error: Box<StatusError>,
        /// How long the server asked to wait (`Retry-After-Ms` / `Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// Any status >= 500.
    #[error("server error: {0}")]
    InternalServer(Box<StatusError>),
    /// Any other non-2xx status.
    #[error("unexpected status: {0}")]
    Status(Box<StatusError>),
    /// The request could not be sent or the response not read (DNS, refused, reset, TLS, ...).
    #[error("connection error: {message}")]
    Connection {
        /// What went wrong.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The attempt took longer than the timeout (a kind of connection error, see
    /// [`Error::is_connection`]).
    #[error("request timed out")]
    Timeout,
    /// A 2xx answer (or an event) whose body did not decode into the expected type.
    #[error("could not decode the response: {message}")]
    Decode {
        /// What went wrong.
        message: String,
        /// The body that failed to decode (possibly truncated to 4 KiB).
        body: String,
        /// The serde error.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A WebSocket was closed by the server with a close code after which the client does not
    /// reconnect (for example 4001 authentication failed).
    #[error("WebSocket closed with code {code}: {reason}")]
    WebSocketClosed {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// The server ended an event stream with an `error` event (`{"type":"error","code":...}`).
    /// The stream yields it as an item: after `SLOW_CONSUMER` (or a code this SDK does not know)
    /// it reconnects with the last event id and continues, nothing lost; after
    /// `EVENTS_EXPIRED` (re-read the state) it ends. See [`Error::is_resumable_stream_end`].
    #[error("event stream ended by the server: {code}: {message}")]
    EventStreamEnded {
        /// Why (`SLOW_CONSUMER`, `EVENTS_EXPIRED`, ...).
        code: String,
        /// The server's explanation.
        message: String,
    },
    /// The request could not be built (invalid header value, unserialisable body, bad path).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be configured (invalid base URL or header).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// No OAuth2 access token: the token endpoint refused the client credentials (its `error`
    /// and `error_description`), or could not be reached.
    #[error("OAuth2: {0}")]
    OAuth2(String),
}

/// Decodes an error body into the model an operation declares for a status (`None` when the body
/// does not decode). Generated code lists them per operation with [`decode_error`].
pub type ErrorDecoder = fn(&[u8]) -> Option<Arc<dyn Any + Send + Sync>>;

/// The [`ErrorDecoder`] of a model: its JSON decoding (serde, as for successes).
pub fn decode_error<T: DeserializeOwned + Send + Sync + 'static>(
    body: &[u8],
) -> Option<Arc<dyn Any + Send + Sync>> {
    serde_json::from_slice::<T>(body)
        .ok()
        .map(|value| Arc::new(value) as Arc<dyn Any + Send + Sync>)
}

/// The decoder an operation declares for `status`: the exact status, else its range (`4XX`), else
/// `default`.
pub fn declared_decoder(
    errors: &[(&'static str, ErrorDecoder)],
    status: reqwest::StatusCode,
) -> Option<ErrorDecoder> {
    let exact = status.as_u16().to_string();
    let range = format!("{}XX", status.as_u16() / 100);
    [exact.as_str(), range.as_str(), "default"]
        .iter()
        .find_map(|key| errors.iter().find(|(k, _)| k == key).map(|(_, d)| *d))
}

impl Error {
    /// Builds the typed error for a non-2xx answer.
    pub fn from_response(status: reqwest::StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        Self::from_response_declared(status, headers, body, &[])
    }

    /// Builds the typed error for a non-2xx answer, its body decoded with the model the operation
    /// declares for the status in `errors`.
    pub fn from_response_declared(
        status: reqwest::StatusCode,
        headers: HeaderMap,
        body: &[u8],
        errors: &[(&'static str, ErrorDecoder)],
    ) -> Self {
        let mut error = StatusError::new(status, headers, body);
        error.decoded = declared_decoder(errors, status).and_then(|decode| decode(body));
        let error = Box::new(error);
        match status.as_u16() {
            400 => Error::BadRequest(error),
            401 => Error::Authentication(error),
            403 => Error::PermissionDenied(error),
            404 => Error::NotFound(error),
            409 => Error::Conflict(error),
            412 => Error::PreconditionFailed(error),
            413 => Error::PayloadTooLarge(error),
            415 => Error::UnsupportedMediaType(error),
            422 => Error::UnprocessableEntity(error),
            429 => {
                let retry_after = error.retry_after;
                Error::RateLimit { error, retry_after }
            }
            500..=599 => Error::InternalServer(error),
            _ => Error::Status(error),
        }
    }

    /// The status answer behind this error, for any status variant.
    pub fn status_error(&self) -> Option<&StatusError> {
        match self {
            Error::BadRequest(e)
            | Error::Authentication(e)
            | Error::PermissionDenied(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::PreconditionFailed(e)
            | Error::PayloadTooLarge(e)
            | Error::UnsupportedMediaType(e)
            | Error::UnprocessableEntity(e)
            | Error::RateLimit { error: e, .. }
            | Error::InternalServer(e)
            | Error::Status(e) => Some(e),
            _ => None,
        }
    }

    /// For [`Error::EventStreamEnded`]: whether the stream resumes by itself (every code but
    /// `EVENTS_EXPIRED`).
    pub fn is_resumable_stream_end(&self) -> bool {
        matches!(self, Error::EventStreamEnded { code, .. } if code != "EVENTS_EXPIRED")
    }

    /// The HTTP status, for status errors.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.status_error().map(|e| e.status)
    }

    /// The request id (`X-Request-Id`), for status errors.
    pub fn request_id(&self) -> Option<&str> {
        self.status_error().and_then(|e| e.request_id.as_deref())
    }

    /// The machine-readable `code` of the error body, for status errors.
    pub fn code(&self) -> Option<&str> {
        self.status_error().and_then(|e| e.code.as_deref())
    }

    /// How long the server asked to wait (`Retry-After-Ms` / `Retry-After`), for status errors
    /// that said. A 429 or 503 asking for longer than the client's `max_retry_after` is returned
    /// at once with it.
    pub fn retry_after(&self) -> Option<Duration> {
        self.status_error().and_then(|e| e.retry_after)
    }

    /// The variant's name in snake case (the `error_kind` field of the `tracing` events).
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "bad_request",
            Error::Authentication(_) => "authentication",
            Error::PermissionDenied(_) => "permission_denied",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::PreconditionFailed(_) => "precondition_failed",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::UnprocessableEntity(_) => "unprocessable_entity",
            Error::RateLimit { .. } => "rate_limit",
            Error::InternalServer(_) => "internal_server",
            Error::Status(_) => "status",
            Error::Connection { .. } => "connection",
            Error::Timeout => "timeout",
            Error::Decode { .. } => "decode",
            Error::WebSocketClosed { .. } => "websocket_closed",
            Error::EventStreamEnded { .. } => "event_stream_ended",
            Error::InvalidRequest(_) => "invalid_request",
            Error::Config(_) => "config",
            Error::OAuth2(_) => "oauth2",
        }
    }

    /// Whether this is a connection error, timeouts included.
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection { .. } | Error::Timeout)
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    pub(super) fn connection(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Connection {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    pub(super) fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Error::Timeout
        } else {
            let message = error.to_string();
            Error::connection(message, error)
        }
    }

    pub(super) fn decode(error: serde_json::Error, body: &[u8]) -> Self {
        let shown = &body[..body.len().min(4096)];
        Error::Decode {
            message: error.to_string(),
            body: String::from_utf8_lossy(shown).into_owned(),
            source: Some(error),
        }
    }
}

/// A non-2xx answer: everything the server said.
#[derive(Clone)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body: decoded JSON, or the text as a JSON string when it is not JSON, or `Null` when
    /// empty.
    pub body: serde_json::Value,
    /// The body's `request_id` member, else the `X-Request-Id` header.
    pub request_id: Option<String>,
    /// The body's `code` member, when the body is an object with a string `code`.
    pub code: Option<String>,
    /// How long the server asked to wait (`Retry-After-Ms` / `Retry-After`), if it said.
    pub retry_after: Option<Duration>,
    /// The body decoded as the error model the operation declares for this status.
    decoded: Option<Arc<dyn Any + Send + Sync>>,
}

impl fmt::Debug for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusError")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("request_id", &self.request_id)
            .field("code", &self.code)
            .field("retry_after", &self.retry_after)
            .field("decoded", &self.decoded.is_some())
            .finish()
    }
}

impl StatusError {
    /// Decodes an answer's status, headers and body.
    pub fn new(status: reqwest::StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        let body: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(body).into_owned())
            })
        };
        let code = body.get("code").and_then(|c| c.as_str()).map(str::to_owned);
        let request_id = body
            .get("request_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .or_else(|| {
                headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            });
        let retry_after = retry::retry_after(&headers);
        StatusError {
            status,
            headers,
            body,
            request_id,
            code,
            retry_after,
            decoded: None,
        }
    }

    /// The body decoded as `T`, when the operation declares `T` for this status and the body
    /// decoded (the generated crate offers typed accessors, such as `problem()`).
    pub fn decoded<T: Any>(&self) -> Option<&T> {
        self.decoded.as_deref().and_then(|d| d.downcast_ref::<T>())
    }

    /// Whether the body is an RFC 9457 problem document (`application/problem+json`).
    pub fn is_problem(&self) -> bool {
        is_problem(&self.headers)
    }

    /// A human-readable message: the body's `detail`, `title` or `message`, or the text.
    pub fn message(&self) -> Option<&str> {
        match &self.body {
            serde_json::Value::String(s) => Some(s.as_str()),
            v => ["detail", "title", "message"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|m| m.as_str())),
        }
    }
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("problem+json"))
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = self.message() {
            let short: String = message.chars().take(500).collect();
            write!(f, ": {short}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}
