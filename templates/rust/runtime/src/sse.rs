//! Server-Sent Events: a WHATWG-conformant [`SseParser`] and [`EventStream`], a `Stream` of
//! typed events that reconnects with backoff, resumes with `Last-Event-ID` and skips ids it
//! already delivered.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;

use super::client::{Answer, Client, RequestOptions, RequestParams, RequestSpec};
use super::error::{Error, Result};
use super::log::{log_event, Logger};
use super::retry;
pub use super::sse_parser::{SseMessage, SseParser};

/// A decoder of SSE messages: `Ok(None)` skips a message, `Err` is yielded without ending the
/// stream.
pub type Decoder<T> = Arc<dyn Fn(&SseMessage) -> Result<Option<T>> + Send + Sync>;

/// Decodes every message's `data` as JSON `T`, whatever its event name (for payloads that carry
/// their own discriminator).
pub fn json_data<T>() -> impl Fn(&SseMessage) -> Result<Option<T>> + Send + Sync + 'static
where
    T: DeserializeOwned,
{
    |message: &SseMessage| {
        serde_json::from_str(&message.data)
            .map(Some)
            .map_err(|e| Error::decode(e, message.data.as_bytes()))
    }
}

/// Decodes `data` as JSON `T` keyed by the event name: the name is inserted as member
/// `tag_field` of the data object (unless present), so an internally tagged serde enum
/// (`#[serde(tag = "...")]`, with an unknown fallback) picks the variant.
pub fn tagged_json<T: DeserializeOwned>(
    tag_field: &'static str,
) -> impl Fn(&SseMessage) -> Result<Option<T>> + Send + Sync + 'static {
    move |message: &SseMessage| {
        let mut value: serde_json::Value = serde_json::from_str(&message.data)
            .map_err(|e| Error::decode(e, message.data.as_bytes()))?;
        if let serde_json::Value::Object(map) = &mut value {
            map.entry(tag_field.to_owned())
                .or_insert_with(|| serde_json::Value::String(message.event.clone()));
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| Error::decode(e, message.data.as_bytes()))
    }
}

struct Config<T> {
    client: Client,
    spec: RequestSpec,
    options: RequestOptions,
    decode: Decoder<T>,
    last_event_id: Option<String>,
    initial_delay: Duration,
    max_delay: Duration,
    max_reconnects: Option<u32>,
    dedupe_window: usize,
}

/// A `Stream` of typed events from a Server-Sent Events endpoint.
///
/// It connects on first poll, reconnects after a drop, the end of the body or a retryable status
/// with backoff (1 s doubling to 30 s, × [0.75, 1]; reset after a message; `retry:` from the
/// server sets the base; `Retry-After` of a retryable status wins), sends `Last-Event-ID` with the
/// last id seen, and skips ids it already delivered. A non-retryable status (401, 404, 409
/// without `Retry-After`, ...) yields the typed error and ends the stream; a 204 ends it quietly.
/// Dropping the stream closes the connection.
///
/// `P` is the operation's parameters ([`RequestParams`]; `()` when it has none), sent with every
/// connection: generated code adds a typed setter per optional parameter (`.types([...])`).
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T, P = ()> {
    config: Option<Config<T>>,
    params: P,
    inner: Option<BoxStream<'static, Result<T>>>,
    last_event_id: Arc<Mutex<Option<String>>>,
}

impl<T, P: fmt::Debug> fmt::Debug for EventStream<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("params", &self.params)
            .field("started", &self.inner.is_some())
            .field(
                "last_event_id",
                &self.last_event_id.lock().ok().and_then(|g| g.clone()),
            )
            .finish()
    }
}

impl<T: Send + 'static> EventStream<T> {
    pub(super) fn new(client: Client, spec: RequestSpec, decode: Decoder<T>) -> Self {
        EventStream {
            config: Some(Config {
                client,
                spec,
                options: RequestOptions::default(),
                decode,
                last_event_id: None,
                initial_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                max_reconnects: None,
                dedupe_window: 10_000,
            }),
            params: (),
            inner: None,
            last_event_id: Arc::new(Mutex::new(None)),
        }
    }
}

