//! The SDK's error type: one [`Error`] enum for everything, with a variant per HTTP status
//! family, connection and timeout failures, and decoding problems.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::retry;

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error the SDK returns.
///
/// Non-2xx answers (after retries are exhausted) become one of the status variants, each carrying
/// a [`StatusError`] with the status, headers, decoded body, request id, `code` and RFC 9457
/// problem document. Use [`Error::status_error`] to reach it whatever the variant.
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
    /// The request could not be built (invalid header value, unserialisable body, bad path).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be configured (invalid base URL or header).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Builds the typed error for a non-2xx answer.
    pub fn from_response(status: reqwest::StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        let error = Box::new(StatusError::new(status, headers, body));
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
                let retry_after = retry::retry_after(&error.headers);
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
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body: decoded JSON, or the text as a JSON string when it is not JSON, or `Null` when
    /// empty.
    pub body: serde_json::Value,
    /// The `X-Request-Id` header (or the body's `request_id` when the header is missing).
    pub request_id: Option<String>,
    /// The body's `code` member, when the body is an object with a string `code`.
    pub code: Option<String>,
    /// The body as an RFC 9457 problem document, when it is one.
    pub problem: Option<Problem>,
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
        let problem = match &body {
            serde_json::Value::Object(map)
                if map.contains_key("title")
                    || map.contains_key("type")
                    || is_problem(&headers) =>
            {
                serde_json::from_value::<Problem>(body.clone()).ok()
            }
            _ => None,
        };
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| {
                body.get("request_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
        StatusError {
            status,
            headers,
            body,
            request_id,
            code,
            problem,
        }
    }

    /// A human-readable message: the problem's `detail` or `title`, a `message` member, or the text.
    pub fn message(&self) -> Option<&str> {
        if let Some(p) = &self.problem {
            if let Some(d) = p.detail.as_deref().or(p.title.as_deref()) {
                return Some(d);
            }
        }
        match &self.body {
            serde_json::Value::String(s) => Some(s.as_str()),
            v => v.get("message").and_then(|m| m.as_str()),
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

/// An RFC 9457 problem details document. Members beyond the standard ones (and `code`,
/// `request_id`) are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// A URI identifying the problem type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// A short summary of the problem type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// An explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A URI reference identifying this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// A stable machine-readable error code (a common extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The request id (a common extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Every other member (for example a list of failing fields).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
