//! OAuth2 client credentials (RFC 6749 section 4.4): the access token is fetched from the API's
//! token URL with the client's id and secret, cached until shortly before it expires, fetched
//! once however many requests wait for it, and fetched again once when the API answers 401 (see
//! the client's request loop).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use super::error::{Error, Result};

/// A token is renewed this long before the expiry the server announced (half its life when
/// shorter).
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The token state of one client: what to ask for, and the cached token.
pub(super) struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    cached: tokio::sync::Mutex<Option<(String, Option<Instant>)>>,
}

impl ClientCredentials {
    pub(super) fn new(
        token_url: String,
        client_id: String,
        client_secret: String,
        scopes: Vec<String>,
    ) -> Self {
        ClientCredentials {
            token_url,
            client_id,
            client_secret,
            scopes,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The `Authorization` value of a valid token: the cached one, or a new one (concurrent
    /// callers wait for the one request).
    pub(super) async fn authorization(&self, http: &reqwest::Client) -> Result<HeaderValue> {
        let mut cached = self.cached.lock().await;
        let valid = match &*cached {
            Some((token, expires)) if expires.is_none_or(|at| Instant::now() < at) => {
                Some(token.clone())
            }
            _ => None,
        };
        let token = match valid {
            Some(token) => token,
            None => {
                let (token, expires) = self.fetch(http).await?;
                *cached = Some((token.clone(), expires));
                token
            }
        };
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| Error::OAuth2("the access token is not a valid header value".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Forgets the token `stale` was built from (a 401 answered it).
    pub(super) async fn invalidate(&self, stale: &HeaderValue) {
        let mut cached = self.cached.lock().await;
        let same = cached.as_ref().is_some_and(|(token, _)| {
            stale.to_str().ok() == Some(format!("Bearer {token}").as_str())
        });
        if same {
            *cached = None;
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(String, Option<Instant>)> {
        let mut form = String::from("grant_type=client_credentials");
        if !self.scopes.is_empty() {
            form.push_str("&scope=");
            form.push_str(&form_encode(&self.scopes.join(" ")));
        }
        // client_secret_basic: id and secret form-encoded, then Basic (RFC 6749 section 2.3.1).
        let pair = format!(
            "{}:{}",
            form_encode(&self.client_id),
            form_encode(&self.client_secret)
        );
        let basic = super::builder::base64_encode(pair.as_bytes());
        let started = Instant::now();
        let response = http
            .post(&self.token_url)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, format!("Basic {basic}"))
            .body(form)
            .send()
            .await
            .map_err(|e| {
                Error::OAuth2(format!("token request to {} failed: {e}", self.token_url))
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            Error::OAuth2(format!("token request to {} failed: {e}", self.token_url))
        })?;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty());
        let Some(token) = token.filter(|_| status.is_success()) else {
            let why = match json.get("error").and_then(|e| e.as_str()) {
                Some(error) => match json.get("error_description").and_then(|d| d.as_str()) {
                    Some(detail) => format!("{error}: {detail}"),
                    None => error.to_owned(),
                },
                None if status.is_success() => "no access_token in the answer".to_owned(),
                None => format!("status {}", status.as_u16()),
            };
            return Err(Error::OAuth2(format!(
                "token request to {} failed ({why})",
                self.token_url
            )));
        };
        let expires = json
            .get("expires_in")
            .and_then(|e| e.as_f64())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|seconds| {
                let life = Duration::from_secs_f64(seconds.min(1e9));
                started + life - EXPIRY_MARGIN.min(life / 2)
            });
        Ok((token.to_owned(), expires))
    }
}

/// `application/x-www-form-urlencoded` of one value (spaces as `+`).
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            _ if b.is_ascii_alphanumeric() => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
