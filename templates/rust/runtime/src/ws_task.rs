//! The connection task of [`WebSocket`](super::websocket::WebSocket): connect, resubscribe,
//! deliver typed messages without duplicates, keep the connection honest (idle watchdog, pings),
//! reconnect with backoff.

use std::collections::{HashSet, VecDeque};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use super::error::{Error, Result};
use super::log::{log_event, Logger};
use super::retry;
use super::websocket::{Command, Shared};
use super::ws_keepalive::{Due, Keepalive};
use super::ws_options::{WsOptions, WsProtocol, DEFAULT_IDLE_TIMEOUT, DEFAULT_PING_INTERVAL};

/// The channels between the handle and its task.
pub(super) struct Links<S> {
    pub(super) commands: mpsc::UnboundedReceiver<Command>,
    pub(super) inbound: mpsc::UnboundedSender<Result<S>>,
    pub(super) shared: Arc<Mutex<Shared>>,
}

pub(super) struct Task<S> {
    url: String,
    shown_url: String,
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
    pub(super) fn new(
        url: String,
        headers: HeaderMap,
        protocol: WsProtocol,
        options: WsOptions,
        logger: Option<Logger>,
        links: Links<S>,
    ) -> Self {
        Task {
            // Shown in the logs: without the query (an API key may be in it).
            shown_url: url.split('?').next().unwrap_or_default().to_owned(),
            url,
            headers,
            protocol,
            options,
            logger,
            commands: links.commands,
            inbound: links.inbound,
            shared: links.shared,
            subscription: None,
            outbox: VecDeque::new(),
            failures: 0,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            announced_interval: None,
            _server: PhantomData,
        }
    }

    fn set_connected(&self, connected: bool) {
        if let Ok(mut s) = self.shared.lock() {
            s.connected = connected;
            if connected {
                s.connections += 1;
            }
        }
    }

    pub(super) async fn run(mut self) {
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
            let (url, failures) = (&self.shown_url, self.failures);
            log_event!(
                self.logger.as_ref(),
                INFO,
                format!("WebSocket reconnecting in {delay:?}"),
                url,
                failures,
                delay_ms = delay.as_millis() as u64,
                "websocket reconnecting"
            );
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
                    let status = error.status().map(|s| s.as_u16());
                    log_event!(
                        self.logger.as_ref(),
                        WARN,
                        format!("WebSocket upgrade failed: {error}"),
                        url = self.shown_url, status, error = %error, "websocket upgrade failed"
                    );
                    return Ended::Dropped;
                }
                let _ = self.inbound.send(Err(error));
                return Ended::Stop;
            }
            Ok(Err(e)) => {
                log_event!(
                    self.logger.as_ref(),
                    WARN,
                    format!("WebSocket connection failed: {e}"),
                    url = self.shown_url, error = %e, "websocket connection failed"
                );
                return Ended::Dropped;
            }
            Err(_) => {
                log_event!(
                    self.logger.as_ref(),
                    WARN,
                    "WebSocket connection timed out",
                    url = self.shown_url,
                    "websocket connection timed out"
                );
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
        let mut keepalive = Keepalive::new(
            self.idle_timeout(),
            self.ping_interval(),
            self.options.pong_timeout,
        );
        let far = tokio::time::Instant::now() + Duration::from_secs(86_400 * 365);
        let timer = tokio::time::sleep_until(keepalive.deadline().unwrap_or(far).min(far));
        tokio::pin!(timer);
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
                            log_event!(
                                self.logger.as_ref(),
                                INFO,
                                format!("WebSocket closed with code {code}"),
                                url = self.shown_url, code, reason, "websocket closed"
                            );
                            return Ended::Dropped;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            log_event!(
                                self.logger.as_ref(),
                                WARN,
                                format!("WebSocket dropped: {e}"),
                                url = self.shown_url, error = %e, "websocket dropped"
                            );
                            return Ended::Dropped;
                        }
                        None => return Ended::Dropped,
                    }
                    // Any frame (a pong too) proves the connection alive; a welcome may have
                    // announced the heartbeat interval, so the idle timeout is recomputed.
                    keepalive.on_frame();
                    keepalive.idle = self.idle_timeout();
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
                () = &mut timer => match keepalive.due() {
                    Some(Due::Ping) => {
                        // Answered by any live peer's WebSocket stack with a pong.
                        let sent = socket.send(Message::Ping(Default::default())).await;
                        if sent.is_err() {
                            return Ended::Dropped;
                        }
                    }
                    Some(Due::Idle(after) | Due::NoPong(after)) => {
                        log_event!(
                            self.logger.as_ref(),
                            WARN,
                            format!("WebSocket silent for {after:?}; reconnecting"),
                            url = self.shown_url, silent_ms = after.as_millis() as u64,
                            "websocket silent, reconnecting"
                        );
                        return Ended::Dropped;
                    }
                    None => {}
                },
            }
            let deadline = keepalive.deadline().unwrap_or(far).min(far);
            if deadline != timer.deadline() {
                timer.as_mut().reset(deadline);
            }
        }
    }

    /// The ping interval: the option, else (without heartbeats) [`DEFAULT_PING_INTERVAL`].
    fn ping_interval(&self) -> Option<Duration> {
        match self.options.ping_interval {
            Some(d) if d == Duration::MAX => None,
            Some(d) => Some(d),
            None if self.protocol.heartbeat_type.is_none() => Some(DEFAULT_PING_INTERVAL),
            None => None,
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
                log_event!(
                    self.logger.as_ref(),
                    WARN,
                    format!("ignoring a WebSocket frame that is not JSON: {e}"),
                    url = self.shown_url, error = %e, "websocket frame is not JSON"
                );
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
                log_event!(
                    self.logger.as_ref(),
                    WARN,
                    format!("ignoring an undecodable WebSocket message: {e}"),
                    url = self.shown_url, error = %e, "websocket message undecodable"
                );
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
