//! Logging: every client emits `tracing` events with fields; a [`Logger`] callback receives the
//! same events as one line of text each.
//!
//! The request loop's events (target `<crate>::runtime::client`, inside the
//! `request{method,path}` span):
//!
//! | message | level | fields |
//! | --- | --- | --- |
//! | `sending request` | DEBUG | `method`, `url`, `attempt` |
//! | `response` | DEBUG | `method`, `url`, `attempt`, `status`, `request_id`, `elapsed_ms` |
//! | `retrying` | INFO | `method`, `url`, `attempt`, `status` or `error_kind`, `delay_ms`, `request_id` |
//! | `request failed` | WARN (5xx, 429, no answer), DEBUG (other statuses) | `method`, `url`, `attempts`, `status`, `request_id`, `error_kind`, `error` |
//!
//! `url` never has the query string (it may carry an API key); `request_id` is the answer's
//! `X-Request-Id` (for a failure, the error body's `request_id` first). A failure is WARN, not
//! ERROR: the error is returned to the caller, who decides whether it is one. The WebSocket
//! client's events (target `<crate>::runtime::websocket`) carry `url`, `code`, `failures`,
//! `delay_ms` and `error`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::error::Error;

/// Log levels of the [`Logger`] callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Every attempt and its answer.
    Debug,
    /// Retries and reconnects.
    Info,
    /// Problems: an undecodable frame, a dropped stream or connection, a request that failed for
    /// good on a server error or without an answer.
    Warn,
}

impl LogLevel {
    /// The callback's level of a `tracing` level (TRACE is DEBUG, ERROR is WARN).
    pub(crate) fn of(level: &tracing::Level) -> LogLevel {
        if *level >= tracing::Level::DEBUG {
            LogLevel::Debug
        } else if *level == tracing::Level::INFO {
            LogLevel::Info
        } else {
            LogLevel::Warn
        }
    }
}

/// A logging callback, in addition to the `tracing` events every client emits. Credentials are
/// never passed to it.
pub type Logger = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// Emits one event: a `tracing` event at `$level` (DEBUG, INFO, WARN) with `$fields` (as in
/// `tracing::event!`, message last), and `$text` to the callback when one is set. Neither the
/// fields nor the text are built unless someone listens.
macro_rules! log_event {
    ($logger:expr, $level:ident, $text:expr, $($fields:tt)+) => {{
        tracing::event!(tracing::Level::$level, $($fields)+);
        if let Some(logger) = $logger {
            logger(super::log::LogLevel::of(&tracing::Level::$level), &$text);
        }
    }};
}
pub(crate) use log_event;

/// What the request loop's events have in common: the method, the URL without its query, the
/// callback.
pub(crate) struct RequestLog<'a> {
    pub(crate) logger: Option<&'a Logger>,
    pub(crate) method: &'a Method,
    pub(crate) url: &'a str,
}

/// Why an attempt is retried: an answer (its status and headers) or an error.
pub(crate) enum RetryCause<'a> {
    Status(StatusCode, &'a HeaderMap),
    Error(&'a Error),
}

fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

impl RequestLog<'_> {
    /// Whether the DEBUG events of attempts and answers are wanted (attempts are timed only then).
    pub(crate) fn timed(&self) -> bool {
        self.logger.is_some() || tracing::enabled!(tracing::Level::DEBUG)
    }

    pub(crate) fn attempt(&self, attempt: u32) {
        let RequestLog {
            logger,
            method,
            url,
        } = self;
        log_event!(
            logger,
            DEBUG,
            format!("{method} {url} (attempt {attempt})"),
            method = %method, url, attempt, "sending request"
        );
    }

    /// An answer's status line and headers arrived, `elapsed` after the attempt began.
    pub(crate) fn response(
        &self,
        attempt: u32,
        status: StatusCode,
        headers: &HeaderMap,
        elapsed: Duration,
    ) {
        let RequestLog {
            logger,
            method,
            url,
        } = self;
        let elapsed_ms = elapsed.as_millis() as u64;
        log_event!(
            logger,
            DEBUG,
            format!("{method} {url}: {status} in {elapsed_ms} ms (attempt {attempt})"),
            method = %method, url, attempt, status = status.as_u16(),
            request_id = request_id(headers), elapsed_ms, "response"
        );
    }

    pub(crate) fn retrying(&self, attempt: u32, cause: RetryCause<'_>, delay: Duration) {
        let RequestLog {
            logger,
            method,
            url,
        } = self;
        let delay_ms = delay.as_millis() as u64;
        match cause {
            RetryCause::Status(status, headers) => log_event!(
                logger,
                INFO,
                format!("{method} {url}: {status}, retrying in {delay:?} (attempt {attempt})"),
                method = %method, url, attempt, status = status.as_u16(),
                request_id = request_id(headers), delay_ms, "retrying"
            ),
            RetryCause::Error(error) => log_event!(
                logger,
                INFO,
                format!("{method} {url}: {error}, retrying in {delay:?} (attempt {attempt})"),
                method = %method, url, attempt, error_kind = error.kind(), error = %error,
                delay_ms, "retrying"
            ),
        }
    }

    /// The request's final error (returned to the caller right after).
    pub(crate) fn failed(&self, attempts: u32, error: &Error) {
        let RequestLog {
            logger,
            method,
            url,
        } = self;
        let status = error.status().map(|s| s.as_u16());
        let request_id = error.request_id();
        let error_kind = error.kind();
        let text = || format!("{method} {url} failed after {attempts} attempt(s): {error}");
        // A refusal (404, 412, ...) is an answer the caller handles; a server error or no answer
        // at all is what an operator wants to see.
        if status.is_none_or(|s| s >= 500 || s == 429) {
            log_event!(
                logger,
                WARN,
                text(),
                method = %method, url, attempts, status, request_id, error_kind, error = %error,
                "request failed"
            );
        } else {
            log_event!(
                logger,
                DEBUG,
                text(),
                method = %method, url, attempts, status, request_id, error_kind, error = %error,
                "request failed"
            );
        }
    }
}
