//! The pagination styles besides a body cursor, against a real local server: a Link header over
//! an array body (GitHub's style), a next-page URL in the body (one on another origin refused),
//! offset/limit and page numbers. Each walks every page and stops on the last.

mod common;

use common::{Reply, TestServer};
use futures_util::StreamExt;
use sdk_runtime_harness::runtime::{link_next, Client, PageStyle, RequestSpec};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
struct Thing {
    id: u32,
}

fn things(from: usize, to: usize) -> serde_json::Value {
    json!((from..to.min(5))
        .map(|i| json!({"id": i + 1}))
        .collect::<Vec<_>>())
}

async fn ids(
    stream: futures_util::stream::BoxStream<'static, sdk_runtime_harness::runtime::Result<Thing>>,
) -> Vec<u32> {
    stream.map(|r| r.unwrap().id).collect().await
}

#[tokio::test]
async fn link_header_over_an_array_body() {
    let server = TestServer::start(|r, _| {
        let page: usize = r
            .query_values("page")
            .first()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let next = match page {
            1 => {
                "</repos?per_page=2&page=2>; rel=\"next\", </repos?per_page=2&page=3>; rel=\"last\""
            }
            2 => "</repos?per_page=2&page=3>; rel=\"next last\"",
            _ => "</repos?per_page=2&page=1>; rel=\"first\"",
        };
        Reply::json(200, things((page - 1) * 2, page * 2)).header("link", next)
    })
    .await;
    let client: Client = server.client().build().unwrap();
    let stream = client
        .paginate::<Thing>(RequestSpec::get("/repos").query("per_page", 2))
        .page_fields(None, "", None)
        .page_style(PageStyle::Link, None)
        .items();
    assert_eq!(ids(stream).await, vec![1, 2, 3, 4, 5]);
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        vec![
            "/repos?per_page=2",
            "/repos?per_page=2&page=2",
            "/repos?per_page=2&page=3"
        ]
    );
}

#[tokio::test]
async fn next_url_in_the_body_and_another_origin_refused() {
    let server = TestServer::start(|r, _| {
        if r.path() == "/evil" {
            return Reply::json(
                200,
                json!({"results": [{"id": 9}], "next": "https://evil.test/x"}),
            );
        }
        let after: usize = r
            .query_values("after")
            .first()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let next = (after + 2 < 5).then(|| format!("/things?after={}", after + 2));
        Reply::json(
            200,
            json!({"results": things(after, after + 2), "next": next}),
        )
    })
    .await;
    let client: Client = server.client().build().unwrap();
    let stream = client
        .paginate::<Thing>(RequestSpec::get("/things"))
        .page_fields(Some("results"), "next", None)
        .page_style(PageStyle::NextUrl, None)
        .items();
    assert_eq!(ids(stream).await, vec![1, 2, 3, 4, 5]);
    let evil: Vec<_> = client
        .paginate::<Thing>(RequestSpec::get("/evil"))
        .page_fields(Some("results"), "next", None)
        .page_style(PageStyle::NextUrl, None)
        .items()
        .collect()
        .await;
    assert_eq!(evil.len(), 2);
    let err = evil[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("another origin: https://evil.test"), "{err}");
}

#[tokio::test]
async fn offset_stops_at_a_short_page() {
    let server = TestServer::start(|r, _| {
        let offset: usize = r
            .query_values("offset")
            .first()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        Reply::json(
            200,
            json!({"items": things(offset, offset + 2), "total": 5}),
        )
    })
    .await;
    let client: Client = server.client().build().unwrap();
    let stream = client
        .paginate::<Thing>(RequestSpec::get("/offset").query("limit", 2))
        .cursor_param("offset")
        .page_fields(Some("items"), "", None)
        .page_style(PageStyle::Offset, Some("limit"))
        .items();
    assert_eq!(ids(stream).await, vec![1, 2, 3, 4, 5]);
    let offsets: Vec<Vec<String>> = server
        .requests()
        .iter()
        .map(|r| r.query_values("offset"))
        .collect();
    assert_eq!(
        offsets,
        vec![vec![], vec!["2".to_owned()], vec!["4".to_owned()]]
    );
}

#[tokio::test]
async fn page_numbers_stop_at_an_empty_page() {
    let server = TestServer::start(|r, _| {
        let page: usize = r.query_values("page")[0].parse().unwrap();
        Reply::json(200, things((page - 1) * 3, page * 3))
    })
    .await;
    let client: Client = server.client().build().unwrap();
    let stream = client
        .paginate::<Thing>(RequestSpec::get("/paged").query("page", 1))
        .cursor_param("page")
        .page_fields(None, "", None)
        .page_style(PageStyle::PageNumber, None)
        .items();
    assert_eq!(ids(stream).await, vec![1, 2, 3, 4, 5]);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn reads_link_headers_as_rfc_8288_writes_them() {
    assert_eq!(
        link_next(
            "<https://x.test/a?page=2>; rel=\"next\", <https://x.test/a?page=9>; rel=\"last\""
        ),
        Some("https://x.test/a?page=2".to_owned())
    );
    assert_eq!(
        link_next("<https://x.test/p3>; title=\"x\"; REL=next"),
        Some("https://x.test/p3".to_owned())
    );
    assert_eq!(link_next("<https://x.test/a>; rel=\"prev\""), None);
    assert_eq!(link_next(""), None);
}