impl<T: Send + 'static, P: RequestParams> EventStream<T, P> {
    /// Replaces the operation's parameters (the typed setters change one each); they are sent
    /// from the first connection on, so set them before polling.
    pub fn params(mut self, params: P) -> Self {
        self.params = params;
        self
    }

    /// The operation's parameters, to change in place before the first poll.
    pub fn params_mut(&mut self) -> &mut P {
        &mut self.params
    }

    /// Attaches the operation's parameters (what generated methods return).
    #[doc(hidden)]
    pub fn bind_params<Q: RequestParams>(self, params: Q) -> EventStream<T, Q> {
        EventStream {
            config: self.config,
            params,
            inner: self.inner,
            last_event_id: self.last_event_id,
        }
    }

    fn configure(mut self, f: impl FnOnce(&mut Config<T>)) -> Self {
        if let Some(c) = self.config.as_mut() {
            f(c);
        }
        self
    }

    /// Resumes after this event id (sent as `Last-Event-ID` on the first connection).
    pub fn last_event_id_start(self, id: Option<String>) -> Self {
        self.configure(|c| c.last_event_id = id)
    }

    /// Per-request options for every connection (timeout applies to receiving the headers;
    /// `max_retries` is ignored: reconnecting is governed by the stream's backoff).
    pub fn options(self, options: RequestOptions) -> Self {
        self.configure(|c| c.options = options)
    }

    /// The first reconnect delay (default 1 s; a server `retry:` replaces it).
    pub fn initial_reconnect_delay(self, delay: Duration) -> Self {
        self.configure(|c| c.initial_delay = delay)
    }

    /// The cap of the reconnect delay (default 30 s).
    pub fn max_reconnect_delay(self, delay: Duration) -> Self {
        self.configure(|c| c.max_delay = delay)
    }

    /// Consecutive failed connections after which the stream gives up with the last error
    /// (default: never).
    pub fn max_reconnects(self, max: u32) -> Self {
        self.configure(|c| c.max_reconnects = Some(max))
    }

    /// The last event id seen (of a completed message).
    pub fn last_event_id(&self) -> Option<String> {
        self.last_event_id
            .lock()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// Closes the connection; the stream then ends.
    pub fn close(&mut self) {
        self.config = None;
        self.inner = Some(stream::empty().boxed());
    }
}

impl<T: Send + 'static, P: RequestParams> Stream for EventStream<T, P> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.inner.is_none() {
            match this.config.take() {
                Some(mut config) => {
                    config.spec = this.params.apply(config.spec.clone());
                    this.inner = Some(run(config, this.last_event_id.clone()));
                }
                None => return Poll::Ready(None),
            }
        }
        match this.inner.as_mut() {
            Some(inner) => inner.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

struct State<T> {
    config: Config<T>,
    shared: Arc<Mutex<Option<String>>>,
    parser: SseParser,
    body: Option<BoxStream<'static, reqwest::Result<bytes::Bytes>>>,
    queue: VecDeque<Result<T>>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    last_event_id: Option<String>,
    failures: u32,
    next_delay: Option<Duration>,
    done: bool,
}

fn run<T: Send + 'static>(
    config: Config<T>,
    shared: Arc<Mutex<Option<String>>>,
) -> BoxStream<'static, Result<T>> {
    let last_event_id = config.last_event_id.clone();
    if let Ok(mut g) = shared.lock() {
        g.clone_from(&last_event_id);
    }
    let state = State {
        config,
        shared,
        parser: SseParser::new(),
        body: None,
        queue: VecDeque::new(),
        seen: HashSet::new(),
        seen_order: VecDeque::new(),
        last_event_id,
        failures: 0,
        next_delay: None,
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
    .boxed()
}

