//! The WHATWG SSE parser (unit) and the reconnecting event stream (against a local server).

mod common;

use std::time::Duration;

use common::{Reply, Step, TestServer};
use futures_util::StreamExt;
use sdk_runtime_harness::runtime::sse::{json_data, tagged_json};
use sdk_runtime_harness::runtime::{Error, RequestSpec, SseMessage, SseParser};
use serde::Deserialize;

/// Parses a whole stream; `last_event_id` is checked separately (see `tracks_ids...`).
fn parse_all(input: &[u8]) -> Vec<SseMessage> {
    strip(SseParser::new().feed(input))
}

fn msg(event: &str, data: &str, id: Option<&str>) -> SseMessage {
    SseMessage::new(event, data, id.map(str::to_owned))
}

fn strip(messages: Vec<SseMessage>) -> Vec<SseMessage> {
    messages
        .into_iter()
        .map(|m| SseMessage::new(m.event, m.data, m.id))
        .collect()
}

#[test]
fn parses_fields_multiline_data_and_defaults() {
    let out = parse_all(
        b"event: added\ndata: {\"a\":1}\nid: 7\n\ndata: line one\ndata:line two\ndata\n\n",
    );
    assert_eq!(
        out,
        vec![
            msg("added", "{\"a\":1}", Some("7")),
            msg("message", "line one\nline two\n", None)
        ]
    );
}

#[test]
fn ignores_comments_unknown_fields_and_messages_without_data() {
    let out = parse_all(b": keep-alive\n\nevent: x\nid: 1\n\nfoo: bar\ndata: d\n\n");
    // `event: x` had no data: no dispatch, and the event name does not leak into the next message.
    assert_eq!(out, vec![msg("message", "d", None)]);
}

#[test]
fn strips_one_space_only_and_handles_a_field_without_colon() {
    let out = parse_all(b"data:  two spaces\n\ndata\n\n");
    assert_eq!(
        out,
        vec![
            msg("message", " two spaces", None),
            msg("message", "", None)
        ]
    );
}

