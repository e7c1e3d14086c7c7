//! The request loop against a real local server: the URL, headers and credentials it sends, the
//! conditional-request helpers and the public types' auto traits. Retries: retries.rs; answers
//! and errors: answers.rs.

mod common;

use common::{ok_item, Item, Status, TestServer, CONFIG};
use sdk_runtime_harness::runtime::{Client, ClientConfig, Error, RequestOptions, RequestSpec};
use serde_json::{json, Value};

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
