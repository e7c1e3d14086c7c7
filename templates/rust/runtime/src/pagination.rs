//! Pagination. By default a page is `{ data, next_cursor, has_more }` (or the member names the
//! API declares, [`Paginator::page_fields`]) and the next request repeats the first with
//! `cursor = next_cursor`. Other styles ([`PageStyle`]): the body's next-page URL, the `Link`
//! header's `rel="next"` URL, an offset advanced by the items received, a page number advanced
//! by one.

use std::collections::VecDeque;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::{BoxFuture, Client, RequestOptions, RequestParams, RequestSpec};
use super::error::{Error, Result};
use super::response::ApiResponse;

/// One page of a cursor-paginated list. Unknown members are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// The cursor of the next page (its URL, offset or page number in the other styles), `None`
    /// on the last page.
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

/// Where a page body keeps its items, the next page's cursor and (when it says so) whether
/// more pages follow; without that member a next cursor means another page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PageFields {
    /// `None`: the body is the array of items itself.
    items: Option<String>,
    next_cursor: String,
    has_more: Option<String>,
}

impl Default for PageFields {
    fn default() -> Self {
        PageFields {
            items: Some("data".to_owned()),
            next_cursor: "next_cursor".to_owned(),
            has_more: Some("has_more".to_owned()),
        }
    }
}

impl PageFields {
    /// The page of a decoded body, its members read by these names.
    fn page<T: DeserializeOwned>(&self, mut body: serde_json::Value) -> Result<Page<T>> {
        let items = match &self.items {
            Some(name) => body
                .get_mut(name)
                .map(serde_json::Value::take)
                .unwrap_or(serde_json::Value::Array(Vec::new())),
            None => body.take(),
        };
        let data: Vec<T> = serde_json::from_value(items).map_err(|error| Error::Decode {
            message: format!(
                "page member {:?}: {error}",
                self.items.as_deref().unwrap_or("")
            ),
            body: String::new(),
            source: Some(error),
        })?;
        let next_cursor = body
            .get(&self.next_cursor)
            .and_then(serde_json::Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let has_more = match &self.has_more {
            Some(name) => body.get(name).and_then(serde_json::Value::as_bool),
            None => None,
        }
        .unwrap_or(next_cursor.is_some());
        Ok(Page {
            data,
            next_cursor,
            has_more,
        })
    }
}

/// How the next page is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PageStyle {
    /// The body's next cursor, sent back in the cursor parameter.
    #[default]
    Cursor,
    /// The body's next member is the next page's URL.
    NextUrl,
    /// The `Link` header's `rel="next"` URL (RFC 8288).
    Link,
    /// The offset parameter advanced by the items received; an empty page, or one shorter than
    /// the limit sent, is the last.
    Offset,
    /// The page-number parameter advanced by one; an empty page, or one shorter than the limit
    /// sent, is the last.
    PageNumber,
}

/// The `rel="next"` target of a `Link` header (RFC 8288), or `None`.
pub fn link_next(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..]
            .find('<')
            .map_or(rest.len(), |next| close + next);
        let params = &rest[close + 1..params_end];
        for param in params.split(';') {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_end_matches(',').trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            {
                return Some(target.to_owned());
            }
        }
        rest = &rest[params_end..];
    }
    None
}

/// A paginated list request, returned by generated list methods.
///
/// - `.await` → the first [`Page`];
/// - [`items`](Self::items) → a `Stream` of every item across pages, fetched lazily;
/// - [`pages`](Self::pages) → a `Stream` of pages;
/// - [`page`](Self::page) → one page at a given cursor, for manual paging.
///
/// `P` is the operation's parameters ([`RequestParams`]; `()` when it has none), sent with every
/// page: generated code adds a typed setter per optional parameter (`.limit(20)`).
#[must_use = "a list request does nothing until awaited or streamed"]
pub struct Paginator<T, P = ()> {
    client: Client,
    spec: RequestSpec,
    options: RequestOptions,
    cursor_param: String,
    fields: PageFields,
    style: PageStyle,
    limit_param: Option<String>,
    params: P,
    _item: PhantomData<fn() -> T>,
}

impl<T, P: Clone> Clone for Paginator<T, P> {
    fn clone(&self) -> Self {
        Paginator {
            client: self.client.clone(),
            spec: self.spec.clone(),
            options: self.options.clone(),
            cursor_param: self.cursor_param.clone(),
            fields: self.fields.clone(),
            style: self.style,
            limit_param: self.limit_param.clone(),
            params: self.params.clone(),
            _item: PhantomData,
        }
    }
}

