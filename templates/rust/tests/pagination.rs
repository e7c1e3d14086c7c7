//! Cursor pagination against a real local server.

mod common;

use common::{Reply, TestServer};
use futures_util::StreamExt;
use sdk_runtime_harness::runtime::{Error, Page, RequestSpec};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, PartialEq)]
struct Thing {
    id: u32,
}

/// Three pages: [1, 2, 3] → [4, 5] → [6, 7]; page 2 with an unknown member.
async fn three_pages() -> TestServer {
    TestServer::start(|r, _| {
        let cursor = r.query_values("cursor");
        match cursor.first().map(String::as_str) {
            None => Reply::json(200, json!({"data": [{"id": 1}, {"id": 2}, {"id": 3}], "next_cursor": "c2", "has_more": true})),
            Some("c2") => Reply::json(
                200,
                json!({"data": [{"id": 4}, {"id": 5}], "next_cursor": "c3", "has_more": true, "total": 7}),
            ),
            Some("c3") => Reply::json(200, json!({"data": [{"id": 6}, {"id": 7}], "next_cursor": null, "has_more": false})),
            Some(_) => Reply::problem(404, "NOT_FOUND", "r"),
        }
    })
    .await
}

fn list_spec() -> RequestSpec {
    RequestSpec::get("/v1/things")
        .query("limit", 3u32)
        .query("tag", vec!["a", "b"])
}

#[tokio::test]
async fn streams_every_item_across_three_pages() {
    let server = three_pages().await;
    let client = server.client().build().unwrap();
    let items: Vec<u32> = client
        .paginate::<Thing>(list_spec())
        .items()
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    assert_eq!(items, vec![1, 2, 3, 4, 5, 6, 7]);
    let queries: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query().to_owned())
        .collect();
    assert_eq!(
        queries,
        vec![
            "limit=3&tag=a&tag=b",
            "limit=3&tag=a&tag=b&cursor=c2",
            "limit=3&tag=a&tag=b&cursor=c3"
        ]
    );
}

#[tokio::test]
async fn items_are_fetched_lazily() {
    let server = three_pages().await;
    let client = server.client().build().unwrap();
    let first_two: Vec<_> = client
        .paginate::<Thing>(list_spec())
        .items()
        .take(2)
        .collect()
        .await;
    assert_eq!(first_two.len(), 2);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn awaiting_gives_the_first_page_and_pages_can_be_walked() {
    let server = three_pages().await;
    let client = server.client().build().unwrap();
    let pager = client.paginate::<Thing>(list_spec());
    let first: Page<Thing> = pager.clone().await.unwrap();
    assert_eq!(first.data.len(), 3);
    assert!(first.has_next_page());
    let second = pager.next_page(&first).await.unwrap().unwrap();
    assert_eq!(second.data, vec![Thing { id: 4 }, Thing { id: 5 }]);
    let third = pager.page(second.next_cursor.as_deref()).await.unwrap();
    assert_eq!(third.status.as_u16(), 200);
    assert!(!third.data.has_next_page());
    assert!(pager.next_page(&third.data).await.unwrap().is_none());

    let pages: Vec<_> = pager.pages().collect().await;
    assert_eq!(pages.len(), 3);
}

#[tokio::test]
async fn an_error_mid_way_ends_the_stream_after_yielding_it() {
    let server = TestServer::start(|r, _| {
        if r.query_values("cursor").is_empty() {
            Reply::json(
                200,
                json!({"data": [{"id": 1}], "next_cursor": "bad", "has_more": true}),
            )
        } else {
            Reply::problem(404, "CURSOR_INVALID", "req_p")
        }
    })
    .await;
    let client = server.client().build().unwrap();
    let results: Vec<_> = client
        .paginate::<Thing>(RequestSpec::get("/v1/things"))
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, 1);
    match &results[1] {
        Err(e @ Error::NotFound(_)) => assert_eq!(e.code(), Some("CURSOR_INVALID")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pages_through_the_member_names_the_api_declares() {
    // `{ items, nextPageToken }` with no has-more member: a token means another page.
    let server =
        TestServer::start(
            |r, _| match r.query_values("pageToken").first().map(String::as_str) {
                None => Reply::json(
                    200,
                    json!({"items": [{"id": 1}, {"id": 2}], "nextPageToken": "t2"}),
                ),
                Some("t2") => Reply::json(200, json!({"items": [{"id": 3}], "nextPageToken": ""})),
                Some(_) => Reply::problem(404, "NOT_FOUND", "r"),
            },
        )
        .await;
    let client = server.client().build().unwrap();
    let items: Vec<u32> = client
        .paginate::<Thing>(RequestSpec::get("/v1/things"))
        .cursor_param("pageToken")
        .page_fields(Some("items"), "nextPageToken", None)
        .items()
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    assert_eq!(items, vec![1, 2, 3]);
    assert_eq!(server.requests().len(), 2);
}
