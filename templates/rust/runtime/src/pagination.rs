//! Cursor pagination: a page is `{ data, next_cursor, has_more }`; the next request repeats the
//! first with `cursor = next_cursor`.

use std::collections::VecDeque;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::{BoxFuture, Client, RequestOptions, RequestSpec};
use super::error::Result;
use super::response::ApiResponse;

/// One page of a cursor-paginated list. Unknown members are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// The cursor of the next page, `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Whether another page follows (`has_more` and a `next_cursor`).
    pub fn has_next_page(&self) -> bool {
        self.has_more && self.next_cursor.as_deref().is_some_and(|c| !c.is_empty())
    }
}

/// A paginated list request, returned by generated list methods.
///
/// - `.await` → the first [`Page`];
/// - [`items`](Self::items) → a `Stream` of every item across pages, fetched lazily;
/// - [`pages`](Self::pages) → a `Stream` of pages;
/// - [`page`](Self::page) → one page at a given cursor, for manual paging.
#[must_use = "a list request does nothing until awaited or streamed"]
pub struct Paginator<T> {
    client: Client,
    spec: RequestSpec,
    options: RequestOptions,
    cursor_param: String,
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for Paginator<T> {
    fn clone(&self) -> Self {
        Paginator {
            client: self.client.clone(),
            spec: self.spec.clone(),
            options: self.options.clone(),
            cursor_param: self.cursor_param.clone(),
            _item: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("spec", &self.spec)
            .field("cursor_param", &self.cursor_param)
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> Paginator<T> {
    pub(super) fn new(client: Client, spec: RequestSpec) -> Self {
        Paginator {
            client,
            spec,
            options: RequestOptions::default(),
            cursor_param: "cursor".to_owned(),
            _item: PhantomData,
        }
    }

    /// Sets the name of the cursor query parameter (default `cursor`).
    pub fn cursor_param(mut self, name: impl Into<String>) -> Self {
        self.cursor_param = name.into();
        self
    }

    /// Sets the per-request options used for every page.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the timeout of each attempt of every page.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Sets the retries of every page.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.options.max_retries = Some(retries);
        self
    }

    /// Fetches the page at `cursor` (`None`: the first page) with its response.
    pub async fn page(&self, cursor: Option<&str>) -> Result<ApiResponse<Page<T>>> {
        let spec = match cursor {
            Some(c) => self.spec.clone().set_query(&self.cursor_param, c),
            None => self.spec.clone(),
        };
        self.client.send_json::<Page<T>>(&spec, &self.options).await
    }

    /// Fetches the page after `page`, or `None` when it was the last.
    pub async fn next_page(&self, page: &Page<T>) -> Result<Option<Page<T>>> {
        if !page.has_next_page() {
            return Ok(None);
        }
        Ok(Some(self.page(page.next_cursor.as_deref()).await?.data))
    }

    /// Every page, fetched as the stream is polled; ends after the last page or the first error.
    pub fn pages(self) -> BoxStream<'static, Result<Page<T>>> {
        struct State<T> {
            pager: Paginator<T>,
            cursor: Option<String>,
            done: bool,
        }
        let state = State {
            pager: self,
            cursor: None,
            done: false,
        };
        stream::unfold(state, |mut state| async move {
            if state.done {
                return None;
            }
            match state.pager.page(state.cursor.as_deref()).await {
                Ok(response) => {
                    let page = response.data;
                    state.done = !page.has_next_page();
                    state.cursor = page.next_cursor.clone();
                    Some((Ok(page), state))
                }
                Err(e) => {
                    state.done = true;
                    Some((Err(e), state))
                }
            }
        })
        .boxed()
    }

    /// Every item across all pages, fetched lazily; ends after the last item or the first error.
    pub fn items(self) -> BoxStream<'static, Result<T>> {
        let pages = self.pages();
        stream::unfold(
            (pages, VecDeque::new()),
            |(mut pages, mut buffer)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (pages, buffer)));
                    }
                    match pages.next().await? {
                        Ok(page) => buffer.extend(page.data),
                        Err(e) => return Some((Err(e), (pages, buffer))),
                    }
                }
            },
        )
        .boxed()
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Paginator<T> {
    type Output = Result<Page<T>>;
    type IntoFuture = BoxFuture<Result<Page<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.page(None).await.map(ApiResponse::into_data) })
    }
}
