//! Which requests are retried and which carry an idempotency key: only an operation that declares
//! an idempotency header (`RequestSpec::idempotency_header`) gets a generated key and is retried
//! as a mutation; otherwise only safe methods, or a call given a key by its caller.

mod common;

use std::time::Duration;

use common::{ok_item, Item, Reply, TestServer, CONFIG};
use sdk_runtime_harness::runtime::{Client, ClientConfig, Error, RequestSpec};
use serde_json::json;

fn mutations() -> [RequestSpec; 4] {
    [
        RequestSpec::post("/v1/x").json(&json!({})),
        RequestSpec::put("/v1/x").json(&json!({})),
        RequestSpec::patch("/v1/x").json(&json!({})),
        RequestSpec::delete("/v1/x"),
    ]
}

fn keys(server: &TestServer, header: &str) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header(header).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_operation_without_a_declared_key_sends_none_and_is_not_retried() {
    for spec in mutations() {
        let method = spec.method().clone();
        let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
        let client = server.client().build().unwrap();
        let err = client.request::<Item>(spec).await.unwrap_err();
        assert!(matches!(err, Error::InternalServer(_)), "{method}");
        assert_eq!(keys(&server, "idempotency-key"), vec![None], "{method}");
    }
    // Nor on a connection error; the same client retries an operation that declares a key.
    let server = TestServer::sequence(vec![Reply::Drop, ok_item()]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::delete("/v1/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(server.count(), 1);
    let server = TestServer::sequence(vec![Reply::Drop, ok_item()]).await;
    let client = server.client().build().unwrap();
    let spec = RequestSpec::delete("/v1/x").idempotency_header("Idempotency-Key");
    let item: Item = client.request(spec).await.unwrap();
    assert_eq!(item.id, "x1");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_declared_key_is_generated_once_and_sent_on_every_retry() {
    for spec in mutations() {
        let method = spec.method().clone();
        let server =
            TestServer::sequence(vec![Reply::status(429), Reply::status(503), ok_item()]).await;
        let client = server.client().build().unwrap();
        let spec = spec.idempotency_header("Idempotency-Key");
        let _: Item = client.request(spec).await.unwrap();
        let keys = keys(&server, "idempotency-key");
        assert_eq!(keys.len(), 3, "{method}");
        let first = keys[0].clone().expect("a key");
        assert_eq!(first.len(), 36, "{method}");
        assert_eq!(&first[14..15], "4", "UUID v4");
        assert!(
            keys.iter().all(|k| k.as_deref() == Some(&first)),
            "{method}"
        );
    }
    // A second call gets a new key.
    let server = TestServer::sequence(vec![ok_item(), ok_item()]).await;
    let client = server.client().build().unwrap();
    for _ in 0..2 {
        let spec = RequestSpec::post("/v1/x").idempotency_header("Idempotency-Key");
        let _: Item = client.request(spec).await.unwrap();
    }
    let keys = keys(&server, "idempotency-key");
    assert!(keys[0].is_some() && keys[1].is_some() && keys[0] != keys[1]);
}

#[tokio::test]
async fn the_declared_header_name_is_used() {
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = server.client().build().unwrap();
    let spec = RequestSpec::post("/v1/x").idempotency_header("X-Request-Key");
    let _: Item = client.request(spec).await.unwrap();
    let sent = keys(&server, "x-request-key");
    assert_eq!(sent.len(), 2);
    assert!(sent[0].is_some() && sent[0] == sent[1]);
    assert_eq!(keys(&server, "idempotency-key"), vec![None, None]);
}

#[tokio::test]
async fn a_callers_key_makes_any_operation_retryable() {
    for spec in mutations() {
        let method = spec.method().clone();
        let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
        let client = server.client().build().unwrap();
        let _: Item = client.request(spec).idempotency_key("mine").await.unwrap();
        let expected = vec![Some("mine".to_owned()); 2];
        assert_eq!(keys(&server, "idempotency-key"), expected, "{method}");
    }
    // Given as a header, too.
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = server.client().build().unwrap();
    let _: Item = client
        .request(RequestSpec::post("/v1/x"))
        .header("Idempotency-Key", "h")
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_callers_key_goes_in_the_declared_header_else_the_clients() {
    let config = ClientConfig {
        idempotency_header: Some("X-Key"),
        ..CONFIG
    };
    let client_for = |server: &TestServer, config: ClientConfig| {
        Client::builder(config)
            .base_url(server.url.clone())
            .read_env(false)
            .initial_retry_delay(Duration::from_millis(1))
            .build()
            .unwrap()
    };
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = client_for(&server, config);
    let _: Item = client
        .request(RequestSpec::post("/v1/x"))
        .idempotency_key("a")
        .await
        .unwrap();
    assert_eq!(keys(&server, "x-key"), vec![Some("a".to_owned()); 2]);

    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = client_for(&server, config);
    let spec = RequestSpec::post("/v1/x").idempotency_header("Idempotency-Key");
    let _: Item = client.request(spec).idempotency_key("b").await.unwrap();
    assert_eq!(
        keys(&server, "idempotency-key"),
        vec![Some("b".to_owned()); 2]
    );
    assert_eq!(keys(&server, "x-key"), vec![None, None]);

    // Without a client header, a caller's key on an operation declaring none is not sent.
    let none = ClientConfig {
        idempotency_header: None,
        ..CONFIG
    };
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = client_for(&server, none);
    let err = client
        .request::<Item>(RequestSpec::post("/v1/x"))
        .idempotency_key("c")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InternalServer(_)));
    assert_eq!(keys(&server, "idempotency-key"), vec![None]);
}

#[tokio::test]
async fn get_carries_no_key_and_is_retried() {
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = server.client().build().unwrap();
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    assert_eq!(keys(&server, "idempotency-key"), vec![None, None]);
}
