//! The client core: configuration, [`RequestSpec`] (what a generated method describes),
//! [`RequestOptions`] (what the caller overrides) and the one request loop.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{Error, ErrorDecoder, Result};
use super::etag::ETag;
use super::oauth::ClientCredentials;
use super::pagination::Paginator;
use super::query::QueryValue;
use super::response::ApiResponse;
use super::retry;
use super::sse::{EventStream, SseMessage};
use super::websocket::{WebSocket, WsOptions, WsProtocol};

/// The default timeout of one attempt (request and body read).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The default first backoff delay between retries.
pub const DEFAULT_INITIAL_RETRY_DELAY: Duration = Duration::from_millis(500);
/// The default cap of the backoff delay between retries.
pub const DEFAULT_MAX_RETRY_DELAY: Duration = Duration::from_secs(8);

/// What generated code tells the runtime about the API. Usually a `const`.
#[derive(Debug, Clone, Copy)]
pub struct ClientConfig {
    /// The SDK's name, first part of the `User-Agent` (for example `acme-sdk`).
    pub sdk_name: &'static str,
    /// The SDK's version, second part of the `User-Agent`.
    pub sdk_version: &'static str,
    /// The base URL used when neither the builder nor the environment sets one.
    pub default_base_url: &'static str,
    /// The header that carries an API key (for example `X-API-Key`). `None` sends an API key as
    /// `Authorization: Bearer`.
    pub api_key_header: Option<&'static str>,
    /// The environment variable the API key is read from when the builder sets none.
    pub api_key_env: Option<&'static str>,
    /// The environment variable the bearer token is read from when the builder sets none.
    pub bearer_token_env: Option<&'static str>,
    /// The environment variable the base URL is read from when the builder sets none.
    pub base_url_env: Option<&'static str>,
    /// Where the API key goes when the API takes it in the query or a cookie: `("query", name)`
    /// or `("cookie", name)`; `None` sends it in `api_key_header`.
    pub api_key_in: Option<(&'static str, &'static str)>,
    /// The environment variables HTTP Basic credentials are read from when the builder sets none.
    pub username_env: Option<&'static str>,
    /// See `username_env`.
    pub password_env: Option<&'static str>,
    /// The API's OAuth2 client-credentials flow: its token URL (a relative one is resolved
    /// against the base URL) and the scopes requested by default.
    pub oauth2: Option<(&'static str, &'static [&'static str])>,
    /// The environment variables client credentials are read from when the builder sets none.
    pub client_id_env: Option<&'static str>,
    /// See `client_id_env`.
    pub client_secret_env: Option<&'static str>,
    /// The header every non-GET request carries an idempotency key in (generated once per call,
    /// reused by its retries), usually `Idempotency-Key`. `None` sends none, and then only GET,
    /// HEAD and OPTIONS are retried.
    pub idempotency_header: Option<&'static str>,
}

/// Log levels of the [`Logger`] callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Every attempt.
    Debug,
    /// Retries and reconnects.
    Info,
    /// Recoverable problems (an undecodable frame, a dropped stream).
    Warn,
}

/// A logging callback, in addition to the `tracing` events every client emits. Credentials are
/// never passed to it.
pub type Logger = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// Emits a log line as a `tracing` event (debug, info or warn, under this module's path) and to
/// the callback when one is set; the message is built only when someone listens.
pub(super) fn emit(logger: Option<&Logger>, level: LogLevel, message: impl FnOnce() -> String) {
    let traced = match level {
        LogLevel::Debug => tracing::enabled!(tracing::Level::DEBUG),
        LogLevel::Info => tracing::enabled!(tracing::Level::INFO),
        LogLevel::Warn => tracing::enabled!(tracing::Level::WARN),
    };
    if !traced && logger.is_none() {
        return;
    }
    let text = message();
    match level {
        LogLevel::Debug => tracing::debug!("{text}"),
        LogLevel::Info => tracing::info!("{text}"),
        LogLevel::Warn => tracing::warn!("{text}"),
    }
    if let Some(logger) = logger {
        logger(level, &text);
    }
}

/// Builds a client. Generated code creates it with its [`ClientConfig`]
/// (`ClientBuilder::new(CONFIG)`); `C` is the generated client type, built from a [`Client`]
/// with `From<Client>`.
#[must_use]
pub struct ClientBuilder<C = Client> {
    config: ClientConfig,
    base_url: Option<String>,
    api_key: Option<String>,
    bearer_token: Option<String>,
    basic: Option<(String, String)>,
    client_credentials: Option<(String, String)>,
    scopes: Option<Vec<String>>,
    read_env: bool,
    timeout: Duration,
    max_retries: u32,
    initial_retry_delay: Duration,
    max_retry_delay: Duration,
    max_retry_after: Duration,
    default_headers: Vec<(String, String)>,
    logger: Option<Logger>,
    http_client: Option<reqwest::Client>,
    _client: PhantomData<fn() -> C>,
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the defaults: base URL, API key and bearer token from the environment
    /// variables named in `config` (else the default base URL), 60 s timeout, 2 retries.
    pub fn new(config: ClientConfig) -> Self {
        ClientBuilder {
            config,
            base_url: None,
            api_key: None,
            bearer_token: None,
            basic: None,
            client_credentials: None,
            scopes: None,
            read_env: true,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_retry_delay: DEFAULT_INITIAL_RETRY_DELAY,
            max_retry_delay: DEFAULT_MAX_RETRY_DELAY,
            max_retry_after: retry::DEFAULT_MAX_RETRY_AFTER,
            default_headers: Vec::new(),
            logger: None,
            http_client: None,
            _client: PhantomData,
        }
    }

