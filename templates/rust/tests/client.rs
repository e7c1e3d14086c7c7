//! The request loop against a real local server: URL and headers, retries, idempotency keys,
//! Retry-After, timeouts, cancellation, typed errors, raw responses, decoding.

mod common;

use std::future::IntoFuture;
use std::time::{Duration, Instant, SystemTime};

use common::{dead_url, Reply, TestServer, CONFIG};
use sdk_runtime_harness::runtime::{Client, ClientConfig, Error, RequestOptions, RequestSpec};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: String,
    #[serde(default)]
    status: Option<Status>,
}

sdk_runtime_harness::open_enum! {
    /// A test enum.
    pub enum Status {
        /// Active.
        Active = "active",
        /// Archived.
        Archived = "archived",
    }
}

fn ok_item() -> Reply {
    Reply::json(200, json!({"id": "x1", "status": "active"}))
}

#[tokio::test]
async fn builds_url_with_encoded_path_and_exploded_query() {
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = server.client().build().unwrap();
    let spec = RequestSpec::get("/v1/things/{thing_id}/parts")
        .path_param("thing_id", "a/b c?%")
        .query("types", vec!["x.added", "y removed"])
        .query("flag", true)
        .query("missing", None::<String>)
        .query("limit", 10u32)
        .query("status", Status::Archived);
    let _: Item = client.request(spec).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path(), "/v1/things/a%2Fb%20c%3F%25/parts");
    assert_eq!(
        r.query(),
        "types=x.added&types=y+removed&flag=true&limit=10&status=archived"
    );
}

#[tokio::test]
async fn base_url_with_a_path_prefix_keeps_it_and_default_headers_outrank_accept() {
    // The base URL is parsed once and only the path is set per call: its prefix stays, an
    // encoded path parameter is not encoded twice, and `build_url` agrees with what is sent.
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = server
        .client()
        .base_url(format!("{}/api/v2/", server.url))
        .default_header("Accept", "application/vnd.test+json")
        .build()
        .unwrap();
    let spec = RequestSpec::get("/things/{id}")
        .path_param("id", "a b/ü")
        .query("q", "x y");
    let expected = format!("{}/api/v2/things/a%20b%2F%C3%BC?q=x+y", server.url);
    assert_eq!(client.build_url(&spec).unwrap(), expected);
    let _: Item = client.request(spec).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path(), "/api/v2/things/a%20b%2F%C3%BC");
    assert_eq!(r.query(), "q=x+y");
    assert_eq!(r.header("accept"), Some("application/vnd.test+json"));
}

#[tokio::test]
async fn unknown_path_parameter_is_an_invalid_request() {
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/{a}").path_param("b", 1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn sends_user_agent_auth_and_content_headers() {
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = server
        .client()
        .bearer_token("tok")
        .default_header("X-Team", "blue")
        .build()
        .unwrap();
    let spec = RequestSpec::patch("/v1/things/1")
        .header("If-Match", Some("\"7\""))
        .header("X-Skipped", None::<&str>)
        .json(&json!({"name": null}))
        .content_type("application/merge-patch+json")
        .idempotency_header("Idempotency-Key");
    let _: Item = client.request(spec).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(
        r.header("user-agent").unwrap().split(' ').next(),
        Some("test-sdk/1.2.3")
    );
    assert!(r.header("user-agent").unwrap().contains("rust"));
    assert_eq!(r.header("x-api-key"), Some("test-key"), "the API key wins");
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(r.header("if-match"), Some("\"7\""));
    assert_eq!(r.header("x-skipped"), None);
    assert_eq!(r.header("x-team"), Some("blue"));
    assert_eq!(
        r.header("idempotency-key").map(str::len),
        Some(36),
        "a PATCH declaring a key carries one"
    );
    assert_eq!(r.body, br#"{"name":null}"#);
}

#[tokio::test]
async fn bearer_token_and_per_request_headers_win() {
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = Client::builder(CONFIG)
        .read_env(false)
        .base_url(format!("{}/", server.url))
        .bearer_token("tok")
        .default_header("X-Team", "blue")
        .default_header("X-Drop", "me")
        .build()
        .unwrap();
    let options = RequestOptions::new()
        .header("X-Team", "red")
        .remove_header("X-Drop");
    let _: Item = client
        .request(RequestSpec::get("/v1/x"))
        .options(options)
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.path(), "/v1/x");
    assert_eq!(r.header("authorization"), Some("Bearer tok"));
    assert_eq!(r.header("x-api-key"), None);
    assert_eq!(r.header("x-team"), Some("red"));
    assert_eq!(r.header("x-drop"), None);
}

