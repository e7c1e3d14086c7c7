//! A reconnecting JSON WebSocket client (tokio-tungstenite): typed client (`C`) and server
//! (`S`) messages, reconnect with backoff, resubscribe with the last event id, duplicate
//! skipping, final close codes.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use super::error::{Error, Result};
use super::log::Logger;
pub use super::ws_options::{
    WsOptions, WsProtocol, DEFAULT_IDLE_TIMEOUT, DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT,
};
use super::ws_task::{Links, Task};

/// What the connection task tells the handle.
#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) last_event_id: Option<String>,
    pub(super) last_heartbeat: Option<Instant>,
    pub(super) connected: bool,
    pub(super) connections: u64,
}

/// What the handle tells the connection task.
pub(super) enum Command {
    Send(serde_json::Value),
    Close,
}

/// A reconnecting WebSocket client, from [`Client::websocket`](super::Client::websocket).
///
/// Poll it as a `Stream` of server messages. [`send`](Self::send) queues while disconnected.
/// It reconnects with backoff (reset after the welcome message), re-sends the last subscribe
/// message with the last event id, skips events already delivered, and yields
/// [`Error::WebSocketClosed`] then ends on a final close code. A rejected upgrade with a
/// non-retryable status (401, 403, ...) yields the typed status error and ends. Dropping it
/// closes the connection. The connection runs on a spawned Tokio task.
pub struct WebSocket<C, S> {
    commands: mpsc::UnboundedSender<Command>,
    inbound: mpsc::UnboundedReceiver<Result<S>>,
    shared: Arc<Mutex<Shared>>,
    _client: PhantomData<fn(C)>,
}

impl<C, S> fmt::Debug for WebSocket<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocket")
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl<C: serde::Serialize, S: DeserializeOwned + Send + 'static> WebSocket<C, S> {
    pub(super) fn spawn(
        url: String,
        headers: HeaderMap,
        protocol: WsProtocol,
        options: WsOptions,
        logger: Option<Logger>,
    ) -> Self {
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let (inbound_tx, inbound_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let links = Links {
            commands: commands_rx,
            inbound: inbound_tx,
            shared: shared.clone(),
        };
        tokio::spawn(Task::new(url, headers, protocol, options, logger, links).run());
        WebSocket {
            commands: commands_tx,
            inbound: inbound_rx,
            shared,
            _client: PhantomData,
        }
    }

    /// Sends a client message now, or as soon as connected. A subscribe message is remembered
    /// and re-sent (with the last event id) after every reconnect.
    pub fn send(&self, message: &C) -> Result<()> {
        let value = serde_json::to_value(message)
            .map_err(|e| Error::InvalidRequest(format!("could not serialise the message: {e}")))?;
        self.commands
            .send(Command::Send(value))
            .map_err(|_| Error::Connection {
                message: "the WebSocket client is closed".into(),
                source: None,
            })
    }

    /// Closes the connection for good; the stream then ends.
    pub fn close(&self) {
        let _ = self.commands.send(Command::Close);
    }

    /// The id of the last event delivered.
    pub fn last_event_id(&self) -> Option<String> {
        self.shared
            .lock()
            .ok()
            .and_then(|s| s.last_event_id.clone())
    }

    /// When the last heartbeat arrived.
    pub fn last_heartbeat(&self) -> Option<Instant> {
        self.shared.lock().ok().and_then(|s| s.last_heartbeat)
    }

    /// How many connections have been opened so far.
    pub fn connections(&self) -> u64 {
        self.shared.lock().map(|s| s.connections).unwrap_or(0)
    }
}

impl<C, S> WebSocket<C, S> {
    /// Whether a connection is open right now.
    pub fn is_connected(&self) -> bool {
        self.shared.lock().map(|s| s.connected).unwrap_or(false)
    }
}

impl<C, S> Stream for WebSocket<C, S> {
    type Item = Result<S>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inbound.poll_recv(cx)
    }
}
