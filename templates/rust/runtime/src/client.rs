//! The client core: the [`Client`] generated resources call, and the one request loop (auth,
//! idempotency keys, retries, timeouts). Building it is in `builder`, the request's description
//! in `request`, per-request options in `pending`; they are re-exported here as before.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

pub use super::builder::{
    ClientBuilder, ClientConfig, DEFAULT_INITIAL_RETRY_DELAY, DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_DELAY, DEFAULT_TIMEOUT,
};
use super::error::{Error, Result};
pub use super::log::{LogLevel, Logger};
use super::log::{RequestLog, RetryCause};
use super::oauth::ClientCredentials;
use super::pagination::Paginator;
pub use super::pending::{BoxFuture, PendingRequest, RequestOptions};
pub use super::request::{RequestParams, RequestSpec};
use super::response::ApiResponse;
use super::retry;
use super::sse::{EventStream, SseMessage};
use super::websocket::{WebSocket, WsOptions, WsProtocol};

/// The configured client core that generated resources call. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

/// The client's settings, shared by its clones (built by `ClientBuilder::build`).
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) base_url: String,
    /// `base_url` parsed, when it is a plain base (no query or fragment) paths can be set on.
    pub(super) base: Option<reqwest::Url>,
    /// Credentials, User-Agent and default headers, merged once at build.
    pub(super) base_headers: HeaderMap,
    pub(super) timeout: Duration,
    pub(super) max_retries: u32,
    pub(super) initial_retry_delay: Duration,
    pub(super) max_retry_delay: Duration,
    pub(super) max_retry_after: Duration,
    pub(super) idempotency_header: Option<HeaderName>,
    pub(super) logger: Option<Logger>,
    /// An API key sent in the query or a cookie: place, name, key.
    pub(super) api_key_elsewhere: Option<(&'static str, String, String)>,
    /// OAuth2 client credentials and their cached token.
    pub(super) oauth: Option<ClientCredentials>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// What a successful exchange produced.
pub(super) enum Answer {
    /// A fully read body.
    Buffered {
        status: StatusCode,
        headers: HeaderMap,
        body: bytes::Bytes,
    },
    /// A 2xx answer whose body is still to be read (event streams).
    Streaming(reqwest::Response),
}

impl Client {
    /// A builder for a bare client core (generated code uses `ClientBuilder::<Generated>::new`).
    pub fn builder(config: ClientConfig) -> ClientBuilder<Client> {
        ClientBuilder::new(config)
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A request for `spec` whose 2xx body is JSON decoded as `T` (an empty body decodes as
    /// JSON `null`): `.await` it for the value, or call [`PendingRequest::with_response`] for an
    /// [`ApiResponse`].
    pub fn request<T: DeserializeOwned + Send + 'static>(
        &self,
        spec: RequestSpec,
    ) -> PendingRequest<T> {
        self.pending(spec, decode_body::<T>)
    }

    /// A request for `spec` whose 2xx body is returned as text (`text/plain` answers). A body
    /// that is not UTF-8 is an [`Error::Decode`].
    pub fn request_text(&self, spec: RequestSpec) -> PendingRequest<String> {
        self.pending(spec, decode_text)
    }

    /// A request for `spec` whose 2xx body is returned as the exact bytes (images, files).
    pub fn request_bytes(&self, spec: RequestSpec) -> PendingRequest<Vec<u8>> {
        self.pending(spec, |body| Ok(body.to_vec()))
    }

    fn pending<T>(&self, spec: RequestSpec, decode: fn(&[u8]) -> Result<T>) -> PendingRequest<T> {
        PendingRequest::new(self.clone(), spec, decode)
    }

    /// A cursor-paginated list: await the first page, or stream every item across pages.
    /// `spec` is the first request; later pages repeat it with the `cursor` query parameter.
    pub fn paginate<T: DeserializeOwned + Send + 'static>(
        &self,
        spec: RequestSpec,
    ) -> Paginator<T> {
        Paginator::new(self.clone(), spec)
    }

    /// A Server-Sent Events stream for `spec` (a GET), decoding each message with `decode`
    /// (see [`super::sse::json_data`] and [`super::sse::tagged_json`]). It connects on first poll.
    pub fn event_stream<T, F>(&self, spec: RequestSpec, decode: F) -> EventStream<T>
    where
        T: Send + 'static,
        F: Fn(&SseMessage) -> Result<Option<T>> + Send + Sync + 'static,
    {
        EventStream::new(self.clone(), spec, Arc::new(decode))
    }

    /// Opens a reconnecting WebSocket at `spec`'s URL (`http` becomes `ws`), sending the client's
    /// auth headers and `User-Agent`. Must be called inside a Tokio runtime.
    pub fn websocket<C, S>(
        &self,
        spec: RequestSpec,
        protocol: WsProtocol,
        options: WsOptions,
    ) -> Result<WebSocket<C, S>>
    where
        C: serde::Serialize,
        S: DeserializeOwned + Send + 'static,
    {
        let url = self.build_url(&spec)?;
        let url = if let Some(rest) = url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            url
        };
        let mut headers = self.inner.base_headers.clone();
        extend_replace(&mut headers, &spec.header_map()?);
        self.add_api_key_cookie(&mut headers)?;
        Ok(WebSocket::spawn(
            url,
            headers,
            protocol,
            options,
            self.inner.logger.clone(),
        ))
    }

    /// The full URL of `spec`: base URL, expanded path, query string.
    pub fn build_url(&self, spec: &RequestSpec) -> Result<String> {
        self.url_for(spec).map(Into::into)
    }

    /// [`build_url`](Self::build_url) as a parsed URL (handed to reqwest without parsing it again).
    fn url_for(&self, spec: &RequestSpec) -> Result<reqwest::Url> {
        if let Some(e) = &spec.error {
            return Err(Error::InvalidRequest(e.clone()));
        }
        // An operation with servers of its own has an absolute path (its server's URL).
        let absolute = spec.path.starts_with("https://") || spec.path.starts_with("http://");
        let mut url = match &self.inner.base {
            // The base URL parsed once: only the path is set (no host parsing per call).
            Some(base) if !absolute && spec.path.starts_with('/') => {
                let mut url = base.clone();
                let prefix = base.path().trim_end_matches('/');
                let mut path = String::with_capacity(prefix.len() + spec.path.len());
                path.push_str(prefix);
                path.push_str(&spec.path);
                url.set_path(&path);
                url
            }
            _ => {
                let full = if absolute {
                    spec.path.clone()
                } else {
                    format!("{}{}", self.inner.base_url, spec.path)
                };
                reqwest::Url::parse(&full)
                    .map_err(|e| Error::InvalidRequest(format!("invalid URL: {e}")))?
            }
        };
        let key = match &self.inner.api_key_elsewhere {
            Some(("query", name, key)) => Some((name, key)),
            _ => None,
        };
        if !spec.query.is_empty() || key.is_some() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &spec.query {
                pairs.append_pair(k, v);
            }
            if let Some((name, key)) = key {
                pairs.append_pair(name, key);
            }
        }
        Ok(url)
    }

    pub(super) fn retry_delays(&self) -> (Duration, Duration) {
        (self.inner.initial_retry_delay, self.inner.max_retry_delay)
    }

    /// The headers of one logical request, in precedence order.
    /// Adds an API key the API takes in a cookie to the request's `Cookie` header.
    fn add_api_key_cookie(&self, headers: &mut HeaderMap) -> Result<()> {
        if let Some(("cookie", name, key)) = &self.inner.api_key_elsewhere {
            let pair = format!("{name}={}", super::query::encode_cookie_value(key));
            let cookie = match headers
                .get(reqwest::header::COOKIE)
                .and_then(|v| v.to_str().ok())
            {
                Some(existing) => format!("{existing}; {pair}"),
                None => pair,
            };
            let mut value =
                HeaderValue::from_str(&cookie).map_err(|e| Error::InvalidRequest(e.to_string()))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::COOKIE, value);
        }
        Ok(())
    }

    /// The headers of one call, and the header its idempotency key goes in: the operation's
    /// declared one, else the client's (for a caller's key).
    fn headers_for(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
    ) -> Result<(HeaderMap, Option<HeaderName>)> {
        // Precedence, lowest first: Accept and Content-Type, credentials, User-Agent, default
        // headers (merged at build), the operation's header parameters, then per-request options.
        let mut headers = self.inner.base_headers.clone();
        if !headers.contains_key(reqwest::header::ACCEPT) {
            let accept = match spec.accept.as_deref() {
                None => HeaderValue::from_static("application/json"),
                Some(a) => {
                    HeaderValue::from_str(a).map_err(|e| Error::InvalidRequest(e.to_string()))?
                }
            };
            headers.insert(reqwest::header::ACCEPT, accept);
        }
        if spec.body.is_some() && !headers.contains_key(reqwest::header::CONTENT_TYPE) {
            let content_type = match spec.content_type.as_deref() {
                None => HeaderValue::from_static("application/json"),
                Some(t) => {
                    HeaderValue::from_str(t).map_err(|e| Error::InvalidRequest(e.to_string()))?
                }
            };
            headers.insert(reqwest::header::CONTENT_TYPE, content_type);
        }
        if !spec.headers.is_empty() || !spec.cookies.is_empty() {
            extend_replace(&mut headers, &spec.header_map()?);
        }
        self.add_api_key_cookie(&mut headers)?;
        // One key per logical request, reused by every retry of it: the server answers a retry
        // of a change it already made with that change's answer. Generated only for an operation
        // that declares the header (a server that ignores it would apply a retry twice).
        let declared = match (spec.idempotency_header, &self.inner.idempotency_header) {
            // Usually the client's own (parsed once at build).
            (Some(name), Some(own)) if own.as_str().eq_ignore_ascii_case(name) => Some(own.clone()),
            (Some(name), _) => Some(
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| Error::InvalidRequest(e.to_string()))?,
            ),
            (None, _) => None,
        };
        let key_header = declared.or_else(|| self.inner.idempotency_header.clone());
        if let Some(name) = &key_header {
            let key = match &options.idempotency_key {
                Some(k) => Some(k.clone()),
                None if spec.idempotency_header.is_some() && !headers.contains_key(name) => {
                    Some(uuid::Uuid::new_v4().to_string())
                }
                None => None,
            };
            if let Some(key) = key {
                headers.insert(
                    name.clone(),
                    HeaderValue::from_str(&key)
                        .map_err(|e| Error::InvalidRequest(e.to_string()))?,
                );
            }
        }
        for (name, value) in &options.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            headers.remove(&name);
            if let Some(v) = value {
                headers.insert(
                    name,
                    HeaderValue::from_str(v).map_err(|e| Error::InvalidRequest(e.to_string()))?,
                );
            }
        }
        Ok((headers, key_header))
    }

    /// The request loop: sends `spec` with retries and returns the 2xx answer, or the typed error.
    /// With `stream` a 2xx body is left unread (and the timeout covers only the headers).
    pub(super) async fn execute(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        stream: bool,
    ) -> Result<Answer> {
        use tracing::Instrument;
        let span = tracing::debug_span!("request", method = %spec.method, path = %spec.path);
        if span.is_disabled() {
            // Nobody collects it: no span to enter and leave on every poll.
            return self.execute_in_span(spec, options, stream).await;
        }
        self.execute_in_span(spec, options, stream)
            .instrument(span)
            .await
    }

    async fn execute_in_span(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        stream: bool,
    ) -> Result<Answer> {
        let url = self.url_for(spec)?;
        let (mut headers, key_header) = self.headers_for(spec, options)?;
        // With client credentials, the access token is fetched (or taken from the cache) first.
        if let Some(oauth) = &self.inner.oauth {
            headers.insert(
                reqwest::header::AUTHORIZATION,
                oauth.authorization(&self.inner.http).await?,
            );
        }
        let mut renewed = false;
        let max_retries = options.max_retries.unwrap_or(self.inner.max_retries);
        let timeout = options.timeout.unwrap_or(self.inner.timeout);
        let may_retry =
            retry::is_retryable_safe_or_keyed(&spec.method, &headers, key_header.as_ref());
        let (initial, max) = self.retry_delays();
        let log = RequestLog {
            logger: self.inner.logger.as_ref(),
            method: &spec.method,
            url: redact_url(url.as_str()),
        };
        let mut retry = 0u32;
        loop {
            let attempt = retry + 1;
            // One check per attempt: without a callback or a DEBUG subscriber, nothing is built,
            // emitted or timed for the attempt and its answer.
            let started = log.timed().then(|| {
                log.attempt(attempt);
                Instant::now()
            });
            let mut request = self
                .inner
                .http
                .request(spec.method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &spec.body {
                request = request.body(body.clone());
            }
            let exchange = async {
                let mut response = request.send().await.map_err(Error::from_reqwest)?;
                let status = response.status();
                if let Some(started) = started {
                    log.response(attempt, status, response.headers(), started.elapsed());
                }
                if stream && status.is_success() {
                    return Ok(Answer::Streaming(response));
                }
                // Taken, not copied: reading the bytes does not need them.
                let headers = std::mem::take(response.headers_mut());
                let body = response.bytes().await.map_err(Error::from_reqwest)?;
                Ok(Answer::Buffered {
                    status,
                    headers,
                    body,
                })
            };
            let outcome = match tokio::time::timeout(timeout, exchange).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::Timeout),
            };
            let retries_left = may_retry && retry < max_retries;
            let delay = match outcome {
                Ok(Answer::Buffered { status, .. })
                    if status == StatusCode::UNAUTHORIZED
                        && !renewed
                        && self.inner.oauth.is_some() =>
                {
                    // The token was revoked or expired early: one new token, one more attempt
                    // (a 401 was not acted on, so even a non-idempotent request may be resent).
                    renewed = true;
                    if let Some(oauth) = &self.inner.oauth {
                        if let Some(stale) = headers.get(reqwest::header::AUTHORIZATION) {
                            oauth.invalidate(stale).await;
                        }
                        headers.insert(
                            reqwest::header::AUTHORIZATION,
                            oauth.authorization(&self.inner.http).await?,
                        );
                    }
                    continue;
                }
                Ok(Answer::Buffered {
                    status,
                    headers,
                    body,
                }) if !status.is_success() => {
                    let asked = retry::retry_after(&headers);
                    // A server asking for a longer wait than the ceiling gets its error returned
                    // at once (with the delay on it), never a retry sooner than it asked.
                    let too_long = asked.is_some_and(|d| d > self.inner.max_retry_after);
                    if !(retries_left && retry::is_retryable_status(status, &headers)) || too_long {
                        let error =
                            Error::from_response_declared(status, headers, &body, spec.errors);
                        log.failed(attempt, &error);
                        return Err(error);
                    }
                    let delay = asked.unwrap_or_else(|| retry::backoff(retry, initial, max));
                    log.retrying(attempt, RetryCause::Status(status, &headers), delay);
                    delay
                }
                Ok(answer) => return Ok(answer),
                Err(e) if e.is_connection() && retries_left => {
                    let delay = retry::backoff(retry, initial, max);
                    log.retrying(attempt, RetryCause::Error(&e), delay);
                    delay
                }
                Err(e) => {
                    log.failed(attempt, &e);
                    return Err(e);
                }
            };
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    /// Sends `spec` and decodes the 2xx body as `T` (an empty body decodes as JSON `null`).
    pub(super) async fn send_json<T: DeserializeOwned>(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
    ) -> Result<ApiResponse<T>> {
        self.send_with(spec, options, decode_body::<T>).await
    }

    /// Sends `spec` and turns the 2xx body into `T` with `decode`, without the response's
    /// status and headers (a plain `.await`: no [`ApiResponse`] is built).
    pub(super) async fn send_data<T>(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        decode: fn(&[u8]) -> Result<T>,
    ) -> Result<T> {
        match self.execute(spec, options, false).await? {
            Answer::Buffered { body, .. } => decode(&body),
            Answer::Streaming(_) => unreachable!("a buffered request never streams"),
        }
    }

    /// Sends `spec` and turns the 2xx body into `T` with `decode`.
    pub(super) async fn send_with<T>(
        &self,
        spec: &RequestSpec,
        options: &RequestOptions,
        decode: fn(&[u8]) -> Result<T>,
    ) -> Result<ApiResponse<T>> {
        match self.execute(spec, options, false).await? {
            Answer::Buffered {
                status,
                headers,
                body,
            } => {
                let data = decode(&body)?;
                Ok(ApiResponse::new(status, headers, data))
            }
            Answer::Streaming(_) => unreachable!("a buffered request never streams"),
        }
    }
}

fn decode_text(body: &[u8]) -> Result<String> {
    String::from_utf8(body.to_vec()).map_err(|e| Error::Decode {
        message: format!("the body is not UTF-8 text: {e}"),
        body: String::from_utf8_lossy(body).into_owned(),
        source: None,
    })
}

fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(json).map_err(|e| Error::decode(e, body))
}

fn redact_url(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

pub(super) fn extend_replace(target: &mut HeaderMap, from: &HeaderMap) {
    for name in from.keys() {
        target.remove(name);
        for value in from.get_all(name) {
            target.append(name.clone(), value.clone());
        }
    }
}
