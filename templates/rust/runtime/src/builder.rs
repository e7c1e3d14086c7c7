//! Building a client: [`ClientConfig`] (what generated code says about the API) and
//! [`ClientBuilder`] (credentials, base URL, timeouts, retries, headers, logging).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::client::{Client, Inner};
use super::error::{Error, Result};
use super::log::{LogLevel, Logger};
use super::oauth::ClientCredentials;
use super::request::header_pair;
use super::retry;

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
    /// The header a caller's `idempotency_key` is sent in on an operation that declares none of
    /// its own ([`RequestSpec::idempotency_header`](super::RequestSpec::idempotency_header)),
    /// usually `Idempotency-Key`. `None` sends none there.
    pub idempotency_header: Option<&'static str>,
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
        // The headers every request starts from, merged once in precedence order (credentials,
        // then the User-Agent, then the builder's default headers).
        let mut base_headers = auth_headers;
        base_headers.insert(reqwest::header::USER_AGENT, user_agent);
        super::client::extend_replace(&mut base_headers, &default_headers);
        let idempotency_header = match self.config.idempotency_header {
            Some(name) => Some(
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| Error::Config(format!("idempotency header {name:?}: {e}")))?,
            ),
            None => None,
        };
        let base = reqwest::Url::parse(&base_url)
            .ok()
            .filter(|u| !u.cannot_be_a_base() && u.query().is_none() && u.fragment().is_none());
        let client = Client {
            inner: Arc::new(Inner {
                http,
                base,
                base_url,
                base_headers,
                timeout: self.timeout,
                max_retries: self.max_retries,
                initial_retry_delay: self.initial_retry_delay,
                max_retry_delay: self.max_retry_delay,
                max_retry_after: self.max_retry_after,
                idempotency_header,
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
