//! Encodings beyond JSON against a real local server: cookie parameters, deepObject query
//! parameters, form-urlencoded, binary and text bodies, and text and binary responses.

mod common;

use std::collections::BTreeMap;

use common::{Reply, TestServer};
use sdk_runtime_harness::runtime::query::{encode_cookie_value, form_urlencoded};
use sdk_runtime_harness::runtime::{Error, RequestOptions, RequestSpec};
use serde::Serialize;
use serde_json::{json, Value};

fn ok() -> Reply {
    Reply::json(200, json!({"ok": true}))
}

fn bytes_reply(content_type: &str, body: &[u8]) -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_vec(),
        delay: std::time::Duration::ZERO,
    }
}

#[derive(Serialize)]
struct Search {
    q: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    exact: bool,
    tags: Vec<String>,
    note: Option<String>,
}

#[test]
fn cookie_values_are_percent_encoded_like_encode_uri_component() {
    assert_eq!(
        encode_cookie_value("a b;c=d,\"e\"\\é-_.!~*'()"),
        "a%20b%3Bc%3Dd%2C%22e%22%5C%C3%A9-_.!~*'()"
    );
}

#[tokio::test]
async fn cookies_go_in_one_cookie_header() {
    let server = TestServer::sequence(vec![ok()]).await;
    let client = server.client().build().unwrap();
    let spec = RequestSpec::get("/stats")
        .cookie("session", Some("s 1"))
        .cookie("theme", Some("dark"))
        .cookie("gone", None::<&str>);
    let _: Value = client.request(spec).await.unwrap();
    // Without cookie parameters there is no Cookie header; the request options' header wins.
    let _: Value = client
        .request(RequestSpec::get("/stats").cookie("gone", None::<String>))
        .await
        .unwrap();
    let _: Value = client
        .request(RequestSpec::get("/stats").cookie("session", Some(1)))
        .options(RequestOptions::new().header("Cookie", "session=mine"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].header("cookie"),
        Some("session=s%201; theme=dark")
    );
    assert_eq!(requests[1].header("cookie"), None);
    assert_eq!(requests[2].header("cookie"), Some("session=mine"));
}

#[tokio::test]
async fn cookies_are_resent_on_retries() {
    let server = TestServer::sequence(vec![Reply::status(503), ok()]).await;
    let client = server.client().build().unwrap();
    let _: Value = client
        .request(RequestSpec::get("/stats").cookie("session", Some("s1")))
        .await
        .unwrap();
    let cookies: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("cookie").map(str::to_owned))
        .collect();
    assert_eq!(cookies, vec![Some("session=s1".to_owned()); 2]);
}

#[tokio::test]
async fn deep_object_query_writes_bracketed_pairs() {
    let server = TestServer::sequence(vec![ok()]).await;
    let client = server.client().build().unwrap();
    let filter = BTreeMap::from([
        ("owner".to_owned(), "me".to_owned()),
        ("status".to_owned(), "open now".to_owned()),
    ]);
    let absent: Option<BTreeMap<String, String>> = None;
    let tags = BTreeMap::from([("tag", vec!["a", "b"])]);
    let spec = RequestSpec::get("/stats")
        .query("limit", 5)
        .query_deep_object("filter", &filter)
        .query_deep_object("other", absent.iter().flatten())
        .query_deep_object("t", tags.iter());
    assert_eq!(
        spec.query_pairs(),
        [
            ("limit".to_owned(), "5".to_owned()),
            ("filter[owner]".to_owned(), "me".to_owned()),
            ("filter[status]".to_owned(), "open now".to_owned()),
            ("t[tag]".to_owned(), "a".to_owned()),
            ("t[tag]".to_owned(), "b".to_owned()),
        ]
    );
    let _: Value = client.request(spec).await.unwrap();
    assert_eq!(
        server.requests()[0].query(),
        "limit=5&filter%5Bowner%5D=me&filter%5Bstatus%5D=open+now&t%5Btag%5D=a&t%5Btag%5D=b"
    );
}

#[tokio::test]
async fn delimited_arrays_are_one_joined_pair() {
    let server = TestServer::sequence(vec![ok()]).await;
    let client = server.client().build().unwrap();
    let sort: Option<Vec<String>> = Some(vec!["name".into(), "-size".into()]);
    let absent: Option<Vec<String>> = None;
    let spec = RequestSpec::get("/widgets")
        .query_delimited("sort", &sort, "|")
        .query_delimited("ids", vec![1, 2], ",")
        .query_delimited("empty", Vec::<u8>::new(), ",")
        .query_delimited("none", &absent, " ");
    assert_eq!(
        spec.query_pairs(),
        [
            ("sort".to_owned(), "name|-size".to_owned()),
            ("ids".to_owned(), "1,2".to_owned()),
            ("empty".to_owned(), String::new()),
        ]
    );
    let _: Value = client.request(spec).await.unwrap();
    assert_eq!(
        server.requests()[0].query(),
        "sort=name%7C-size&ids=1%2C2&empty="
    );
}

#[test]
fn form_urlencoded_keeps_field_order_explodes_arrays_and_skips_nulls() {
    let body = Search {
        q: "red & blue".into(),
        page: Some(2),
        exact: true,
        tags: vec!["a".into(), "b c".into()],
        note: None,
    };
    assert_eq!(
        form_urlencoded(&body).unwrap(),
        "q=red+%26+blue&page=2&exact=true&tags=a&tags=b+c"
    );
    assert!(form_urlencoded(&json!({"nested": {"a": 1}}))
        .unwrap_err()
        .contains("\"nested\" is an object"));
    assert!(form_urlencoded(&json!([1, 2]))
        .unwrap_err()
        .contains("must serialise to an object"));
}

