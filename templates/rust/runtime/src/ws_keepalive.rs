//! Telling a live WebSocket connection from a half-open one: the idle watchdog (any frame proves
//! the connection alive) and client pings after a silence (the server's pong, or any frame,
//! must follow within the pong timeout). One deadline drives both, so the connection loop has
//! one timer.

use std::time::Duration;

use tokio::time::Instant;

/// What the deadline found.
pub(super) enum Due {
    /// Silent for the ping interval: send a ping.
    Ping,
    /// No frame within the idle timeout.
    Idle(Duration),
    /// No answer to the ping within the pong timeout.
    NoPong(Duration),
}

/// The keep-alive state of one connection.
pub(super) struct Keepalive {
    /// Drop the connection when no frame arrives for this long.
    pub(super) idle: Option<Duration>,
    ping: Option<Duration>,
    pong_timeout: Duration,
    last_frame: Instant,
    /// When the unanswered ping was sent.
    ping_sent: Option<Instant>,
}

impl Keepalive {
    pub(super) fn new(
        idle: Option<Duration>,
        ping: Option<Duration>,
        pong_timeout: Duration,
    ) -> Self {
        Keepalive {
            idle,
            ping,
            pong_timeout,
            last_frame: Instant::now(),
            ping_sent: None,
        }
    }

    /// A frame arrived (a pong, a message, anything): the connection is alive.
    pub(super) fn on_frame(&mut self) {
        self.last_frame = Instant::now();
        self.ping_sent = None;
    }

    /// When the next check is due; `None` when neither the watchdog nor pings are on.
    pub(super) fn deadline(&self) -> Option<Instant> {
        let idle = self.idle.and_then(|d| self.last_frame.checked_add(d));
        let ping = match self.ping_sent {
            Some(sent) => sent.checked_add(self.pong_timeout),
            None => self.ping.and_then(|d| self.last_frame.checked_add(d)),
        };
        match (idle, ping) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What is due now, if anything (a ping is remembered as sent).
    pub(super) fn due(&mut self) -> Option<Due> {
        let now = Instant::now();
        if let Some(idle) = self.idle {
            if now.duration_since(self.last_frame) >= idle {
                return Some(Due::Idle(idle));
            }
        }
        match (self.ping_sent, self.ping) {
            (Some(sent), _) if now.duration_since(sent) >= self.pong_timeout => {
                Some(Due::NoPong(self.pong_timeout))
            }
            (None, Some(interval)) if now.duration_since(self.last_frame) >= interval => {
                self.ping_sent = Some(now);
                Some(Due::Ping)
            }
            _ => None,
        }
    }
}
