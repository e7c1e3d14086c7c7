//! The reconnecting WebSocket client against a local tokio-tungstenite server.
// The handshake callback signature is tungstenite's.
#![allow(clippy::result_large_err)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, TestServer};
use futures_util::{SinkExt, StreamExt};
use sdk_runtime_harness::runtime::{Error, RequestSpec, WsOptions, WsProtocol};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

const PROTOCOL: WsProtocol = WsProtocol {
    type_field: "type",
    welcome_type: "welcome",
    heartbeat_type: Some("heartbeat"),
    subscribe_type: Some("subscribe"),
    last_event_id_field: "last_event_id",
    event_id_pointer: "/event/id",
    final_close_codes: &[4001, 4003],
    heartbeat_interval_field: Some("heartbeat_interval_ms"),
};

#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerMessage {
    Welcome {},
    Heartbeat {},
    Event {
        event: EventBody,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Deserialize, PartialEq)]
struct EventBody {
    id: String,
}

fn ev(id: &str) -> Message {
    Message::text(json!({"type": "event", "event": {"id": id, "extra": true}}).to_string())
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}

fn fast() -> WsOptions {
    WsOptions::default()
        .initial_reconnect_delay(Duration::from_millis(5))
        .max_reconnect_delay(Duration::from_millis(20))
}

#[tokio::test]
async fn reconnects_resubscribes_skips_duplicates_and_stops_on_a_final_close_code() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let headers = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::new(Mutex::new(Vec::<Value>::new()));
    let (h, r) = (headers.clone(), received.clone());
    tokio::spawn(async move {
        for connection in 0.. {
            let (stream, _) = listener.accept().await.unwrap();
            let h = h.clone();
            let callback = move |req: &Request, resp: Response| {
                h.lock()
                    .unwrap()
                    .push((req.uri().to_string(), req.headers().clone()));
                Ok(resp)
            };
            let mut ws = tokio_tungstenite::accept_hdr_async(stream, callback)
                .await
                .unwrap();
            ws.send(Message::text(
                r#"{"type":"welcome","heartbeat_interval_ms":30000}"#,
            ))
            .await
            .unwrap();
            // The client's subscription (re-sent first on every connection).
            let Some(Ok(Message::Text(text))) = ws.next().await else {
                panic!("no subscribe")
            };
            r.lock()
                .unwrap()
                .push(serde_json::from_str(text.as_str()).unwrap());
            if connection == 0 {
                // The ping the client queued before connecting.
                let Some(Ok(Message::Text(text))) = ws.next().await else {
                    panic!("no ping")
                };
                r.lock()
                    .unwrap()
                    .push(serde_json::from_str(text.as_str()).unwrap());
                ws.send(ev("e1")).await.unwrap();
                ws.send(Message::text("not json")).await.unwrap();
                ws.send(ev("e2")).await.unwrap();
                ws.send(Message::text(
                    r#"{"type":"heartbeat","server_time":"2026-01-01T00:00:00Z"}"#,
                ))
                .await
                .unwrap();
                ws.send(close(1011, "restart")).await.unwrap();
            } else {
                ws.send(ev("e2")).await.unwrap(); // replayed: must be skipped
                ws.send(ev("e3")).await.unwrap();
                ws.send(Message::text(r#"{"type":"brand_new","x":1}"#))
                    .await
                    .unwrap();
                ws.send(close(4001, "authentication failed")).await.unwrap();
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while ws.next().await.is_some() {}
            })
            .await;
        }
    });

    let server = TestServer {
        url,
        requests: Default::default(),
    };
    let client = server.client().build().unwrap();
    let mut ws = client
        .websocket::<Value, ServerMessage>(
            RequestSpec::get("/v1/ws").query("token", None::<&str>),
            PROTOCOL,
            fast(),
        )
        .unwrap();
    ws.send(&json!({"type": "subscribe", "event_types": ["a"]}))
        .unwrap();
    ws.send(&json!({"type": "ping", "request_id": "p1"}))
        .unwrap();

    let mut messages = Vec::new();
    let mut final_error = None;
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("stalled")
    {
        match item {
            Ok(m) => messages.push(m),
            Err(e) => final_error = Some(e),
        }
    }
    let event = |id: &str| ServerMessage::Event {
        event: EventBody { id: id.into() },
    };
    assert_eq!(
        messages,
        vec![
            ServerMessage::Welcome {},
            event("e1"),
            event("e2"),
            ServerMessage::Heartbeat {},
            ServerMessage::Welcome {},
            event("e3"),
            ServerMessage::Unknown,
        ]
    );
    match final_error {
        Some(Error::WebSocketClosed { code, reason }) => {
            assert_eq!(code, 4001);
            assert_eq!(reason, "authentication failed");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.last_event_id().as_deref(), Some("e3"));
    assert!(ws.last_heartbeat().is_some());
    assert_eq!(ws.connections(), 2);

    let received = received.lock().unwrap().clone();
    assert_eq!(
        received,
        vec![
            json!({"type": "subscribe", "event_types": ["a"]}),
            json!({"type": "ping", "request_id": "p1"}),
            json!({"type": "subscribe", "event_types": ["a"], "last_event_id": "e2"}),
        ]
    );
    let headers = headers.lock().unwrap().clone();
    assert_eq!(headers.len(), 2);
    for (uri, h) in &headers {
        assert_eq!(uri, "/v1/ws");
        assert_eq!(h.get("x-api-key").unwrap(), "test-key");
        assert!(h
            .get("user-agent")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("test-sdk/1.2.3 "));
    }
}

#[tokio::test]
async fn a_rejected_upgrade_is_a_typed_error() {
    let server = TestServer::sequence(vec![Reply::problem(401, "UNAUTHENTICATED", "req_ws")]).await;
    let client = server.client().build().unwrap();
    let mut ws = client
        .websocket::<Value, Value>(RequestSpec::get("/v1/ws"), PROTOCOL, fast())
        .unwrap();
    let err = ws.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert_eq!(err.request_id(), Some("req_ws"));
    assert!(ws.next().await.is_none());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn gives_up_after_max_reconnects_and_close_ends_the_stream() {
    let url = common::dead_url().await;
    let server = TestServer {
        url,
        requests: Default::default(),
    };
    let client = server.client().build().unwrap();
    let mut ws = client
        .websocket::<Value, Value>(
            RequestSpec::get("/v1/ws"),
            PROTOCOL,
            fast().max_reconnects(2),
        )
        .unwrap();
    let err = ws.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(ws.next().await.is_none());
    assert!(ws.send(&json!({"type": "ping"})).is_err());

    // close() ends a live client.
    let server = TestServer::sequence(vec![Reply::status(503)]).await;
    let client = server.client().build().unwrap();
    let mut ws = client
        .websocket::<Value, Value>(RequestSpec::get("/v1/ws"), PROTOCOL, fast())
        .unwrap();
    ws.close();
    assert!(tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_silent_connection_is_dropped_after_twice_the_announced_heartbeat_interval() {
    // The server welcomes with a 50 ms heartbeat interval, then goes silent (half-open): without
    // any option the client's watchdog reconnects after about 100 ms.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(Mutex::new(0u32));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            *counter.lock().unwrap() += 1;
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.send(Message::text(
                    r#"{"type":"welcome","heartbeat_interval_ms":50}"#,
                ))
                .await
                .unwrap();
                tokio::time::sleep(Duration::from_secs(30)).await; // silent, never closing
            });
        }
    });
    let server = TestServer {
        url,
        requests: Default::default(),
    };
    let client = server.client().build().unwrap();
    let mut ws = client
        .websocket::<Value, ServerMessage>(RequestSpec::get("/v1/ws"), PROTOCOL, fast())
        .unwrap();
    for _ in 0..2 {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a welcome within 10 s")
            .unwrap()
            .unwrap();
        assert_eq!(message, ServerMessage::Welcome {});
    }
    assert!(
        *connections.lock().unwrap() >= 2,
        "the watchdog reconnected"
    );
    ws.close();
}

