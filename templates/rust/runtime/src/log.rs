//! Logging: every client emits `tracing` events; a [`Logger`] callback receives them too.

use std::sync::Arc;

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
pub(crate) fn emit(logger: Option<&Logger>, level: LogLevel, message: impl FnOnce() -> String) {
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