#[tokio::test]
async fn reads_credentials_and_base_url_from_the_environment() {
    let server = TestServer::sequence(vec![ok_item()]).await;
    let config = sdk_runtime_harness::runtime::ClientConfig {
        api_key_header: None,
        api_key_env: Some("SDK_HARNESS_ENV_TEST_API_KEY"),
        base_url_env: Some("SDK_HARNESS_ENV_TEST_BASE_URL"),
        api_key_in: None,
        username_env: None,
        password_env: None,
        oauth2: None,
        client_id_env: None,
        client_secret_env: None,
        ..CONFIG
    };
    std::env::set_var("SDK_HARNESS_ENV_TEST_API_KEY", "env-key");
    std::env::set_var("SDK_HARNESS_ENV_TEST_BASE_URL", &server.url);
    let client = Client::builder(config).build().unwrap();
    assert_eq!(client.base_url(), server.url);
    let _: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    // Without an API-key header name the key goes out as a bearer token.
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer env-key")
    );
    let ignored = Client::builder(config).read_env(false).build().unwrap();
    assert_eq!(ignored.base_url(), "http://127.0.0.1:9");
}

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

#[tokio::test]
async fn non_2xx_answers_become_typed_errors() {
    type IsVariant = fn(&Error) -> bool;
    let cases: Vec<(u16, IsVariant)> = vec![
        (400, |e| matches!(e, Error::BadRequest(_))),
        (401, |e| matches!(e, Error::Authentication(_))),
        (403, |e| matches!(e, Error::PermissionDenied(_))),
        (404, |e| matches!(e, Error::NotFound(_))),
        (409, |e| matches!(e, Error::Conflict(_))),
        (412, |e| matches!(e, Error::PreconditionFailed(_))),
        (413, |e| matches!(e, Error::PayloadTooLarge(_))),
        (415, |e| matches!(e, Error::UnsupportedMediaType(_))),
        (422, |e| matches!(e, Error::UnprocessableEntity(_))),
        (429, |e| matches!(e, Error::RateLimit { .. })),
        (500, |e| matches!(e, Error::InternalServer(_))),
        (503, |e| matches!(e, Error::InternalServer(_))),
        (418, |e| matches!(e, Error::Status(_))),
    ];
    for (status, is_variant) in cases {
        let code = format!("CODE_{status}");
        let reply = Reply::problem(status, &code, &format!("req_{status}"))
            .header("x-should-retry", "false");
        let server = TestServer::sequence(vec![reply]).await;
        let client = server.client().build().unwrap();
        let err = client
            .request::<Item>(RequestSpec::get("/v1/x"))
            .await
            .unwrap_err();
        assert!(is_variant(&err), "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.request_id(), Some(format!("req_{status}").as_str()));
        assert_eq!(err.code(), Some(code.as_str()));
        let se = err.status_error().unwrap();
        assert!(se.is_problem());
        assert_eq!(se.message(), Some(format!("detail of {code}").as_str()));
        assert_eq!(
            se.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
        assert_eq!(se.body["code"], Value::String(code.clone()));
        let shown = err.to_string();
        assert!(
            shown.contains(&code) && shown.contains(&format!("req_{status}")),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn rate_limit_error_carries_retry_after_and_text_bodies_are_kept() {
    let server = TestServer::sequence(vec![Reply::status(429).header("retry-after", "7")]).await;
    let client = server.client().max_retries(0).build().unwrap();
    match client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err()
    {
        Error::RateLimit { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("{other:?}"),
    }

    let server = TestServer::sequence(vec![Reply::Full {
        status: 502,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"bad gateway".to_vec(),
        delay: Duration::ZERO,
    }])
    .await;
    let client = server.client().max_retries(0).build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    let se = err.status_error().unwrap();
    assert_eq!(se.body, Value::String("bad gateway".into()));
    assert!(se.decoded::<Value>().is_none() && se.code.is_none() && se.request_id.is_none());
    assert_eq!(se.message(), Some("bad gateway"));
}

#[tokio::test]
async fn with_response_gives_status_headers_and_request_id() {
    let server = TestServer::sequence(vec![Reply::json(201, json!({"id": "a"}))
        .header("x-request-id", "req_42")
        .header("etag", "\"3\"")])
    .await;
    let client = server.client().build().unwrap();
    let response = client
        .request::<Item>(RequestSpec::post("/v1/x"))
        .with_response()
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 201);
    assert_eq!(response.request_id.as_deref(), Some("req_42"));
    assert_eq!(response.header("etag"), Some("\"3\""));
    assert_eq!(response.data.id, "a");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn empty_bodies_decode_as_unit_and_bad_json_is_a_decode_error() {
    let server = TestServer::sequence(vec![Reply::status(204)]).await;
    let client = server.client().build().unwrap();
    let () = client
        .request::<()>(RequestSpec::delete("/v1/x/1"))
        .await
        .unwrap();

    let server = TestServer::sequence(vec![Reply::Full {
        status: 200,
        headers: vec![],
        body: b"{not json".to_vec(),
        delay: Duration::ZERO,
    }])
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x"))
        .await
        .unwrap_err();
    match err {
        Error::Decode { body, .. } => assert_eq!(body, "{not json"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn unknown_fields_and_enum_values_are_tolerated() {
    let server = TestServer::sequence(vec![Reply::json(
        200,
        json!({"id": "a", "status": "frozen", "new_field": {"x": 1}}),
    )])
    .await;
    let client = server.client().build().unwrap();
    let item: Item = client.request(RequestSpec::get("/v1/x")).await.unwrap();
    assert_eq!(item.status, Some(Status::Unknown("frozen".into())));
}

#[test]
fn open_enums_round_trip_known_and_unknown_values() {
    use sdk_runtime_harness::runtime::OpenEnum;
    let known: Status = serde_json::from_str("\"active\"").unwrap();
    assert_eq!(known, Status::Active);
    assert!(!known.is_unknown());
    let unknown: Status = serde_json::from_str("\"paused\"").unwrap();
    assert_eq!(unknown.as_str(), "paused");
    assert!(unknown.is_unknown());
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"paused\"");
    assert_eq!(
        serde_json::to_string(&Status::Archived).unwrap(),
        "\"archived\""
    );
    assert_eq!(Status::KNOWN, &["active", "archived"]);
    assert_eq!("archived".parse::<Status>().unwrap(), Status::Archived);
    assert_eq!(Status::from("x").to_string(), "x");
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

#[test]
fn public_types_are_send_and_sync_where_it_matters() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    use sdk_runtime_harness::runtime::{EventStream, Paginator, PendingRequest, WebSocket};
    send_sync::<Client>();
    send_sync::<Error>();
    send::<PendingRequest<Item>>();
    send::<Paginator<Item>>();
    send::<EventStream<Item>>();
    send::<WebSocket<Value, Value>>();
}

#[tokio::test]
async fn error_bodies_decode_as_the_model_the_operation_declares() {
    use sdk_runtime_harness::runtime::{decode_error, ErrorDecoder};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Problem {
        code: String,
        detail: String,
    }
    static ERRORS: &[(&str, ErrorDecoder)] = &[("4XX", decode_error::<Problem>)];
    let server = TestServer::sequence(vec![Reply::problem(404, "GONE", "req_b")]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x").errors(ERRORS))
        .await
        .unwrap_err();
    let problem = err.status_error().unwrap().decoded::<Problem>().unwrap();
    assert_eq!(problem.code, "GONE");
    assert_eq!(problem.detail, "detail of GONE");
    assert_eq!(err.request_id(), Some("req_b"));

    // A status the operation does not declare: no decoded model, the body is still there.
    static ONLY_422: &[(&str, ErrorDecoder)] = &[("422", decode_error::<Problem>)];
    let server = TestServer::sequence(vec![Reply::problem(404, "GONE", "req_c")]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Item>(RequestSpec::get("/v1/x").errors(ONLY_422))
        .await
        .unwrap_err();
    let se = err.status_error().unwrap();
    assert!(se.decoded::<Problem>().is_none());
    assert_eq!(se.body["code"], "GONE");
}

#[tokio::test]
async fn if_match_takes_a_tag_a_version_or_a_models_version() {
    use sdk_runtime_harness::runtime::ETag;
    assert_eq!(ETag::from(7u64).as_str(), "\"7\"");
    assert_eq!(ETag::from("7").as_str(), "\"7\"");
    assert_eq!(ETag::from("\"7\"").as_str(), "\"7\"");
    assert_eq!(ETag::from("W/\"7\"").as_str(), "W/\"7\"");
    assert_eq!(ETag::from("*").as_str(), "*");
    // A model's version (generated `From<&Model>`): always the strong tag, as TS and Python.
    assert_eq!(ETag::strong("W/7").as_str(), "\"W/7\"");
    assert_eq!(ETag::strong(7i64).as_str(), "\"7\"");
    let server = TestServer::sequence(vec![ok_item()]).await;
    let client = server.client().build().unwrap();
    let _: Item = client
        .request(RequestSpec::patch("/v1/x").json(&json!({})))
        .if_match(3)
        .await
        .unwrap();
    assert_eq!(server.requests()[0].header("if-match"), Some("\"3\""));
}

#[tokio::test]
async fn basic_credentials_and_api_keys_in_the_query_or_a_cookie() {
    let server = TestServer::sequence(vec![ok_item(), ok_item(), ok_item()]).await;
    let with = |api_key_in: Option<(&'static str, &'static str)>, key: &str| {
        Client::builder(ClientConfig {
            api_key_in,
            ..CONFIG
        })
        .read_env(false)
        .base_url(&server.url)
        .api_key(key)
        .build()
        .unwrap()
    };
    let basic = server.client().basic_auth("ünï", "p:w").build().unwrap();
    let _: Value = basic.request(RequestSpec::get("/a")).await.unwrap();
    let in_query = with(Some(("query", "api_key")), "s3cr3t key");
    let _: Value = in_query
        .request(RequestSpec::get("/b").query("q", "x"))
        .await
        .unwrap();
    let in_cookie = with(Some(("cookie", "session")), "k1");
    let _: Value = in_cookie
        .request(RequestSpec::get("/c").cookie("theme", Some("dark")))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].header("authorization"),
        Some("Basic w7xuw686cDp3")
    );
    assert_eq!(requests[1].query(), "q=x&api_key=s3cr3t+key");
    assert!(requests[1].header("x-test-key").is_none());
    assert_eq!(requests[2].header("cookie"), Some("theme=dark; session=k1"));
}