/// [`PROTOCOL`] without server heartbeats: the client pings instead.
const NO_HEARTBEATS: WsProtocol = WsProtocol {
    heartbeat_type: None,
    heartbeat_interval_field: None,
    ..PROTOCOL
};

/// A server that welcomes each connection, reports it on `accepted`, then either reads (its
/// WebSocket stack answers pings; each ping is reported on `pings`) or stops reading and
/// writing (half-open from the client's side: pings go unanswered).
async fn quiet_server(
    answering: bool,
) -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<u32>,
    tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (accepted_tx, accepted) = tokio::sync::mpsc::unbounded_channel();
    let (pings_tx, pings) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        for connection in 1.. {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = accepted_tx.send(connection);
            let pings_tx = pings_tx.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                ws.send(Message::text(r#"{"type":"welcome"}"#))
                    .await
                    .unwrap();
                if !answering {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                }
                while let Some(Ok(message)) = ws.next().await {
                    if message.is_ping() {
                        let _ = pings_tx.send(());
                    }
                }
            });
        }
    });
    (url, accepted, pings)
}

#[tokio::test]
async fn without_heartbeats_an_unanswered_ping_drops_the_connection_and_reconnects() {
    let (url, mut accepted, _pings) = quiet_server(false).await;
    let server = TestServer {
        url,
        requests: Default::default(),
    };
    let client = server.client().build().unwrap();
    let options = fast()
        .ping_interval(Duration::from_millis(30))
        .pong_timeout(Duration::from_millis(100));
    let mut ws = client
        .websocket::<Value, ServerMessage>(RequestSpec::get("/v1/ws"), NO_HEARTBEATS, options)
        .unwrap();
    for expected in 1..=2 {
        let connection = tokio::time::timeout(Duration::from_secs(10), accepted.recv())
            .await
            .expect("a connection within 10 s");
        assert_eq!(connection, Some(expected));
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a welcome within 10 s")
            .unwrap()
            .unwrap();
        assert_eq!(message, ServerMessage::Welcome {});
    }
    ws.close();
}

#[tokio::test]
async fn answered_pings_keep_a_quiet_connection_open() {
    let (url, mut accepted, mut pings) = quiet_server(true).await;
    let server = TestServer {
        url,
        requests: Default::default(),
    };
    let client = server.client().build().unwrap();
    // A generous pong timeout: only a dead peer, not a busy machine, may close it.
    let options = fast()
        .ping_interval(Duration::from_millis(20))
        .pong_timeout(Duration::from_secs(5));
    let mut ws = client
        .websocket::<Value, ServerMessage>(RequestSpec::get("/v1/ws"), NO_HEARTBEATS, options)
        .unwrap();
    let welcome = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
    assert_eq!(
        welcome.unwrap().unwrap().unwrap(),
        ServerMessage::Welcome {}
    );
    for _ in 0..4 {
        tokio::time::timeout(Duration::from_secs(10), pings.recv())
            .await
            .expect("a ping within 10 s")
            .unwrap();
    }
    assert_eq!(accepted.recv().await, Some(1));
    assert!(accepted.try_recv().is_err(), "no second connection");
    assert_eq!(ws.connections(), 1);
    assert!(ws.is_connected());
    ws.close();
}