#[test]
fn accepts_cr_lf_and_crlf_line_endings() {
    let expected = vec![msg("e", "a\nb", None), msg("message", "c", None)];
    assert_eq!(
        parse_all(b"event: e\rdata: a\rdata: b\r\rdata: c\r\r"),
        expected
    );
    assert_eq!(
        parse_all(b"event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
        expected
    );
    assert_eq!(
        parse_all(b"event: e\ndata: a\r\ndata: b\r\rdata: c\n\r\n"),
        expected
    );
}

#[test]
fn strips_a_leading_bom_once() {
    assert_eq!(
        parse_all(b"\xEF\xBB\xBFdata: x\n\n"),
        vec![msg("message", "x", None)]
    );
    // A BOM later in the stream is data.
    let out = parse_all(b"data: x\n\n\xEF\xBB\xBFdata: y\n\n");
    assert_eq!(out, vec![msg("message", "x", None)]);
}

#[test]
fn chunk_boundaries_anywhere_give_the_same_messages() {
    let stream = "\u{feff}event: caf\u{e9}\r\ndata: {\"emoji\":\"\u{1f600}\u{e9}\"}\r\nid: \u{e9}1\r\n\r\n: c\rdata: two\r\rretry: 1500\nid:\ndata: three\n\n";
    let bytes = stream.as_bytes();
    let whole = parse_all(bytes);
    assert_eq!(whole.len(), 3);
    assert_eq!(
        whole[0],
        msg(
            "caf\u{e9}",
            "{\"emoji\":\"\u{1f600}\u{e9}\"}",
            Some("\u{e9}1")
        )
    );
    assert_eq!(whole[2].id, None, "an empty id resets");
    // Every split point, including inside UTF-8 sequences, the BOM and between CR and LF.
    for cut in 0..=bytes.len() {
        let mut parser = SseParser::new();
        let mut out = strip(parser.feed(&bytes[..cut]));
        out.extend(strip(parser.feed(&bytes[cut..])));
        assert_eq!(out, whole, "split at {cut}");
        assert_eq!(
            parser.reconnection_time(),
            Some(Duration::from_millis(1500))
        );
    }
    // Byte by byte.
    let mut parser = SseParser::new();
    let out: Vec<_> = bytes
        .iter()
        .flat_map(|b| strip(parser.feed(std::slice::from_ref(b))))
        .collect();
    assert_eq!(out, whole);
}

#[test]
fn tracks_ids_and_retry_like_the_spec() {
    let mut parser = SseParser::new();
    let out = parser.feed(
        b"id: 1\ndata: a\n\ndata: b\n\nid: bad\0id\ndata: c\n\nretry: 12x\nretry: 250\nid: 2\n",
    );
    assert_eq!(
        strip(out.clone()),
        vec![
            msg("message", "a", Some("1")),
            msg("message", "b", None),
            msg("message", "c", None)
        ]
    );
    let last: Vec<_> = out.iter().map(|m| m.last_event_id.as_deref()).collect();
    assert_eq!(last, vec![Some("1"), Some("1"), Some("1")]);
    assert_eq!(
        parser.last_event_id(),
        Some("2"),
        "an id with NUL is ignored; an id line without data still counts"
    );
    assert_eq!(parser.reconnection_time(), Some(Duration::from_millis(250)));
    // An unterminated message is not dispatched.
    assert!(parser.feed(b"data: partial").is_empty());
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type")]
enum Event {
    #[serde(rename = "thing.added")]
    Added { n: u32 },
    #[serde(rename = "thing.removed")]
    Removed { n: u32 },
    #[serde(other)]
    Unknown,
}

fn event(id: u32, kind: &str) -> Vec<u8> {
    format!("id: {id}\nevent: {kind}\ndata: {{\"n\":{id}}}\n\n").into_bytes()
}

#[tokio::test]
async fn reconnects_with_last_event_id_without_gaps_or_duplicates() {
    let server = TestServer::start(|r, i| match i {
        0 => {
            assert_eq!(r.header("last-event-id"), None);
            Reply::sse(vec![
                Step::Write(b"retry: 10\n: hello\n\n".to_vec()),
                Step::Write(event(1, "thing.added")),
                // A message split across writes.
                Step::Write(b"id: 2\nevent: thing.rem".to_vec()),
                Step::Sleep(Duration::from_millis(20)),
                Step::Write(b"oved\ndata: {\"n\":2}\n\n".to_vec()),
                // A partial message then the connection drops: it must not be delivered.
                Step::Write(b"id: 3\nevent: thing.added\ndata: {\"n\":".to_vec()),
            ])
        }
        1 => Reply::status(503),
        2 => Reply::sse(vec![
            Step::Write(event(2, "thing.removed")), // a replayed duplicate
            Step::Write(event(3, "thing.added")),
            Step::Write(event(4, "thing.future")),
        ]),
        _ => Reply::status(204),
    })
    .await;
    let client = server.client().build().unwrap();
    let stream = client.event_stream(
        RequestSpec::get("/v1/events").query("types", ["a", "b"]),
        tagged_json::<Event>("type"),
    );
    let events: Vec<Event> = stream.map(|r| r.unwrap()).collect().await;
    assert_eq!(
        events,
        vec![
            Event::Added { n: 1 },
            Event::Removed { n: 2 },
            Event::Added { n: 3 },
            Event::Unknown
        ]
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    let ids: Vec<Option<&str>> = reqs.iter().map(|r| r.header("last-event-id")).collect();
    assert_eq!(ids, vec![None, Some("2"), Some("2"), Some("4")]);
    assert!(reqs
        .iter()
        .all(|r| r.header("accept") == Some("text/event-stream")));
    assert!(reqs.iter().all(|r| r.query() == "types=a&types=b"));
    assert!(reqs
        .iter()
        .all(|r| r.header("x-api-key") == Some("test-key")));
}

#[tokio::test]
async fn a_non_retryable_status_ends_the_stream_with_the_typed_error() {
    let server = TestServer::start(|_, i| match i {
        0 => Reply::sse(vec![
            Step::Write(b"retry: 5\n\n".to_vec()),
            Step::Write(event(1, "thing.added")),
        ]),
        _ => Reply::problem(409, "EVENTS_EXPIRED", "req_s"),
    })
    .await;
    let client = server.client().build().unwrap();
    let mut stream =
        client.event_stream(RequestSpec::get("/v1/events"), tagged_json::<Event>("type"));
    assert_eq!(stream.next().await.unwrap().unwrap(), Event::Added { n: 1 });
    assert_eq!(stream.last_event_id().as_deref(), Some("1"));
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(err.code(), Some("EVENTS_EXPIRED"));
    assert_eq!(err.request_id(), Some("req_s"));
    assert!(stream.next().await.is_none());
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn resumes_from_a_given_id_and_reports_decode_errors_without_ending() {
    let server = TestServer::start(|_, i| match i {
        0 => Reply::sse(vec![
            Step::Write(b"id: 10\ndata: not json\n\n".to_vec()),
            Step::Write(b"id: 11\ndata: {\"type\":\"thing.added\",\"n\":11}\n\n".to_vec()),
        ]),
        _ => Reply::status(204),
    })
    .await;
    let client = server.client().build().unwrap();
    let stream = client
        .event_stream(RequestSpec::get("/v1/events"), json_data::<Event>())
        .last_event_id_start(Some("9".into()))
        .initial_reconnect_delay(Duration::from_millis(5));
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert!(matches!(items[0], Err(Error::Decode { .. })));
    assert_eq!(items[1].as_ref().unwrap(), &Event::Added { n: 11 });
    let ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("last-event-id").map(str::to_owned))
        .collect();
    assert_eq!(ids, vec![Some("9".into()), Some("11".into())]);
}

#[tokio::test]
async fn yields_the_servers_error_event_typed_then_resumes_or_ends() {
    let ended = |code: &str| {
        format!(
            "event: error\ndata: {{\"type\":\"error\",\"code\":\"{code}\",\"message\":\"m\"}}\n\n"
        )
        .into_bytes()
    };
    let server = TestServer::start(move |_, i| match i {
        0 => Reply::sse(vec![
            Step::Write(event(1, "thing.added")),
            Step::Write(ended("SLOW_CONSUMER")),
        ]),
        _ => Reply::sse(vec![
            Step::Write(event(2, "thing.added")),
            Step::Write(ended("EVENTS_EXPIRED")),
        ]),
    })
    .await;
    let client = server.client().build().unwrap();
    let stream = client
        .event_stream(RequestSpec::get("/v1/events"), tagged_json::<Event>("type"))
        .initial_reconnect_delay(Duration::from_millis(5));
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &Event::Added { n: 1 });
    let slow = items[1].as_ref().unwrap_err();
    assert!(
        matches!(slow, Error::EventStreamEnded { code, .. } if code == "SLOW_CONSUMER"),
        "{slow:?}"
    );
    assert!(slow.is_resumable_stream_end());
    assert_eq!(items[2].as_ref().unwrap(), &Event::Added { n: 2 });
    let expired = items[3].as_ref().unwrap_err();
    assert!(matches!(expired, Error::EventStreamEnded { code, .. } if code == "EVENTS_EXPIRED"));
    assert!(!expired.is_resumable_stream_end());
    let ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("last-event-id").map(str::to_owned))
        .collect();
    assert_eq!(ids, vec![None, Some("1".into())]);
}

#[tokio::test]
async fn gives_up_after_max_reconnects() {
    let server = TestServer::sequence(vec![Reply::status(503)]).await;
    let client = server.client().build().unwrap();
    let items: Vec<_> = client
        .event_stream(
            RequestSpec::get("/v1/events"),
            json_data::<serde_json::Value>(),
        )
        .initial_reconnect_delay(Duration::from_millis(1))
        .max_reconnects(2)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(Error::InternalServer(_))));
    assert_eq!(server.count(), 3);
}
