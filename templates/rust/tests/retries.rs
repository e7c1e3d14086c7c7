//! Retries against a real local server: which answers and failures are retried, how many times,
//! Retry-After, timeouts, cancellation by dropping the future, and what the logger sees.

mod common;

use std::future::IntoFuture;
use std::time::{Duration, Instant, SystemTime};

use common::{dead_url, ok_item, Item, Reply, TestServer, CONFIG};
use sdk_runtime_harness::runtime::{Client, Error, RequestSpec};
use serde_json::json;

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let server =
        TestServer::sequence(vec![Reply::status(500), Reply::status(502), ok_item()]).await;
    let client = server.client().build().unwrap();
    let item: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    assert_eq!(item.id, "x1");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn stops_after_max_retries() {
    let server = TestServer::sequence(vec![Reply::problem(503, "UNAVAILABLE", "req_1")]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InternalServer(_)), "{err:?}");
    assert_eq!(server.count(), 3, "1 attempt + 2 retries (the default)");

    let server = TestServer::sequence(vec![Reply::status(503)]).await;
    let client = server.client().max_retries(5).build().unwrap();
    let _ = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1, "per-request max_retries wins");
}

#[tokio::test]
async fn retries_408_and_429_and_connection_drops() {
    let server = TestServer::sequence(vec![
        Reply::status(408),
        Reply::status(429),
        Reply::Drop,
        ok_item(),
    ])
    .await;
    let client = server.client().max_retries(3).build().unwrap();
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn conflict_is_retried_only_with_retry_after() {
    let server = TestServer::sequence(vec![
        Reply::problem(409, "IDEMPOTENCY_KEY_IN_USE", "r1").header("retry-after-ms", "5"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    let spec = RequestSpec::post("/v1/x").idempotency_header("Idempotency-Key");
    let _: Item = client.request(spec).await.unwrap();
    assert_eq!(server.count(), 2);

    let server =
        TestServer::sequence(vec![Reply::problem(409, "LIMIT_REACHED", "r2"), ok_item()]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::post("/v1/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)));
    assert_eq!(err.code(), Some("LIMIT_REACHED"));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn x_should_retry_overrides_the_status_rule() {
    let server = TestServer::sequence(vec![
        Reply::status(500).header("x-should-retry", "false"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);

    let server = TestServer::sequence(vec![
        Reply::status(400).header("x-should-retry", "true"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn honours_retry_after_seconds_milliseconds_and_http_dates() {
    // Seconds.
    let server = TestServer::sequence(vec![
        Reply::status(429).header("retry-after", "1"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    let started = Instant::now();
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    // Milliseconds win over seconds.
    let server = TestServer::sequence(vec![
        Reply::status(503)
            .header("retry-after-ms", "150")
            .header("retry-after", "30"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    let started = Instant::now();
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(140) && waited < Duration::from_secs(2),
        "{waited:?}"
    );

    // An HTTP date 2 s ahead (whole seconds: the wait is in (1 s, 2 s]).
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = TestServer::sequence(vec![
        Reply::status(503).header("retry-after", &date),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    let started = Instant::now();
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(2600),
        "{waited:?}"
    );

    // More than the ceiling (60 s by default): the typed error at once, with the delay on it.
    for status in [429, 503] {
        let server = TestServer::sequence(vec![
            Reply::status(status).header("retry-after", "3600"),
            ok_item(),
        ])
        .await;
        let client = server.client().max_retries(5).build().unwrap();
        let started = Instant::now();
        let err = client
            .request::<Item>(
                RequestSpec::patch("/v1/x")
                    .json(&json!({}))
                    .idempotency_header("Idempotency-Key"),
            )
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
        assert_eq!(server.count(), 1);
    }
    // The ceiling is a builder option: below it, the same answer is waited for.
    let server = TestServer::sequence(vec![
        Reply::status(503).header("retry-after", "1"),
        ok_item(),
    ])
    .await;
    let strict = server
        .client()
        .max_retry_after(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = strict
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let server = TestServer::sequence(vec![ok_item().delayed(Duration::from_millis(400))]).await;
    let client = server
        .client()
        .timeout(Duration::from_millis(100))
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(err.is_connection() && err.is_timeout());
    assert!(started.elapsed() < Duration::from_millis(390));
    assert_eq!(server.count(), 2);

    // A per-request timeout overrides the client's.
    let server = TestServer::sequence(vec![ok_item().delayed(Duration::from_millis(150))]).await;
    let client = server
        .client()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let _: Item = client
        .request(RequestSpec::get("/v1/x"))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
}

#[tokio::test]
async fn dropping_the_future_cancels_retries() {
    let server = TestServer::sequence(vec![
        Reply::status(503).header("retry-after-ms", "300"),
        ok_item(),
    ])
    .await;
    let client = server.client().build().unwrap();
    let fut = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .into_future();
    assert!(tokio::time::timeout(Duration::from_millis(100), fut)
        .await
        .is_err());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.count(), 1, "no retry after the future was dropped");
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let url = dead_url().await;
    let client = Client::builder(CONFIG)
        .read_env(false)
        .base_url(url)
        .initial_retry_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.is_connection() && !err.is_timeout());
}

#[test]
fn retry_policy_rules() {
    use reqwest::header::{HeaderMap, HeaderValue};
    use reqwest::{Method, StatusCode};
    use sdk_runtime_harness::runtime::retry;
    let none = HeaderMap::new();
    let mut with_key = HeaderMap::new();
    with_key.insert("idempotency-key", HeaderValue::from_static("k"));
    let key = Some("idempotency-key");
    for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
        assert!(retry::is_retryable_request(&m, &none, key));
    }
    for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        assert!(!retry::is_retryable_request(&m, &none, key), "{m}");
        assert!(retry::is_retryable_request(&m, &with_key, key), "{m}");
        assert!(!retry::is_retryable_request(&m, &with_key, None), "{m}");
    }
    for s in [408, 429, 500, 502, 503, 504] {
        assert!(
            retry::is_retryable_status(StatusCode::from_u16(s).unwrap(), &none),
            "{s}"
        );
    }
    for s in [400, 401, 403, 404, 409, 412, 422] {
        assert!(
            !retry::is_retryable_status(StatusCode::from_u16(s).unwrap(), &none),
            "{s}"
        );
    }
    let mut ra = HeaderMap::new();
    ra.insert("retry-after", HeaderValue::from_static("0"));
    assert_eq!(retry::retry_after(&ra), None, "0 means: the backoff");
    ra.insert("retry-after", HeaderValue::from_static("60"));
    assert_eq!(retry::retry_after(&ra), Some(Duration::from_secs(60)));
    ra.insert("retry-after", HeaderValue::from_static("3600"));
    assert_eq!(retry::retry_after(&ra), Some(Duration::from_secs(3600)));
    ra.insert(
        "retry-after",
        HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
    );
    assert_eq!(retry::retry_after(&ra), None, "a date in the past");
    ra.insert("retry-after-ms", HeaderValue::from_static("250"));
    assert_eq!(retry::retry_after(&ra), Some(Duration::from_millis(250)));

    let initial = Duration::from_millis(500);
    let max = Duration::from_secs(8);
    for (n, expected) in [
        (0u32, 0.5f64),
        (1, 1.0),
        (2, 2.0),
        (3, 4.0),
        (4, 8.0),
        (10, 8.0),
    ] {
        for _ in 0..50 {
            let d = retry::backoff(n, initial, max).as_secs_f64();
            assert!(
                d <= expected + 1e-9 && d >= expected * 0.75 - 1e-9,
                "retry {n}: {d}"
            );
        }
    }
}

#[tokio::test]
async fn logger_sees_attempts_and_retries_but_no_credentials() {
    use std::sync::{Arc, Mutex};
    let lines = Arc::new(Mutex::new(Vec::<(
        sdk_runtime_harness::runtime::LogLevel,
        String,
    )>::new()));
    let sink = lines.clone();
    let server = TestServer::sequence(vec![Reply::status(503), ok_item()]).await;
    let client = server
        .client()
        .logger(move |level, message| sink.lock().unwrap().push((level, message.to_owned())))
        .build()
        .unwrap();
    let _: Item = client
        .request(RequestSpec::get("/v1/x").query("secret", "q"))
        .await
        .unwrap();
    use sdk_runtime_harness::runtime::LogLevel::{Debug, Info};
    let lines = lines.lock().unwrap().clone();
    // Attempt, its 503, the retry, attempt, its 200: the same events as the `tracing` ones.
    let levels: Vec<_> = lines.iter().map(|(level, _)| *level).collect();
    assert_eq!(levels, [Debug, Debug, Info, Debug, Debug], "{lines:?}");
    assert!(lines[0].1.ends_with("/v1/x (attempt 1)"), "{lines:?}");
    assert!(lines[1].1.contains(": 503 "), "{lines:?}");
    assert!(lines[2].1.contains("retrying in"), "{lines:?}");
    assert!(lines[4].1.contains(": 200 OK in "), "{lines:?}");
    assert!(lines
        .iter()
        .all(|(_, m)| !m.contains("test-key") && !m.contains("secret=q")));
}
