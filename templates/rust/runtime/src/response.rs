//! [`ApiResponse`]: a decoded value together with the answer it came from.

use reqwest::header::HeaderMap;

/// The parsed value of an answer together with its status, headers and request id; what the
/// `*_with_response` twin of every generated method returns.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The `X-Request-Id` header, when present.
    pub request_id: Option<String>,
    /// The decoded body.
    pub data: T,
}

impl<T> ApiResponse<T> {
    /// Builds a response; `request_id` is read from `X-Request-Id`.
    pub fn new(status: reqwest::StatusCode, headers: HeaderMap, data: T) -> Self {
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        ApiResponse {
            status,
            headers,
            request_id,
            data,
        }
    }

    /// Transforms the data, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            data: f(self.data),
        }
    }

    /// A header's value as text, when present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Drops status and headers.
    pub fn into_data(self) -> T {
        self.data
    }
}
