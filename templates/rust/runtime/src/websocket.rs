//! A reconnecting JSON WebSocket client (tokio-tungstenite): typed client (`C`) and server
//! (`S`) messages, reconnect with backoff, resubscribe with the last event id, duplicate
//! skipping, final close codes.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;
use futures_util::{SinkExt, StreamExt};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use super::error::{Error, Result};
use super::log::{LogLevel, Logger};
use super::retry;
pub use super::ws_options::{WsOptions, WsProtocol, DEFAULT_IDLE_TIMEOUT};

#[derive(Debug, Default)]
struct Shared {
    last_event_id: Option<String>,
    last_heartbeat: Option<Instant>,
    connected: bool,
    connections: u64,
}

enum Command {
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
        let task = Task {
            url,
            headers,
            protocol,
            options,
            logger,
            commands: commands_rx,
            inbound: inbound_tx,
            shared: shared.clone(),
            subscription: None,
            outbox: VecDeque::new(),
            failures: 0,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            announced_interval: None,
            _server: PhantomData::<fn() -> S>,
        };
        tokio::spawn(task.run());
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

struct Task<S> {
    url: String,
    headers: HeaderMap,
    protocol: WsProtocol,
    options: WsOptions,
    logger: Option<Logger>,
    commands: mpsc::UnboundedReceiver<Command>,
    inbound: mpsc::UnboundedSender<Result<S>>,
    shared: Arc<Mutex<Shared>>,
    subscription: Option<serde_json::Value>,
    outbox: VecDeque<String>,
    failures: u32,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// The heartbeat interval the last welcome message announced.
    announced_interval: Option<Duration>,
    _server: PhantomData<fn() -> S>,
}

/// Why a connection ended.
enum Ended {
    /// Reconnect.
    Dropped,
    /// Stop the task (closed by the user, final error delivered, receiver gone).
    Stop,
}

impl<S: DeserializeOwned + Send + 'static> Task<S> {
    fn log(&self, level: LogLevel, message: impl FnOnce() -> String) {
        super::log::emit(self.logger.as_ref(), level, message);
    }

    fn set_connected(&self, connected: bool) {
        if let Ok(mut s) = self.shared.lock() {
            s.connected = connected;
            if connected {
                s.connections += 1;
            }
        }
    }

