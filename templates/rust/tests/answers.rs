//! Answers against a real local server: typed errors for non-2xx (the declared error model
//! decoded), raw responses, decoding of empty, malformed and unknown content, open enums.

mod common;

use std::time::Duration;

use common::{Item, Reply, Status, TestServer};
use sdk_runtime_harness::runtime::{Error, RequestSpec};
use serde::Deserialize;
use serde_json::{json, Value};

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