    /// The base URL (scheme, host, optional path prefix).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The API key, sent in the configured API-key header. Wins over a bearer token.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// HTTP Basic credentials (`Authorization: Basic`), for APIs that declare the scheme.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic = Some((username.into(), password.into()));
        self
    }

    /// OAuth2 client credentials, for APIs that declare the client-credentials flow: the client
    /// fetches an access token from the token URL, caches it until it expires and fetches a new
    /// one once when the API answers 401. A bearer token set explicitly is used instead.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_credentials = Some((client_id.into(), client_secret.into()));
        self
    }

    /// The scopes requested with client credentials (default: the ones the API's document names).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The bearer token, sent as `Authorization: Bearer <token>` when no API key is set.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Whether unset options are read from the environment (default `true`).
    pub fn read_env(mut self, read: bool) -> Self {
        self.read_env = read;
        self
    }

    /// The timeout of one attempt, request and body read (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff delay (default 0.5 s); doubles on every retry.
    pub fn initial_retry_delay(mut self, delay: Duration) -> Self {
        self.initial_retry_delay = delay;
        self
    }

    /// The cap of the backoff delay (default 8 s).
    pub fn max_retry_delay(mut self, delay: Duration) -> Self {
        self.max_retry_delay = delay;
        self
    }

    /// The longest `Retry-After` the client waits for before a retry (default 60 s). A 429 or 503
    /// asking for longer is returned at once as the typed error, with the delay on it
    /// ([`Error::retry_after`]).
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// A header sent with every request (per-request headers win).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// A logging callback, called besides the `tracing` events the client always emits (requests
    /// at debug, retries at info, dropped streams at warn; each request in a `request` span).
    pub fn logger(mut self, logger: impl Fn(LogLevel, &str) + Send + Sync + 'static) -> Self {
        self.logger = Some(Arc::new(logger));
        self
    }

    /// The `reqwest::Client` to send with (proxies, custom TLS, tests). Its own timeouts also apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C> {
        let env = |name: Option<&'static str>| -> Option<String> {
            if !self.read_env {
                return None;
            }
            name.and_then(|n| std::env::var(n).ok())
                .filter(|v| !v.trim().is_empty())
        };
        let base_url = self
            .base_url
            .clone()
            .or_else(|| env(self.config.base_url_env))
            .unwrap_or_else(|| self.config.default_base_url.to_owned());
        let base_url = base_url.trim_end_matches('/').to_owned();
        reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
        let api_key = self
            .api_key
            .clone()
            .or_else(|| env(self.config.api_key_env));
        let bearer_token = self
            .bearer_token
            .clone()
            .or_else(|| env(self.config.bearer_token_env));

        let basic = self.basic.clone().or_else(|| {
            let username = env(self.config.username_env);
            let password = env(self.config.password_env);
            (username.is_some() || password.is_some())
                .then(|| (username.unwrap_or_default(), password.unwrap_or_default()))
        });
        let mut auth_headers = HeaderMap::new();
        if let Some((username, password)) = &basic {
            let encoded = base64_encode(format!("{username}:{password}").as_bytes());
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
                Error::Config("the Basic credentials are not a valid header value".into())
            })?;
            value.set_sensitive(true);
            auth_headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        // An API key the API takes in the query or a cookie is added to each request instead.
        let api_key_elsewhere = match (self.config.api_key_in, &api_key) {
            (Some((place, name)), Some(key)) => Some((place, name.to_owned(), key.clone())),
            _ => None,
        };
        if api_key_elsewhere.is_some() {
            // Sent where the API takes it (see `build_url` and `headers_for`).
        } else if let Some(key) = &api_key {
            let mut value = match self.config.api_key_header {
                Some(_) => HeaderValue::from_str(key),
                None => HeaderValue::from_str(&format!("Bearer {key}")),
            }
            .map_err(|_| Error::Config("the API key is not a valid header value".into()))?;
            value.set_sensitive(true);
            let name = match self.config.api_key_header {
                Some(h) => HeaderName::from_bytes(h.as_bytes())
                    .map_err(|e| Error::Config(e.to_string()))?,
                None => reqwest::header::AUTHORIZATION,
            };
            auth_headers.insert(name, value);
        } else if let Some(token) = &bearer_token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                Error::Config("the bearer token is not a valid header value".into())
            })?;
            value.set_sensitive(true);
            auth_headers.insert(reqwest::header::AUTHORIZATION, value);
        }

        // Client credentials stand in for a bearer token; one set explicitly wins.
        let oauth = match self.config.oauth2 {
            Some((token_url, default_scopes)) if self.bearer_token.is_none() => {
                let credentials = self.client_credentials.clone().or_else(|| {
                    Some((
                        env(self.config.client_id_env)?,
                        env(self.config.client_secret_env)?,
                    ))
                });
                credentials.map(|(id, secret)| {
                    let url = if token_url.contains("://") {
                        token_url.to_owned()
                    } else {
                        format!("{base_url}/{}", token_url.trim_start_matches('/'))
                    };
                    let scopes = self.scopes.clone().unwrap_or_else(|| {
                        default_scopes.iter().map(|s| (*s).to_owned()).collect()
                    });
                    ClientCredentials::new(url, id, secret, scopes)
                })
            }
            _ => None,
        };

        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.default_headers {
            let (name, value) =
                header_pair(name, value).map_err(|e| Error::Config(e.to_string()))?;
            default_headers.append(name, value);
        }
        let user_agent = format!(
            "{}/{} rust ({}; {})",
            self.config.sdk_name,
            self.config.sdk_version,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let user_agent =
            HeaderValue::from_str(&user_agent).map_err(|e| Error::Config(e.to_string()))?;
        let http = match self.http_client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        let client = Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth_headers,
                default_headers,
                user_agent,
                timeout: self.timeout,
                max_retries: self.max_retries,
                initial_retry_delay: self.initial_retry_delay,
                max_retry_delay: self.max_retry_delay,
                max_retry_after: self.max_retry_after,
                idempotency_header: self.config.idempotency_header,
                logger: self.logger,
                api_key_elsewhere,
                oauth,
            }),
        };
        Ok(C::from(client))
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