#[tokio::test]
async fn form_bodies_are_sent_form_encoded() {
    let server = TestServer::sequence(vec![Reply::json(200, json!([{"id": 1}]))]).await;
    let client = server.client().build().unwrap();
    let body = Search {
        q: "a b".into(),
        page: None,
        exact: false,
        tags: vec![],
        note: Some("é".into()),
    };
    let result: Value = client
        .request(RequestSpec::post("/search").form(&body))
        .await
        .unwrap();
    assert_eq!(result, json!([{"id": 1}]));
    let r = &server.requests()[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.body, b"q=a+b&exact=false&note=%C3%A9");
}

#[tokio::test]
async fn an_unencodable_form_body_is_an_invalid_request() {
    let server = TestServer::sequence(vec![ok()]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request::<Value>(RequestSpec::post("/search").form(&json!({"a": {"b": 1}})))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn binary_and_text_bodies_are_sent_as_is() {
    let server = TestServer::sequence(vec![Reply::status(204)]).await;
    let client = server.client().build().unwrap();
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0, 0xff];
    client
        .request::<()>(RequestSpec::put("/image").body(png, "application/octet-stream"))
        .await
        .unwrap();
    client
        .request::<()>(RequestSpec::put("/note").body("plain words", "text/plain"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(requests[0].body, png);
    assert_eq!(requests[1].header("content-type"), Some("text/plain"));
    assert_eq!(requests[1].body, b"plain words");
}

#[tokio::test]
async fn request_bytes_returns_the_exact_bytes() {
    let png = [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe];
    let server = TestServer::sequence(vec![bytes_reply("image/png", &png)]).await;
    let client = server.client().build().unwrap();
    let data = client
        .request_bytes(RequestSpec::get("/image").accept("image/png"))
        .await
        .unwrap();
    assert_eq!(data, png);
    assert_eq!(server.requests()[0].header("accept"), Some("image/png"));
    let response = client
        .request_bytes(RequestSpec::get("/image"))
        .with_response()
        .await
        .unwrap();
    assert_eq!(response.data, png);
    assert_eq!(response.header("content-type"), Some("image/png"));
}

#[tokio::test]
async fn request_text_returns_the_body_as_text() {
    let server = TestServer::sequence(vec![
        bytes_reply("text/plain", b"pong \xc3\xa9"),
        bytes_reply("application/json", br#"{"a":1}"#),
        bytes_reply("text/plain", b"\xff\xfe"),
    ])
    .await;
    let client = server.client().build().unwrap();
    let spec = || RequestSpec::get("/ping").accept("text/plain");
    assert_eq!(client.request_text(spec()).await.unwrap(), "pong é");
    // Not parsed even when the server says JSON.
    assert_eq!(client.request_text(spec()).await.unwrap(), r#"{"a":1}"#);
    let err = client.request_text(spec()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn a_binary_call_that_fails_is_still_a_typed_error() {
    let server = TestServer::sequence(vec![Reply::problem(404, "NOT_FOUND", "req_1")]).await;
    let client = server.client().build().unwrap();
    let err = client
        .request_bytes(RequestSpec::get("/image"))
        .await
        .unwrap_err();
    match err {
        Error::NotFound(status) => assert_eq!(status.code.as_deref(), Some("NOT_FOUND")),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn date_times_are_rfc_3339_in_json_and_in_the_query() {
    use sdk_runtime_harness::runtime::{DateTime, RequestSpec};
    let at: DateTime = serde_json::from_str(r#""2026-11-30T12:00:00.5+01:00""#).unwrap();
    assert_eq!(at.year(), 2026);
    assert_eq!(at.to_string(), "2026-11-30T12:00:00.5+01:00");
    assert_eq!(
        serde_json::to_string(&at).unwrap(),
        r#""2026-11-30T12:00:00.5+01:00""#
    );
    assert!(serde_json::from_str::<DateTime>(r#""30/11/2026""#).is_err());
    let spec = RequestSpec::get("/v1/x").query("since", Some(at));
    assert_eq!(
        spec.query_pairs(),
        [("since".to_owned(), "2026-11-30T12:00:00.5+01:00".to_owned())]
    );
}

#[tokio::test]
async fn styled_path_header_cookie_and_query_values_on_the_wire() {
    use sdk_runtime_harness::runtime::Style;
    let server = TestServer::sequence(vec![ok()]).await;
    let client = server.client().build().unwrap();
    let point = json!({"R": 100, "G": 200});
    let spec = RequestSpec::get("/items/{ids}/{point}")
        .path_param_styled("ids", Style::Label, &[1, 2], false)
        .path_param_styled("point", Style::Matrix, &point, true)
        .header_styled("X-Ids", Some(&[1, 2, 3]), false)
        .cookie_styled("prefs", Some(&json!({"theme": "dark"})), true)
        .cookie("session", Some("s 1"))
        .query_joined("filter", Some(&json!({"a": 1})), "|");
    let _: Value = client.request(spec).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.path(), "/items/.1,2/;G=200;R=100");
    assert_eq!(request.header("x-ids"), Some("1,2,3"));
    assert_eq!(request.header("cookie"), Some("theme=dark; session=s%201"));
    assert_eq!(request.query(), "filter=a%7C1");
}
