//! What a WebSocket client is told: the API's [`WsProtocol`] (generated) and the caller's
//! [`WsOptions`] (re-exported by `websocket`).

use std::time::Duration;

/// The message-type names of a WebSocket protocol, supplied by generated code (usually a `const`).
#[derive(Debug, Clone, Copy)]
pub struct WsProtocol {
    /// The discriminator member of every message (for example `type`).
    pub type_field: &'static str,
    /// The server's first message on each connection; receiving it resets the reconnect backoff.
    pub welcome_type: &'static str,
    /// The server's keep-alive message type (tracked in
    /// [`WebSocket::last_heartbeat`](super::websocket::WebSocket::last_heartbeat), never answered).
    pub heartbeat_type: Option<&'static str>,
    /// The client message type that sets the subscription; the last one sent is re-sent on
    /// every reconnect with [`last_event_id_field`](Self::last_event_id_field) set.
    pub subscribe_type: Option<&'static str>,
    /// The member of the subscribe message that carries the resume id.
    pub last_event_id_field: &'static str,
    /// A JSON pointer to the event id inside a server message (for example `/event/id`); messages
    /// without it are not events.
    pub event_id_pointer: &'static str,
    /// Close codes after which the client does not reconnect (for example `&[4001, 4003]`).
    pub final_close_codes: &'static [u16],
    /// The member of the welcome message announcing the heartbeat interval in milliseconds
    /// (for example `heartbeat_interval_ms`): the watchdog waits twice that long.
    pub heartbeat_interval_field: Option<&'static str>,
}

/// The watchdog of a protocol with heartbeats before the welcome announces their interval (or
/// when it announces none): a connection silent this long is dropped and re-opened.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a connection of a protocol without heartbeats may be silent before the client sends
/// a WebSocket ping.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);

/// How long the client waits for the answer to its ping (a pong or any frame) before it drops
/// the connection as dead and reconnects.
pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(10);

/// Tuning of the reconnecting WebSocket.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WsOptions {
    /// The first reconnect delay (default 1 s); doubles per consecutive failure.
    pub initial_reconnect_delay: Duration,
    /// The cap of the reconnect delay (default 30 s).
    pub max_reconnect_delay: Duration,
    /// Consecutive failed connections after which the client gives up (default: never).
    pub max_reconnects: Option<u32>,
    /// Reconnect when no frame arrives for this long. Default (`None`): on for a protocol with
    /// heartbeats, at twice the interval the welcome message announces (else
    /// [`DEFAULT_IDLE_TIMEOUT`]), so a half-open connection never hangs; off without heartbeats.
    /// [`WsOptions::without_idle_timeout`] turns it off.
    pub idle_timeout: Option<Duration>,
    /// Send a WebSocket ping after this long without a frame; no answer (a pong or any frame)
    /// within [`pong_timeout`](Self::pong_timeout) drops the connection and reconnects. Default
    /// (`None`): on for a protocol without heartbeats, at [`DEFAULT_PING_INTERVAL`], so its
    /// half-open connections are found too; off for a protocol with heartbeats (the idle
    /// watchdog covers them). [`WsOptions::without_ping`] turns it off.
    pub ping_interval: Option<Duration>,
    /// How long a ping may go unanswered (default [`DEFAULT_PONG_TIMEOUT`]).
    pub pong_timeout: Duration,
    /// The timeout of the connect and upgrade (default 30 s).
    pub connect_timeout: Duration,
    /// How many delivered event ids are remembered for duplicate skipping (default 10 000).
    pub dedupe_window: usize,
}

impl Default for WsOptions {
    fn default() -> Self {
        WsOptions {
            initial_reconnect_delay: Duration::from_secs(1),
            max_reconnect_delay: Duration::from_secs(30),
            max_reconnects: None,
            idle_timeout: None,
            ping_interval: None,
            pong_timeout: DEFAULT_PONG_TIMEOUT,
            connect_timeout: Duration::from_secs(30),
            dedupe_window: 10_000,
        }
    }
}

impl WsOptions {
    /// Sets the first reconnect delay.
    pub fn initial_reconnect_delay(mut self, delay: Duration) -> Self {
        self.initial_reconnect_delay = delay;
        self
    }
    /// Sets the cap of the reconnect delay.
    pub fn max_reconnect_delay(mut self, delay: Duration) -> Self {
        self.max_reconnect_delay = delay;
        self
    }
    /// Sets how many consecutive failed connections end the client.
    pub fn max_reconnects(mut self, max: u32) -> Self {
        self.max_reconnects = Some(max);
        self
    }
    /// Turns the idle watchdog off.
    pub fn without_idle_timeout(mut self) -> Self {
        self.idle_timeout = Some(Duration::MAX);
        self
    }

    /// Sets the idle timeout (see [`WsOptions::idle_timeout`](Self::idle_timeout)).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Sets the ping interval (see [`WsOptions::ping_interval`](Self::ping_interval)); also for
    /// a protocol with heartbeats.
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = Some(interval);
        self
    }

    /// Turns client pings off.
    pub fn without_ping(mut self) -> Self {
        self.ping_interval = Some(Duration::MAX);
        self
    }

    /// Sets how long a ping may go unanswered.
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = timeout;
        self
    }
}
