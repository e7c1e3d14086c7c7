//! [`PendingRequest`]: a request not yet sent, with its per-request [`RequestOptions`].

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::client::Client;
use super::error::Result;
use super::etag::ETag;
use super::request::RequestSpec;
use super::response::ApiResponse;

/// Per-request overrides of the client's options.
#[derive(Debug, Clone, Default)]
#[must_use]
#[non_exhaustive]
pub struct RequestOptions {
    /// The timeout of each attempt.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// Extra headers; they win over all others. `None` removes a header.
    pub headers: Vec<(String, Option<String>)>,
    /// The idempotency key to send (instead of a generated one); also makes the request retryable
    /// on any operation, as the caller asserts the server honours it.
    pub idempotency_key: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the timeout of each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Sets the number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }
    /// Adds a header that wins over all others.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), Some(value.into())));
        self
    }
    /// Removes a header the client would send.
    pub fn remove_header(mut self, name: impl Into<String>) -> Self {
        self.headers.push((name.into(), None));
        self
    }
    /// Sets the `Idempotency-Key`.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// A request not yet sent, returned by generated methods. `.await` it for the decoded value;
/// [`with_response`](Self::with_response) for an [`ApiResponse`]; set per-request options first.
/// Dropping the future cancels the request (and any backoff sleep).
#[must_use = "a request does nothing until awaited"]
pub struct PendingRequest<T> {
    client: Client,
    spec: RequestSpec,
    options: RequestOptions,
    decode: fn(&[u8]) -> Result<T>,
}

impl<T> PendingRequest<T> {
    pub(super) fn new(client: Client, spec: RequestSpec, decode: fn(&[u8]) -> Result<T>) -> Self {
        PendingRequest {
            client,
            spec,
            options: RequestOptions::default(),
            decode,
        }
    }
}

impl<T> fmt::Debug for PendingRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRequest")
            .field("spec", &self.spec)
            .field("options", &self.options)
            .finish()
    }
}

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<T: Send + 'static> PendingRequest<T> {
    /// Replaces the per-request options.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }
    /// Sets the timeout of each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }
    /// Sets the number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }
    /// Adds a header that wins over all others.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), Some(value.into())));
        self
    }
    /// Sets the idempotency key (instead of a generated one); it makes the request retryable.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }
    /// Applies the change only if the resource is still at this version (`If-Match`): an entity
    /// tag as sent (`"\"7\""`, `*`), or a version number (sent as the strong tag `"7"`). A stale
    /// one is an [`Error::PreconditionFailed`](super::error::Error::PreconditionFailed).
    pub fn if_match(self, tag: impl Into<ETag>) -> Self {
        let tag: ETag = tag.into();
        self.header("If-Match", tag.to_string())
    }
    /// Sends the request and returns the decoded value with status, headers and request id.
    pub fn with_response(self) -> BoxFuture<Result<ApiResponse<T>>> {
        Box::pin(async move {
            self.client
                .send_with(&self.spec, &self.options, self.decode)
                .await
        })
    }
}

impl<T: Send + 'static> IntoFuture for PendingRequest<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.client
                .send_data(&self.spec, &self.options, self.decode)
                .await
        })
    }
}