/// The configured client core that generated resources call. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    auth_headers: HeaderMap,
    default_headers: HeaderMap,
    user_agent: HeaderValue,
    timeout: Duration,
    max_retries: u32,
    initial_retry_delay: Duration,
    max_retry_delay: Duration,
    max_retry_after: Duration,
    idempotency_header: Option<&'static str>,
    logger: Option<Logger>,
    /// An API key sent in the query or a cookie: place, name, key.
    api_key_elsewhere: Option<(&'static str, String, String)>,
    /// OAuth2 client credentials and their cached token.
    oauth: Option<ClientCredentials>,
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
        body: Vec<u8>,
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
        PendingRequest {
            client: self.clone(),
            spec,
            options: RequestOptions::default(),
            decode,
        }
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
        let mut headers = self.inner.auth_headers.clone();
        headers.insert(reqwest::header::USER_AGENT, self.inner.user_agent.clone());
        extend_replace(&mut headers, &self.inner.default_headers);
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
        if let Some(e) = &spec.error {
            return Err(Error::InvalidRequest(e.clone()));
        }
        // An operation with servers of its own has an absolute path (its server's URL).
        let absolute = spec.path.starts_with("https://") || spec.path.starts_with("http://");
        let full = if absolute {
            spec.path.clone()
        } else {
            format!("{}{}", self.inner.base_url, spec.path)
        };
        let mut url = reqwest::Url::parse(&full)
            .map_err(|e| Error::InvalidRequest(format!("invalid URL: {e}")))?;
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
        Ok(url.into())
    }

    pub(super) fn log(&self, level: LogLevel, message: impl FnOnce() -> String) {
        emit(self.inner.logger.as_ref(), level, message);
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

    fn headers_for(&self, spec: &RequestSpec, options: &RequestOptions) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_str(spec.accept.as_deref().unwrap_or("application/json"))
                .map_err(|e| Error::InvalidRequest(e.to_string()))?,
        );
        if spec.body.is_some() {
            let ct = spec.content_type.as_deref().unwrap_or("application/json");
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_str(ct).map_err(|e| Error::InvalidRequest(e.to_string()))?,
            );
        }
        extend_replace(&mut headers, &self.inner.auth_headers);
        headers.insert(reqwest::header::USER_AGENT, self.inner.user_agent.clone());
        extend_replace(&mut headers, &self.inner.default_headers);
        extend_replace(&mut headers, &spec.header_map()?);
        self.add_api_key_cookie(&mut headers)?;
        // One key per logical request, reused by every retry of it: the server answers a retry
        // of a change it already made with that change's answer.
        if let Some(name) = self.inner.idempotency_header {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let key = match &options.idempotency_key {
                Some(k) => Some(k.clone()),
                None if !retry::is_safe(&spec.method) && !headers.contains_key(&name) => {
                    Some(uuid::Uuid::new_v4().to_string())
                }
                None => None,
            };
            if let Some(key) = key {
                headers.insert(
                    name,
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
        Ok(headers)
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
        let url = self.build_url(spec)?;
        let mut headers = self.headers_for(spec, options)?;
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
            retry::is_retryable_request(&spec.method, &headers, self.inner.idempotency_header);
        let (initial, max) = self.retry_delays();
        let mut retry = 0u32;
        loop {
            self.log(LogLevel::Debug, || {
                format!(
                    "{} {} (attempt {})",
                    spec.method,
                    redact_url(&url),
                    retry + 1
                )
            });
            let mut request = self
                .inner
                .http
                .request(spec.method.clone(), &url)
                .headers(headers.clone());
            if let Some(body) = &spec.body {
                request = request.body(body.clone());
            }
            let attempt = async {
                let response = request.send().await.map_err(Error::from_reqwest)?;
                let status = response.status();
                if stream && status.is_success() {
                    return Ok(Answer::Streaming(response));
                }
                let headers = response.headers().clone();
                let body = response.bytes().await.map_err(Error::from_reqwest)?;
                Ok(Answer::Buffered {
                    status,
                    headers,
                    body: body.to_vec(),
                })
            };
            let outcome = match tokio::time::timeout(timeout, attempt).await {
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
                        return Err(Error::from_response_declared(
                            status,
                            headers,
                            &body,
                            spec.errors,
                        ));
                    }
                    let delay = asked.unwrap_or_else(|| retry::backoff(retry, initial, max));
                    self.log(LogLevel::Info, || {
                        format!(
                            "{} {}: {status}, retrying in {delay:?}",
                            spec.method,
                            redact_url(&url)
                        )
                    });
                    delay
                }
                Ok(answer) => return Ok(answer),
                Err(e) if e.is_connection() && retries_left => {
                    let delay = retry::backoff(retry, initial, max);
                    self.log(LogLevel::Info, || {
                        format!(
                            "{} {}: {e}, retrying in {delay:?}",
                            spec.method,
                            redact_url(&url)
                        )
                    });
                    delay
                }
                Err(e) => return Err(e),
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

    /// Sends `spec` and turns the 2xx body into `T` with `decode`.
    async fn send_with<T>(
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

fn extend_replace(target: &mut HeaderMap, from: &HeaderMap) {
    for name in from.keys() {
        target.remove(name);
        for value in from.get_all(name) {
            target.append(name.clone(), value.clone());
        }
    }
}

fn header_pair(name: &str, value: &str) -> std::result::Result<(HeaderName, HeaderValue), String> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|e| format!("header name {name:?}: {e}"))?;
    let v = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
    Ok((n, v))
}

/// One operation's request as generated code describes it: method, path with parameters,
/// query, header parameters and body. Building never fails; a problem (an unknown path
/// parameter, an unserialisable body) surfaces as [`Error::InvalidRequest`] when it is sent.
#[derive(Debug, Clone)]
#[must_use]
pub struct RequestSpec {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) cookies: Vec<(String, String)>,
    pub(super) body: Option<Vec<u8>>,
    pub(super) content_type: Option<String>,
    pub(super) accept: Option<String>,
    pub(super) errors: &'static [(&'static str, ErrorDecoder)],
    pub(super) error: Option<String>,
}

