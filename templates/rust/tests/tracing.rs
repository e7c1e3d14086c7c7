//! The request loop's `tracing` events carry fields (method, url, attempt, status, request id,
//! delay, error kind) inside the `request{method,path}` span, captured by a small subscriber.

mod common;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{dead_url, Reply, TestServer};
use sdk_runtime_harness::runtime::{Error, RequestSpec};
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One captured event: its level, the span it was emitted in (`name{field=value,...}`), its
/// fields (`message` included).
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    span: Option<String>,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    events: Vec<Captured>,
    spans: BTreeMap<u64, String>,
    stack: Vec<u64>,
}

/// A subscriber recording every event and span of the thread it is the default of.
#[derive(Clone, Default)]
struct Capture {
    state: Arc<Mutex<State>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    /// The captured events whose message is `message`.
    fn events(&self, message: &str) -> Vec<Captured> {
        let state = self.state.lock().unwrap();
        let all = state.events.iter();
        all.filter(|e| e.get("message") == Some(message))
            .cloned()
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let text = format!("{}{{{}}}", span.metadata().name(), shown.join(","));
        self.state.lock().unwrap().spans.insert(id, text);
        Id::from_u64(id)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let mut state = self.state.lock().unwrap();
        let span = state
            .stack
            .last()
            .and_then(|id| state.spans.get(id).cloned());
        state.events.push(Captured {
            level: *event.metadata().level(),
            span,
            fields,
        });
    }
    fn enter(&self, id: &Id) {
        self.state.lock().unwrap().stack.push(id.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.state.lock().unwrap().stack.pop();
    }
}

// `#[tokio::test]` runs on one thread, so the thread's default subscriber sees every event.

#[tokio::test]
async fn attempts_answers_and_retries_are_events_with_fields() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::sequence(vec![
        Reply::status(503).header("x-request-id", "req-1"),
        Reply::json(200, json!({"ok": true})).header("x-request-id", "req-2"),
    ])
    .await;
    let client = server.client().build().unwrap();
    let _: Value = client
        .request(RequestSpec::get("/v1/x").query("secret", "q"))
        .await
        .unwrap();

    let url = format!("{}/v1/x", server.url);
    let sent = capture.events("sending request");
    assert_eq!(sent.len(), 2, "{sent:?}");
    for (i, event) in sent.iter().enumerate() {
        assert_eq!(event.level, Level::DEBUG);
        assert_eq!(event.get("method"), Some("GET"));
        assert_eq!(
            event.get("url"),
            Some(url.as_str()),
            "no query: it may hold a key"
        );
        assert_eq!(event.get("attempt"), Some((i + 1).to_string().as_str()));
        assert_eq!(
            event.span.as_deref(),
            Some("request{method=GET,path=/v1/x}")
        );
    }
    let answers = capture.events("response");
    let seen: Vec<_> = answers
        .iter()
        .map(|e| {
            (
                e.level,
                e.get("status"),
                e.get("request_id"),
                e.get("attempt"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (Level::DEBUG, Some("503"), Some("req-1"), Some("1")),
            (Level::DEBUG, Some("200"), Some("req-2"), Some("2")),
        ]
    );
    assert!(answers.iter().all(|e| e.get("elapsed_ms").is_some()));
    let retries = capture.events("retrying");
    assert_eq!(retries.len(), 1, "{retries:?}");
    let retry = &retries[0];
    assert_eq!(retry.level, Level::INFO);
    assert_eq!(
        (retry.get("status"), retry.get("request_id")),
        (Some("503"), Some("req-1"))
    );
    assert_eq!(
        (retry.get("attempt"), retry.get("method")),
        (Some("1"), Some("GET"))
    );
    let delay: u64 = retry.get("delay_ms").unwrap().parse().unwrap();
    assert!(delay <= 5, "the client's max retry delay is 5 ms: {delay}");
    assert!(capture.events("request failed").is_empty());
    let state = capture.state.lock().unwrap();
    for event in &state.events {
        for value in event.fields.values() {
            assert!(
                !value.contains("test-key") && !value.contains("secret"),
                "{event:?}"
            );
        }
    }
}

#[tokio::test]
async fn final_failures_are_warn_for_server_errors_and_no_answer_debug_for_refusals() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::start(|request, _| {
        if request.path() == "/v1/gone" {
            Reply::problem(404, "NOT_FOUND", "req-404")
        } else {
            Reply::problem(503, "UNAVAILABLE", "req-503")
        }
    })
    .await;
    let client = server.client().max_retries(1).build().unwrap();
    let error = client
        .request::<Value>(RequestSpec::get("/v1/busy"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InternalServer(_)), "{error:?}");
    let error = client
        .request::<Value>(RequestSpec::delete("/v1/gone"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    let dead = server
        .client()
        .base_url(&dead_url().await)
        .max_retries(0)
        .build()
        .unwrap();
    let error = dead
        .request::<Value>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert!(error.is_connection(), "{error:?}");

    let failed = capture.events("request failed");
    let seen: Vec<_> = failed
        .iter()
        .map(|e| {
            let f = |name| e.get(name);
            (
                e.level,
                f("method"),
                f("attempts"),
                f("status"),
                f("request_id"),
                f("error_kind"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                Level::WARN,
                Some("GET"),
                Some("2"),
                Some("503"),
                Some("req-503"),
                Some("internal_server")
            ),
            (
                Level::DEBUG,
                Some("DELETE"),
                Some("1"),
                Some("404"),
                Some("req-404"),
                Some("not_found")
            ),
            (
                Level::WARN,
                Some("GET"),
                Some("1"),
                None,
                None,
                Some("connection")
            ),
        ]
    );
    assert!(failed.iter().all(|e| e.get("error").is_some()));
    assert_eq!(
        failed[1].span.as_deref(),
        Some("request{method=DELETE,path=/v1/gone}")
    );
}

#[tokio::test]
async fn event_stream_drops_and_reconnects_are_events_with_fields() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::start(|_, i| match i {
        0 => Reply::sse(vec![common::Step::Write(
            b"retry: 5\nid: 7\ndata: {}\n\n".to_vec(),
        )]),
        1 => Reply::status(503),
        _ => Reply::status(204),
    })
    .await;
    let client = server.client().build().unwrap();
    let stream = client.event_stream(
        RequestSpec::get("/v1/events"),
        sdk_runtime_harness::runtime::sse::json_data::<Value>(),
    );
    let _: Vec<_> = futures_util::StreamExt::collect(stream).await;

    let ended = capture.events("event stream ended");
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0].level, Level::INFO);
    assert_eq!(
        (ended[0].get("path"), ended[0].get("last_event_id")),
        (Some("/v1/events"), Some("7"))
    );
    let failed = capture.events("event stream connection failed");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].level, Level::WARN);
    assert_eq!(failed[0].get("status"), Some("503"));
    let reconnecting = capture.events("event stream reconnecting");
    assert!(!reconnecting.is_empty());
    assert!(reconnecting
        .iter()
        .all(|e| e.get("delay_ms").is_some() && e.get("path") == Some("/v1/events")));
}
