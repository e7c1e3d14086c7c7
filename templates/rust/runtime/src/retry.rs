//! The retry policy shared by the request loop, the SSE stream and the WebSocket client.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// The longest server-requested delay that is honoured; longer ones fall back to backoff.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a request with this method may be retried at all: safe or idempotent methods, or any
/// request that carries an `Idempotency-Key` header.
pub fn is_retryable_request(method: &Method, headers: &HeaderMap) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    ) || headers.contains_key("idempotency-key")
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
/// (seconds or an HTTP date), if it is in (0, 60 s].
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let within = |d: Duration| (!d.is_zero() && d <= MAX_RETRY_AFTER).then_some(d);
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