impl RequestSpec {
    /// A request with `method` to `path`, a template such as `/v1/items/{item_id}`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        RequestSpec {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            content_type: None,
            accept: None,
            errors: &[],
            error: None,
        }
    }

    /// A GET request.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }
    /// A POST request.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }
    /// A PUT request.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }
    /// A PATCH request.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }
    /// A DELETE request.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path with the parameters substituted so far.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Substitutes `{name}` in the path with `value`, percent-encoded as one segment.
    pub fn path_param(mut self, name: &str, value: impl fmt::Display) -> Self {
        let placeholder = format!("{{{name}}}");
        if self.path.contains(&placeholder) {
            self.path = self.path.replace(
                &placeholder,
                &super::query::encode_path_segment(&value.to_string()),
            );
        } else if self.error.is_none() {
            self.error = Some(format!("path {:?} has no parameter {name:?}", self.path));
        }
        self
    }

    /// Substitutes `{name}` in the path with `value` written in `style` (label, matrix, or an
    /// array or object in style simple), each name and value percent-encoded.
    pub fn path_param_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        style: super::Style,
        value: &T,
        explode: bool,
    ) -> Self {
        let encode: fn(&str) -> String = super::query::encode_path_segment;
        match super::style::style_value(style, name, value, explode, encode, "&") {
            Ok(Some(text)) if self.path.contains(&format!("{{{name}}}")) => {
                self.path = self.path.replace(&format!("{{{name}}}"), &text);
            }
            Ok(_) => {
                if self.error.is_none() {
                    self.error = Some(format!(
                        "path {:?} has no parameter {name:?} or it is null",
                        self.path
                    ));
                }
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Adds a header parameter that is an array or object, in style simple (`None` skipped).
    pub fn header_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        explode: bool,
    ) -> Self {
        if let Some(value) = value {
            match super::style::style_value(
                super::Style::Simple,
                name,
                value,
                explode,
                super::style::verbatim,
                ",",
            ) {
                Ok(Some(text)) => self.headers.push((name.to_owned(), text)),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a cookie parameter that is an array or object, in style form (`name=a,b`; exploded
    /// `name=a; name=b` or `k=v; k2=v2`); `None` skipped.
    pub fn cookie_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        explode: bool,
    ) -> Self {
        if let Some(value) = value {
            let encode: fn(&str) -> String = super::query::encode_cookie_value;
            match super::style::style_value(super::Style::Form, name, value, explode, encode, "; ")
            {
                // An empty name marks pairs written already.
                Ok(Some(text)) => self.cookies.push((String::new(), text)),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a non-exploded object query parameter as one value (`R,100,G,200`; `|` or a space
    /// for pipeDelimited and spaceDelimited); `None` skipped.
    pub fn query_joined<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        delimiter: &str,
    ) -> Self {
        if let Some(value) = value {
            match super::style::style_value(
                super::Style::Simple,
                name,
                value,
                false,
                super::style::verbatim,
                ",",
            ) {
                Ok(Some(text)) => self.query.push((
                    name.to_owned(),
                    text.split(',').collect::<Vec<_>>().join(delimiter),
                )),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a query parameter (in call order; `None` skipped, sequences exploded).
    pub fn query(mut self, name: &str, value: impl QueryValue) -> Self {
        value.append_to(name, &mut self.query);
        self
    }

    /// Sets a query parameter, replacing every earlier value of it in place (pagination cursors).
    pub fn set_query(mut self, name: &str, value: impl QueryValue) -> Self {
        let mut values = Vec::new();
        value.append_to(name, &mut values);
        match self.query.iter().position(|(k, _)| k == name) {
            Some(at) => {
                self.query.retain(|(k, _)| k != name);
                let at = at.min(self.query.len());
                self.query.splice(at..at, values);
            }
            None => self.query.extend(values),
        }
        self
    }

    /// Adds a non-exploded array query parameter as one pair, its items joined with `delimiter`
    /// (`","` for style form without explode, `"|"` for pipeDelimited, `" "` for
    /// spaceDelimited). `None` writes nothing; an empty sequence writes an empty value.
    pub fn query_delimited(mut self, name: &str, value: impl QueryValue, delimiter: &str) -> Self {
        let mut items = Vec::new();
        value.append_to(name, &mut items);
        if !items.is_empty() || value.is_present() {
            let joined = items
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(delimiter);
            self.query.push((name.to_owned(), joined));
        }
        self
    }

    /// Adds a deepObject query parameter: one `name[key]=value` pair per entry (in iteration
    /// order; a sequence value writes one pair per item, `None` writes nothing). Pass a map
    /// (`&BTreeMap`), or `option.iter().flatten()` for an optional one.
    pub fn query_deep_object<K, V>(
        mut self,
        name: &str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: fmt::Display,
        V: QueryValue,
    {
        for (key, value) in entries {
            value.append_to(&format!("{name}[{key}]"), &mut self.query);
        }
        self
    }

    /// The query pairs (not yet encoded).
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Adds a header parameter (for example `If-Match`); `None` is skipped.
    pub fn header(mut self, name: &str, value: Option<impl fmt::Display>) -> Self {
        if let Some(v) = value {
            self.headers.push((name.to_owned(), v.to_string()));
        }
        self
    }

    /// Adds a cookie parameter; `None` is skipped. All cookies go in one `Cookie` header
    /// (`a=1; b=2`), each value percent-encoded (RFC 6265 allows no spaces, quotes, commas,
    /// semicolons or backslashes in a value). A `Cookie` header in the request options wins.
    pub fn cookie(mut self, name: &str, value: Option<impl fmt::Display>) -> Self {
        if let Some(v) = value {
            self.cookies.push((name.to_owned(), v.to_string()));
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from a struct or map that serialises to
    /// a JSON object: one pair per member (serde names, skipped fields absent), arrays exploded,
    /// `null` omitted. A nested object, or a body that is not an object, surfaces as
    /// [`Error::InvalidRequest`] when the request is sent.
    pub fn form<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match super::query::form_urlencoded(body) {
            Ok(encoded) => {
                self.body = Some(encoded.into_bytes());
                self.content_type = Some("application/x-www-form-urlencoded".to_owned());
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Sets a JSON body (content type `application/json` unless [`Self::content_type`] says otherwise).
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(format!("could not serialise the body: {e}"));
                }
            }
        }
        self
    }

    /// Sets a `multipart/form-data` body (its Content-Type carries the boundary).
    pub fn multipart(mut self, form: &super::Multipart) -> Self {
        match form.encode() {
            Ok((body, content_type)) => {
                self.body = Some(body);
                self.content_type = Some(content_type);
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Sets a raw body with its content type.
    pub fn body(mut self, body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        self.body = Some(body.into());
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Sets the body's content type (for example `application/merge-patch+json`).
    pub fn content_type(mut self, content_type: &str) -> Self {
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Sets `Accept` (default `application/json`).
    pub fn accept(mut self, accept: &str) -> Self {
        self.accept = Some(accept.to_owned());
        self
    }

    /// The error bodies the operation declares: status (`"404"`, `"4XX"`, `"default"`) and the
    /// decoder of its model ([`super::error::decode_error`]). A non-2xx body is decoded with it
    /// into the error ([`super::error::StatusError::decoded`]).
    pub fn errors(mut self, errors: &'static [(&'static str, ErrorDecoder)]) -> Self {
        self.errors = errors;
        self
    }

    fn header_map(&self) -> Result<HeaderMap> {
        if let Some(e) = &self.error {
            return Err(Error::InvalidRequest(e.clone()));
        }
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let (n, v) = header_pair(name, value).map_err(Error::InvalidRequest)?;
            map.insert(n, v);
        }
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(name, value)| {
                    if name.is_empty() {
                        value.clone()
                    } else {
                        format!("{name}={}", super::query::encode_cookie_value(value))
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            let (n, v) = header_pair("cookie", &cookie).map_err(Error::InvalidRequest)?;
            map.insert(n, v);
        }
        Ok(map)
    }
}

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
    /// The `Idempotency-Key` to send (instead of a generated one); also makes the request retryable.
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
    /// Sets the idempotency key (instead of the one generated for every non-GET request).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }
    /// Applies the change only if the resource is still at this version (`If-Match`): an entity
    /// tag as sent (`"\"7\""`, `*`), or a version number (sent as the strong tag `"7"`). A stale
    /// one is an [`Error::PreconditionFailed`].
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
                .send_with(&self.spec, &self.options, self.decode)
                .await
                .map(|r| r.data)
        })
    }
}

/// Standard base64 (RFC 4648, with padding), for HTTP Basic credentials.
pub(super) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}
