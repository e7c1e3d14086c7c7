//! OAuth2 client credentials against a real local token endpoint: one token request shared by
//! concurrent calls and cached, renewed once on a 401 and before it expires, the endpoint's
//! error reported, an explicit bearer token preferred.

mod common;

use std::collections::HashSet;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

use common::{Recorded, Reply, TestServer, CONFIG};
use sdk_runtime_harness::runtime::{Client, ClientConfig, Error, RequestSpec};
use serde_json::{json, Value};

const OAUTH_CONFIG: ClientConfig = ClientConfig {
    oauth2: Some(("/oauth/token", &["read:a", "write:a"])),
    ..CONFIG
};

#[derive(Default)]
struct State {
    issued: usize,
    revoked: HashSet<String>,
    expires_in: Option<u64>,
}

/// The API and its token endpoint on one server; the state scripts issued and revoked tokens.
async fn token_server(expires_in: Option<u64>) -> (TestServer, Arc<Mutex<State>>) {
    let state = Arc::new(Mutex::new(State {
        expires_in,
        ..State::default()
    }));
    let shared = state.clone();
    let server = TestServer::start(move |r: &Recorded, _| {
        let mut state = shared.lock().unwrap();
        if r.path() == "/oauth/token" {
            // "my id" / "s3crét", form-encoded, then Basic.
            if r.header("authorization") != Some("Basic bXkraWQ6czNjciVDMyVBOXQ=") {
                return Reply::json(
                    401,
                    json!({"error": "invalid_client", "error_description": "unknown client"}),
                );
            }
            state.issued += 1;
            let mut body =
                json!({"access_token": format!("tok{}", state.issued), "token_type": "Bearer"});
            if let Some(e) = state.expires_in {
                body["expires_in"] = json!(e);
            }
            return Reply::json(200, body);
        }
        let token = r
            .header("authorization")
            .unwrap_or_default()
            .trim_start_matches("Bearer ")
            .to_owned();
        if token.starts_with("tok") && !state.revoked.contains(&token) {
            Reply::json(200, json!({"ok": true}))
        } else {
            Reply::json(401, json!({}))
        }
    })
    .await;
    (server, state)
}

fn client(server: &TestServer) -> Client {
    Client::builder(OAUTH_CONFIG)
        .read_env(false)
        .base_url(&server.url)
        .client_credentials("my id", "s3crét")
        .max_retries(0)
        .build()
        .unwrap()
}

fn api_calls(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path() != "/oauth/token")
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect()
}

fn token_requests(server: &TestServer) -> Vec<Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/oauth/token")
        .collect()
}

#[tokio::test]
async fn fetches_one_token_for_concurrent_calls_and_caches_it() {
    let (server, _) = token_server(Some(3600)).await;
    let client = client(&server);
    let calls = (0..3).map(|_| {
        client
            .request::<Value>(RequestSpec::get("/x"))
            .into_future()
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    client
        .request::<Value>(RequestSpec::post("/y"))
        .await
        .unwrap();
    let tokens = token_requests(&server);
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&tokens[0].body),
        "grant_type=client_credentials&scope=read%3Aa+write%3Aa"
    );
    assert_eq!(api_calls(&server), vec!["Bearer tok1"; 4]);
}

#[tokio::test]
async fn renews_the_token_once_on_a_401() {
    let (server, state) = token_server(Some(3600)).await;
    let client = client(&server);
    client
        .request::<Value>(RequestSpec::get("/x"))
        .await
        .unwrap();
    state.lock().unwrap().revoked.insert("tok1".into());
    let answer = client
        .request::<Value>(RequestSpec::post("/y"))
        .await
        .unwrap();
    assert_eq!(answer, json!({"ok": true}));
    assert_eq!(
        api_calls(&server),
        vec!["Bearer tok1", "Bearer tok1", "Bearer tok2"]
    );
    state
        .lock()
        .unwrap()
        .revoked
        .extend(["tok2".to_owned(), "tok3".to_owned()]);
    let err = client
        .request::<Value>(RequestSpec::get("/z"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert_eq!(token_requests(&server).len(), 3);
}

#[tokio::test]
async fn renews_a_token_before_it_expires() {
    let (server, _) = token_server(Some(0)).await;
    let client = client(&server);
    client
        .request::<Value>(RequestSpec::get("/x"))
        .await
        .unwrap();
    client
        .request::<Value>(RequestSpec::get("/x"))
        .await
        .unwrap();
    assert_eq!(api_calls(&server), vec!["Bearer tok1", "Bearer tok2"]);
}

#[tokio::test]
async fn reports_the_endpoint_error_and_prefers_an_explicit_bearer_token() {
    let (server, _) = token_server(None).await;
    let bad = Client::builder(OAUTH_CONFIG)
        .read_env(false)
        .base_url(&server.url)
        .client_credentials("other", "x")
        .build()
        .unwrap();
    let err = bad
        .request::<Value>(RequestSpec::get("/x"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("invalid_client: unknown client"),
        "{err}"
    );
    assert!(api_calls(&server).is_empty());
    let explicit = Client::builder(OAUTH_CONFIG)
        .read_env(false)
        .base_url(&server.url)
        .client_credentials("my id", "s3crét")
        .bearer_token("tok9")
        .build()
        .unwrap();
    explicit
        .request::<Value>(RequestSpec::get("/x"))
        .await
        .unwrap();
    assert_eq!(api_calls(&server), vec!["Bearer tok9"]);
}