impl<T: Send + 'static> State<T> {
    /// The client's logging callback, for `log_event!` (which also emits the `tracing` event).
    fn logger(&self) -> Option<&Logger> {
        self.config.client.inner.logger.as_ref()
    }

    async fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            let chunk = match self.body.as_mut() {
                Some(body) => body.next().await,
                None => {
                    if let Err(e) = self.connect().await {
                        self.done = true;
                        return Some(Err(e));
                    }
                    continue;
                }
            };
            match chunk {
                Some(Ok(bytes)) => {
                    for message in self.parser.feed(&bytes) {
                        self.handle(message);
                    }
                }
                Some(Err(e)) => {
                    log_event!(
                        self.logger(),
                        WARN,
                        format!("event stream dropped: {e}"),
                        path = self.config.spec.path.as_str(),
                        last_event_id = self.last_event_id.as_deref(),
                        error = %e,
                        "event stream dropped"
                    );
                    self.dropped(None);
                }
                None => {
                    log_event!(
                        self.logger(),
                        INFO,
                        "event stream ended; reconnecting",
                        path = self.config.spec.path.as_str(),
                        last_event_id = self.last_event_id.as_deref(),
                        "event stream ended"
                    );
                    self.dropped(None);
                }
            }
        }
    }

    fn handle(&mut self, message: SseMessage) {
        self.failures = 0;
        self.last_event_id.clone_from(&message.last_event_id);
        if let Ok(mut g) = self.shared.lock() {
            g.clone_from(&self.last_event_id);
        }
        if message.event == "error" && message.id.is_none() {
            // The server ends the stream (the contract's StreamErrorEvent): the typed error is
            // yielded; the stream then resumes from the last id, or ends when it cannot.
            let ended = stream_error(&message.data);
            if !ended.is_resumable_stream_end() {
                self.done = true;
                self.body = None;
            }
            self.queue.push_back(Err(ended));
            return;
        }
        if let Some(id) = &message.id {
            if self.seen.contains(id) {
                return;
            }
            self.seen.insert(id.clone());
            self.seen_order.push_back(id.clone());
            if self.seen_order.len() > self.config.dedupe_window {
                if let Some(old) = self.seen_order.pop_front() {
                    self.seen.remove(&old);
                }
            }
        }
        match (self.config.decode)(&message) {
            Ok(Some(value)) => self.queue.push_back(Ok(value)),
            Ok(None) => {}
            Err(e) => self.queue.push_back(Err(e)),
        }
    }

    /// Records a failed or dropped connection and the delay before the next one.
    fn dropped(&mut self, retry_after: Option<Duration>) {
        self.body = None;
        self.failures += 1;
        let base = self
            .parser
            .reconnection_time()
            .unwrap_or(self.config.initial_delay);
        let exp = 2f64.powi(self.failures.saturating_sub(1).min(30) as i32);
        let delay =
            (base.as_secs_f64() * exp).min(self.config.max_delay.as_secs_f64()) * retry::jitter();
        self.next_delay = Some(retry_after.unwrap_or_else(|| Duration::from_secs_f64(delay)));
    }

    /// Waits out the pending delay, then connects. `Err` ends the stream.
    async fn connect(&mut self) -> Result<()> {
        if let Some(delay) = self.next_delay.take() {
            log_event!(
                self.logger(),
                INFO,
                format!("event stream reconnecting in {delay:?}"),
                path = self.config.spec.path.as_str(),
                last_event_id = self.last_event_id.as_deref(),
                failures = self.failures,
                delay_ms = delay.as_millis() as u64,
                "event stream reconnecting"
            );
            tokio::time::sleep(delay).await;
        }
        let mut spec = self.config.spec.clone().accept("text/event-stream");
        spec = spec.header("Cache-Control", Some("no-cache"));
        if let Some(id) = &self.last_event_id {
            spec = spec.header("Last-Event-ID", Some(id));
        }
        let options = RequestOptions {
            max_retries: Some(0),
            ..self.config.options.clone()
        };
        let error = match self.config.client.execute(&spec, &options, true).await {
            Ok(Answer::Streaming(response)) => {
                if response.status() == reqwest::StatusCode::NO_CONTENT {
                    self.done = true;
                    return Ok(());
                }
                let retry = self.parser.reconnection_time();
                self.parser = SseParser::with_last_event_id(self.last_event_id.as_deref());
                self.parser.retry = retry;
                self.body = Some(response.bytes_stream().boxed());
                return Ok(());
            }
            Ok(Answer::Buffered { status, .. }) => {
                return Err(Error::InvalidRequest(format!(
                    "unexpected buffered answer {status}"
                )));
            }
            Err(e) => e,
        };
        let retryable = match error.status_error() {
            Some(s) => retry::is_retryable_status(s.status, &s.headers),
            None => error.is_connection(),
        };
        if !retryable {
            return Err(error);
        }
        let retry_after = error
            .status_error()
            .and_then(|s| retry::retry_after(&s.headers));
        if retry_after.is_some_and(|d| d > retry::DEFAULT_MAX_RETRY_AFTER) {
            // Longer than the client waits for any request: the stream ends with the error.
            return Err(error);
        }
        self.dropped(retry_after);
        if self
            .config
            .max_reconnects
            .is_some_and(|max| self.failures > max)
        {
            return Err(error);
        }
        log_event!(
            self.logger(),
            WARN,
            format!("event stream connection failed: {error}"),
            path = self.config.spec.path.as_str(),
            failures = self.failures,
            status = error.status().map(|s| s.as_u16()),
            error = %error,
            "event stream connection failed"
        );
        Ok(())
    }
}

/// The `error` event's data as a typed error (a body that is not the contract's still ends the
/// stream resumably).
fn stream_error(data: &str) -> Error {
    let body: serde_json::Value = serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
    let text = |key: &str| body.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Error::EventStreamEnded {
        code: text("code").unwrap_or_else(|| "UNKNOWN".to_owned()),
        message: text("message").unwrap_or_else(|| data.chars().take(200).collect()),
    }
}
