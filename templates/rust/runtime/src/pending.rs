//! [`PendingRequest`]: a request not yet sent, with its per-request [`RequestOptions`].

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::client::Client;
use super::error::Result;
use super::etag::ETag;
use super::request::{RequestParams, RequestSpec};
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
///
/// `P` is the operation's parameters ([`RequestParams`]; `()` when it has none): generated code
/// adds a typed setter per optional parameter (`.name_contains("flow")`), and they are added to
/// the request when it is sent.
#[must_use = "a request does nothing until awaited"]
pub struct PendingRequest<T, P = ()> {
    client: Client,
    spec: RequestSpec,
    options: RequestOptions,
    decode: fn(&[u8]) -> Result<T>,
    params: P,
}

impl<T> PendingRequest<T> {
    pub(super) fn new(client: Client, spec: RequestSpec, decode: fn(&[u8]) -> Result<T>) -> Self {
        PendingRequest {
            client,
            spec,
            options: RequestOptions::default(),
            decode,
            params: (),
        }
    }
}

impl<T, P: fmt::Debug> fmt::Debug for PendingRequest<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRequest")
            .field("spec", &self.spec)
            .field("params", &self.params)
            .field("options", &self.options)
            .finish()
    }
}

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<T: Send + 'static, P: RequestParams> PendingRequest<T, P> {
    /// Replaces the operation's parameters (the typed setters change one each).
    pub fn params(mut self, params: P) -> Self {
        self.params = params;
        self
    }
    /// The operation's parameters, to change in place.
    pub fn params_mut(&mut self) -> &mut P {
        &mut self.params
    }
    /// Attaches the operation's parameters (what generated methods return).
    #[doc(hidden)]
    pub fn bind_params<Q: RequestParams>(self, params: Q) -> PendingRequest<T, Q> {
        PendingRequest {
            client: self.client,
            spec: self.spec,
            options: self.options,
            decode: self.decode,
            params,
        }
    }
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
            let spec = self.params.apply(self.spec);
            self.client
                .send_with(&spec, &self.options, self.decode)
                .await
        })
    }
}

impl<T: Send + 'static, P: RequestParams> IntoFuture for PendingRequest<T, P> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let spec = self.params.apply(self.spec);
            self.client
                .send_data(&spec, &self.options, self.decode)
                .await
        })
    }
}
