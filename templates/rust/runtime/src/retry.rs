//! The retry policy shared by the request loop, the SSE stream and the WebSocket client.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// The longest server-requested delay a client waits by default; a longer one is returned as the
/// typed error at once (with the delay on it), never retried sooner than asked.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a method is safe (GET, HEAD, OPTIONS): it changes nothing, so it is retried without
/// an idempotency key.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request may be sent twice: a safe method, or one that carries an idempotency key in
/// `key_header` (the server then answers a retry with the first answer instead of applying the
/// change again). PUT and DELETE are not enough on their own: a retried PUT of a command log
/// records two commands, and a retried DELETE whose answer was lost would get a 404.
pub fn is_retryable_request(
    method: &Method,
    headers: &HeaderMap,
    key_header: Option<&str>,
) -> bool {
    is_safe(method) || key_header.is_some_and(|name| headers.contains_key(name))
}

/// [`is_retryable_request`] with the key header already parsed (the client's per-call path).
pub(super) fn is_retryable_safe_or_keyed(
    method: &Method,
    headers: &HeaderMap,
    key_header: Option<&reqwest::header::HeaderName>,
) -> bool {
    is_safe(method) || key_header.is_some_and(|name| headers.contains_key(name))
}

/// Whether an answer with this status and these headers is worth retrying: `x-should-retry`
/// (`true`/`false`) decides when present; otherwise 408, 409 with `Retry-After`, 429 and 5xx.
pub fn is_retryable_status(status: StatusCode, headers: &HeaderMap) -> bool {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some(v) if v.eq_ignore_ascii_case("true") => return true,
        Some(v) if v.eq_ignore_ascii_case("false") => return false,
        _ => {}
    }
    match status.as_u16() {
        408 | 429 => true,
        409 => headers.contains_key("retry-after") || headers.contains_key("retry-after-ms"),
        s => s >= 500,
    }
}

/// The delay the server asked for: `Retry-After-Ms` (milliseconds), else `Retry-After`
/// (seconds or an HTTP date), if it is more than zero (at most about 30 years).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let within = |d: Duration| (!d.is_zero()).then_some(d);
    if let Some(ms) =
        header_str(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
    {
        if ms.is_finite() && ms > 0.0 {
            if let Some(d) = within(Duration::from_secs_f64(ms.min(1e9) / 1000.0)) {
                return Some(d);
            }
        }
    }
    let value = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return if secs.is_finite() && secs > 0.0 {
            within(Duration::from_secs_f64(secs.min(1e9)))
        } else {
            None
        };
    }
    let date = httpdate::parse_http_date(value).ok()?;
    within(date.duration_since(SystemTime::now()).ok()?)
}

/// Exponential backoff for retry number `retry` (0-based): `min(initial * 2^retry, max)` times a
/// jitter factor in [0.75, 1.0].
pub fn backoff(retry: u32, initial: Duration, max: Duration) -> Duration {
    let factor = 2f64.powi(retry.min(30) as i32);
    let base = initial.as_secs_f64() * factor;
    let capped = base.min(max.as_secs_f64());
    Duration::from_secs_f64(capped * jitter())
}

/// A random factor in [0.75, 1.0].
pub fn jitter() -> f64 {
    1.0 - 0.25 * random_unit()
}

/// A random number in [0, 1), from the operating system's generator (through `uuid`).
pub fn random_unit() -> f64 {
    // The low 53 bits of a v4 UUID are all random (version and variant bits sit higher).
    let bits = (uuid::Uuid::new_v4().as_u128() as u64) & ((1u64 << 53) - 1);
    bits as f64 / (1u64 << 53) as f64
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