impl<T, P: fmt::Debug> fmt::Debug for Paginator<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("spec", &self.spec)
            .field("params", &self.params)
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
            fields: PageFields::default(),
            style: PageStyle::Cursor,
            limit_param: None,
            params: (),
            _item: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static, P: RequestParams> Paginator<T, P> {
    /// Replaces the operation's parameters (the typed setters change one each).
    pub fn params(mut self, params: P) -> Self {
        self.params = params;
        self
    }

    /// The operation's parameters, to change in place.
    pub fn params_mut(&mut self) -> &mut P {
        &mut self.params
    }

    /// Attaches the operation's parameters (what generated methods return).
    #[doc(hidden)]
    pub fn bind_params<Q: RequestParams>(self, params: Q) -> Paginator<T, Q> {
        Paginator {
            client: self.client,
            spec: self.spec,
            options: self.options,
            cursor_param: self.cursor_param,
            fields: self.fields,
            style: self.style,
            limit_param: self.limit_param,
            params,
            _item: PhantomData,
        }
    }

    /// The first page's request: the operation's request with its parameters.
    fn first(&self) -> RequestSpec {
        self.params.apply(self.spec.clone())
    }

    /// Sets the name of the cursor query parameter (default `cursor`).
    pub fn cursor_param(mut self, name: impl Into<String>) -> Self {
        self.cursor_param = name.into();
        self
    }

    /// Sets the page body's member names: its items, the next cursor, and whether more pages
    /// follow (`None` when the body does not say; a next cursor then means another page).
    /// Default `data`, `next_cursor`, `has_more`; `items` `None` when the body is the array.
    pub fn page_fields(
        mut self,
        items: Option<&str>,
        next_cursor: &str,
        has_more: Option<&str>,
    ) -> Self {
        self.fields = PageFields {
            items: items.map(str::to_owned),
            next_cursor: next_cursor.to_owned(),
            has_more: has_more.map(str::to_owned),
        };
        self
    }

    /// Sets how the next page is asked for (default [`PageStyle::Cursor`]; the cursor parameter
    /// names the offset or page-number parameter) and the page-size parameter whose value, when
    /// sent, marks a shorter page as the last.
    pub fn page_style(mut self, style: PageStyle, limit_param: Option<&str>) -> Self {
        self.style = style;
        self.limit_param = limit_param.map(str::to_owned);
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
        let spec = match (cursor, self.style) {
            (Some(url), PageStyle::Link | PageStyle::NextUrl) => self.spec_at(url)?,
            (Some(c), _) => self.first().set_query(&self.cursor_param, c),
            (None, _) => self.first(),
        };
        let response = self
            .client
            .send_json::<serde_json::Value>(&spec, &self.options)
            .await?;
        let mut page = self.fields.page(response.data.clone())?;
        let next = match self.style {
            PageStyle::Cursor => None,
            PageStyle::NextUrl => Some(page.next_cursor.take()),
            PageStyle::Link => Some(response.header("link").and_then(link_next)),
            PageStyle::Offset | PageStyle::PageNumber => Some(self.counted(&spec, page.data.len())),
        };
        if let Some(next) = next {
            page.has_more = next.is_some();
            page.next_cursor = next;
        }
        Ok(response.map(|_| page))
    }

    /// The request for a next-page URL the server gave: resolved against the first request's
    /// URL and only on its origin, so credentials never go to a host the caller did not choose.
    fn spec_at(&self, next: &str) -> Result<RequestSpec> {
        let spec = self.first();
        let first = reqwest::Url::parse(&self.client.build_url(&spec)?)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let url = first
            .join(next)
            .map_err(|e| Error::InvalidRequest(format!("invalid next-page URL: {e}")))?;
        if url.origin() != first.origin() {
            return Err(Error::InvalidRequest(format!(
                "not following the next-page URL to another origin: {}",
                url.origin().ascii_serialization()
            )));
        }
        let mut spec = spec;
        spec.path = url.into();
        spec.query.clear();
        Ok(spec)
    }

    /// The next offset or page number after a page of `count` items, `None` on the last page.
    fn counted(&self, spec: &RequestSpec, count: usize) -> Option<String> {
        let sent = |name: &str| {
            spec.query
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<u64>().ok())
        };
        let limit = self.limit_param.as_deref().and_then(sent);
        if count == 0 || limit.is_some_and(|l| (count as u64) < l) {
            return None;
        }
        let current = sent(&self.cursor_param);
        Some(match self.style {
            PageStyle::Offset => (current.unwrap_or(0) + count as u64).to_string(),
            _ => (current.unwrap_or(1) + 1).to_string(),
        })
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
        struct State<T, P> {
            pager: Paginator<T, P>,
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

impl<T: DeserializeOwned + Send + 'static, P: RequestParams> IntoFuture for Paginator<T, P> {
    type Output = Result<Page<T>>;
    type IntoFuture = BoxFuture<Result<Page<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.page(None).await.map(ApiResponse::into_data) })
    }
}
