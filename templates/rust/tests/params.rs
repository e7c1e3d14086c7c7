//! Operation parameters carried by a request, a paginator and an event stream until they are
//! sent (`RequestParams`), as generated methods return them: set through `params` /
//! `params_mut` here (generated crates add a typed setter per parameter on top of them).

mod common;

use std::time::Duration;

use common::{Reply, Step, TestServer};
use futures_util::StreamExt;
use sdk_runtime_harness::runtime::sse::json_data;
use sdk_runtime_harness::runtime::{RequestParams, RequestSpec};
use serde::Deserialize;
use serde_json::json;

/// What a generated params struct looks like: optional parameters, sent in declaration order.
#[derive(Debug, Clone, Default, PartialEq)]
struct ListParams {
    limit: Option<i32>,
    name: Option<String>,
    trace: Option<String>,
}

impl RequestParams for ListParams {
    fn apply(&self, spec: RequestSpec) -> RequestSpec {
        spec.query("limit", self.limit)
            .query("name", &self.name)
            .header("X-Trace", self.trace.as_ref())
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Thing {
    id: u32,
}

#[tokio::test]
async fn a_request_sends_its_parameters_when_awaited_and_with_response() {
    let server = TestServer::start(|_, _| Reply::json(200, json!({"id": 1}))).await;
    let client = server.client().build().unwrap();
    let mut pending = client
        .request::<Thing>(RequestSpec::get("/v1/things/1").query("fixed", 1))
        .bind_params(ListParams::default());
    pending.params_mut().limit = Some(5);
    pending.params_mut().trace = Some("t-1".to_owned());
    assert_eq!(pending.await.unwrap(), Thing { id: 1 });
    // `params` replaces them all.
    let replaced = client
        .request::<Thing>(RequestSpec::get("/v1/things/1"))
        .bind_params(ListParams::default())
        .params(ListParams {
            name: Some("a b".to_owned()),
            ..ListParams::default()
        });
    assert_eq!(replaced.with_response().await.unwrap().data.id, 1);
    let requests = server.requests();
    assert_eq!(requests[0].query(), "fixed=1&limit=5");
    assert_eq!(requests[0].header("x-trace"), Some("t-1"));
    assert_eq!(requests[1].query(), "name=a+b");
    assert_eq!(requests[1].header("x-trace"), None);
}

#[tokio::test]
async fn a_paginator_sends_its_parameters_with_every_page() {
    let server = TestServer::start(|r, _| match r.query_values("cursor").first() {
        None => Reply::json(
            200,
            json!({"data": [{"id": 1}], "next_cursor": "c2", "has_more": true}),
        ),
        Some(_) => Reply::json(
            200,
            json!({"data": [{"id": 2}], "next_cursor": null, "has_more": false}),
        ),
    })
    .await;
    let client = server.client().build().unwrap();
    let mut pager = client
        .paginate::<Thing>(RequestSpec::get("/v1/things"))
        .bind_params(ListParams::default());
    pager.params_mut().limit = Some(1);
    let ids: Vec<u32> = pager.items().map(|r| r.unwrap().id).collect().await;
    assert_eq!(ids, vec![1, 2]);
    let queries: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query().to_owned())
        .collect();
    assert_eq!(queries, vec!["limit=1", "limit=1&cursor=c2"]);
}

#[tokio::test]
async fn an_event_stream_sends_its_parameters_on_every_connection() {
    let server = TestServer::start(|_, n| match n {
        0 => Reply::sse(vec![Step::Write(b"id: 1\ndata: {\"id\":1}\n\n".to_vec())]),
        _ => Reply::sse(vec![Step::Write(b"id: 2\ndata: {\"id\":2}\n\n".to_vec())]),
    })
    .await;
    let client = server.client().build().unwrap();
    let mut events = client
        .event_stream(RequestSpec::get("/v1/events"), json_data::<Thing>())
        .bind_params(ListParams::default())
        .initial_reconnect_delay(Duration::from_millis(1))
        .params(ListParams {
            name: Some("x".to_owned()),
            ..ListParams::default()
        });
    assert_eq!(events.next().await.unwrap().unwrap(), Thing { id: 1 });
    assert_eq!(events.next().await.unwrap().unwrap(), Thing { id: 2 });
    let requests = server.requests();
    assert_eq!(requests[0].query(), "name=x");
    assert_eq!(requests[1].query(), "name=x");
    assert_eq!(requests[1].header("last-event-id"), Some("1"));
}