    async fn run(mut self) {
        loop {
            let ended = self.connection().await;
            self.set_connected(false);
            if matches!(ended, Ended::Stop) {
                return;
            }
            self.failures += 1;
            if self
                .options
                .max_reconnects
                .is_some_and(|max| self.failures > max)
            {
                let _ = self.inbound.send(Err(Error::Connection {
                    message: format!(
                        "the WebSocket gave up after {} failed connections",
                        self.failures
                    ),
                    source: None,
                }));
                return;
            }
            let exp = 2f64.powi(self.failures.saturating_sub(1).min(30) as i32);
            let delay = (self.options.initial_reconnect_delay.as_secs_f64() * exp)
                .min(self.options.max_reconnect_delay.as_secs_f64())
                * retry::jitter();
            let delay = Duration::from_secs_f64(delay);
            self.log(LogLevel::Info, || {
                format!("WebSocket reconnecting in {delay:?}")
            });
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = &mut sleep => break,
                    command = self.commands.recv() => match command {
                        Some(Command::Send(value)) => self.queue(value),
                        Some(Command::Close) | None => return,
                    },
                }
            }
        }
    }

    fn is_subscribe(&self, value: &serde_json::Value) -> bool {
        match self.protocol.subscribe_type {
            Some(t) => value.get(self.protocol.type_field).and_then(|v| v.as_str()) == Some(t),
            None => false,
        }
    }

    /// Queues a message while disconnected (a subscribe message is remembered instead).
    fn queue(&mut self, value: serde_json::Value) {
        if self.is_subscribe(&value) {
            self.subscription = Some(value);
        } else {
            self.outbox.push_back(value.to_string());
        }
    }

    async fn connection(&mut self) -> Ended {
        let mut request = match self.url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => {
                let _ = self.inbound.send(Err(Error::InvalidRequest(format!(
                    "invalid WebSocket URL: {e}"
                ))));
                return Ended::Stop;
            }
        };
        for (name, value) in &self.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        let connect = tokio::time::timeout(
            self.options.connect_timeout,
            tokio_tungstenite::connect_async(request),
        );
        let mut socket = match connect.await {
            Ok(Ok((socket, _response))) => socket,
            Ok(Err(tungstenite::Error::Http(response))) => {
                let (parts, body) = response.into_parts();
                let error = Error::from_response(
                    parts.status,
                    parts.headers,
                    body.as_deref().unwrap_or_default(),
                );
                let retryable = error
                    .status_error()
                    .is_some_and(|s| retry::is_retryable_status(s.status, &s.headers));
                if retryable {
                    self.log(LogLevel::Warn, || {
                        format!("WebSocket upgrade failed: {error}")
                    });
                    return Ended::Dropped;
                }
                let _ = self.inbound.send(Err(error));
                return Ended::Stop;
            }
            Ok(Err(e)) => {
                self.log(LogLevel::Warn, || {
                    format!("WebSocket connection failed: {e}")
                });
                return Ended::Dropped;
            }
            Err(_) => {
                self.log(LogLevel::Warn, || {
                    "WebSocket connection timed out".to_owned()
                });
                return Ended::Dropped;
            }
        };
        self.set_connected(true);

        // Resubscribe, then flush what was queued while disconnected.
        if let Some(mut subscription) = self.subscription.clone() {
            let last = self
                .shared
                .lock()
                .ok()
                .and_then(|s| s.last_event_id.clone());
            if let (Some(id), Some(obj)) = (last, subscription.as_object_mut()) {
                obj.insert(
                    self.protocol.last_event_id_field.to_owned(),
                    serde_json::Value::String(id),
                );
            }
            if socket
                .send(Message::text(subscription.to_string()))
                .await
                .is_err()
            {
                return Ended::Dropped;
            }
        }
        while let Some(frame) = self.outbox.front() {
            if socket.send(Message::text(frame.clone())).await.is_err() {
                return Ended::Dropped;
            }
            self.outbox.pop_front();
        }

        self.announced_interval = None;
        let far = Duration::from_secs(86_400 * 365);
        let mut idle = self.idle_timeout();
        let watchdog = tokio::time::sleep(idle.unwrap_or(far).min(far));
        tokio::pin!(watchdog);
        loop {
            tokio::select! {
                frame = socket.next() => {
                    match frame {
                        Some(Ok(Message::Text(text))) => {
                            if !self.deliver(text.as_str()) {
                                let _ = socket.close(None).await;
                                return Ended::Stop;
                            }
                        }
                        Some(Ok(Message::Close(frame))) => {
                            let (code, reason) = frame
                                .map(|f| (u16::from(f.code), f.reason.as_str().to_owned()))
                                .unwrap_or((1005, String::new()));
                            if self.protocol.final_close_codes.contains(&code) {
                                let _ = self.inbound.send(Err(Error::WebSocketClosed { code, reason }));
                                return Ended::Stop;
                            }
                            self.log(LogLevel::Info, || format!("WebSocket closed with code {code}"));
                            return Ended::Dropped;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            self.log(LogLevel::Warn, || format!("WebSocket dropped: {e}"));
                            return Ended::Dropped;
                        }
                        None => return Ended::Dropped,
                    }
                    // Any frame proves the connection alive; a welcome may have announced the
                    // heartbeat interval, so the timeout is recomputed.
                    idle = self.idle_timeout();
                    if let Some(idle) = idle {
                        watchdog.as_mut().reset(tokio::time::Instant::now() + idle.min(far));
                    }
                }
                command = self.commands.recv() => match command {
                    Some(Command::Send(value)) => {
                        if self.is_subscribe(&value) {
                            self.subscription = Some(value.clone());
                        }
                        if socket.send(Message::text(value.to_string())).await.is_err() {
                            if !self.is_subscribe(&value) {
                                self.outbox.push_back(value.to_string());
                            }
                            return Ended::Dropped;
                        }
                    }
                    Some(Command::Close) | None => {
                        let _ = socket.close(None).await;
                        return Ended::Stop;
                    }
                },
                () = &mut watchdog, if idle.is_some() => {
                    self.log(LogLevel::Warn, || "WebSocket idle for too long; reconnecting".to_owned());
                    return Ended::Dropped;
                }
            }
        }
    }

    /// The watchdog's timeout: the option, else (with heartbeats) twice the announced interval
    /// or [`DEFAULT_IDLE_TIMEOUT`].
    fn idle_timeout(&self) -> Option<Duration> {
        match self.options.idle_timeout {
            Some(d) if d == Duration::MAX => None,
            Some(d) => Some(d),
            None if self.protocol.heartbeat_type.is_some() => Some(
                self.announced_interval
                    .map(|d| d * 2)
                    .unwrap_or(DEFAULT_IDLE_TIMEOUT),
            ),
            None => None,
        }
    }

    /// Handles one text frame; `false` when nobody listens any more.
    fn deliver(&mut self, text: &str) -> bool {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.log(LogLevel::Warn, || {
                    format!("ignoring a WebSocket frame that is not JSON: {e}")
                });
                return true;
            }
        };
        let kind = value.get(self.protocol.type_field).and_then(|v| v.as_str());
        if kind == Some(self.protocol.welcome_type) {
            self.failures = 0;
            if let Some(field) = self.protocol.heartbeat_interval_field {
                self.announced_interval = value
                    .get(field)
                    .and_then(|v| v.as_u64())
                    .filter(|ms| *ms > 0)
                    .map(Duration::from_millis);
            }
        }
        if kind.is_some() && kind == self.protocol.heartbeat_type {
            if let Ok(mut s) = self.shared.lock() {
                s.last_heartbeat = Some(Instant::now());
            }
        }
        let event_id = if self.protocol.event_id_pointer.is_empty() {
            None
        } else {
            value
                .pointer(self.protocol.event_id_pointer)
                .and_then(|v| match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
        };
        if let Some(id) = &event_id {
            if self.seen.contains(id) {
                return true;
            }
        }
        let message = match serde_json::from_value::<S>(value) {
            Ok(m) => m,
            Err(e) => {
                self.log(LogLevel::Warn, || {
                    format!("ignoring an undecodable WebSocket message: {e}")
                });
                return true;
            }
        };
        if let Some(id) = event_id {
            self.seen.insert(id.clone());
            self.seen_order.push_back(id.clone());
            if self.seen_order.len() > self.options.dedupe_window {
                if let Some(old) = self.seen_order.pop_front() {
                    self.seen.remove(&old);
                }
            }
            if let Ok(mut s) = self.shared.lock() {
                s.last_event_id = Some(id);
            }
        }
        self.inbound.send(Ok(message)).is_ok()
    }
}
