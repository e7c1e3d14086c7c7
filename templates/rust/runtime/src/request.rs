//! [`RequestSpec`]: one operation's request as generated code describes it.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;

use super::error::{Error, ErrorDecoder, Result};
use super::query::QueryValue;

/// One operation's request as generated code describes it: method, path with parameters,
/// query, header parameters and body. Building never fails; a problem (an unknown path
/// parameter, an unserialisable body) surfaces as [`Error::InvalidRequest`] when it is sent.
#[derive(Debug, Clone)]
#[must_use]
pub struct RequestSpec {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) cookies: Vec<(String, String)>,
    pub(super) body: Option<Vec<u8>>,
    pub(super) content_type: Option<String>,
    pub(super) accept: Option<String>,
    pub(super) errors: &'static [(&'static str, ErrorDecoder)],
    pub(super) error: Option<String>,
    pub(super) idempotency_header: Option<&'static str>,
}

/// The parameters of one operation (its query, header and cookie parameters), carried by a
/// [`PendingRequest`](super::PendingRequest), [`Paginator`](super::Paginator) or
/// [`EventStream`](super::EventStream) until it is sent, so that generated code can offer a typed
/// setter per parameter (`.limit(20)`). Generated params structs implement it; `()` is none.
pub trait RequestParams: fmt::Debug + Clone + Send + Sync + Unpin + 'static {
    /// Adds these parameters to the request.
    fn apply(&self, spec: RequestSpec) -> RequestSpec;
}

impl RequestParams for () {
    fn apply(&self, spec: RequestSpec) -> RequestSpec {
        spec
    }
}

impl RequestSpec {
    /// A request with `method` to `path`, a template such as `/v1/items/{item_id}`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        RequestSpec {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            content_type: None,
            accept: None,
            errors: &[],
            error: None,
            idempotency_header: None,
        }
    }

    /// A GET request.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }
    /// A POST request.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }
    /// A PUT request.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }
    /// A PATCH request.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }
    /// A DELETE request.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// The idempotency header the operation declares: a key generated once per call goes in
    /// it, reused by every retry. Without one, only safe methods (GET, HEAD, OPTIONS) or calls
    /// given an `idempotency_key` are retried, and no key is sent.
    pub fn idempotency_header(mut self, name: &'static str) -> Self {
        self.idempotency_header = Some(name);
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path with the parameters substituted so far.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Substitutes `{name}` in the path with `value`, percent-encoded as one segment.
    pub fn path_param(mut self, name: &str, value: impl fmt::Display) -> Self {
        let placeholder = format!("{{{name}}}");
        if self.path.contains(&placeholder) {
            self.path = self.path.replace(
                &placeholder,
                &super::query::encode_path_segment(&value.to_string()),
            );
        } else if self.error.is_none() {
            self.error = Some(format!("path {:?} has no parameter {name:?}", self.path));
        }
        self
    }

    /// Substitutes `{name}` in the path with `value` written in `style` (label, matrix, or an
    /// array or object in style simple), each name and value percent-encoded.
    pub fn path_param_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        style: super::Style,
        value: &T,
        explode: bool,
    ) -> Self {
        let encode: fn(&str) -> String = super::query::encode_path_segment;
        match super::style::style_value(style, name, value, explode, encode, "&") {
            Ok(Some(text)) if self.path.contains(&format!("{{{name}}}")) => {
                self.path = self.path.replace(&format!("{{{name}}}"), &text);
            }
            Ok(_) => {
                if self.error.is_none() {
                    self.error = Some(format!(
                        "path {:?} has no parameter {name:?} or it is null",
                        self.path
                    ));
                }
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Adds a header parameter that is an array or object, in style simple (`None` skipped).
    pub fn header_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        explode: bool,
    ) -> Self {
        if let Some(value) = value {
            match super::style::style_value(
                super::Style::Simple,
                name,
                value,
                explode,
                super::style::verbatim,
                ",",
            ) {
                Ok(Some(text)) => self.headers.push((name.to_owned(), text)),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a cookie parameter that is an array or object, in style form (`name=a,b`; exploded
    /// `name=a; name=b` or `k=v; k2=v2`); `None` skipped.
    pub fn cookie_styled<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        explode: bool,
    ) -> Self {
        if let Some(value) = value {
            let encode: fn(&str) -> String = super::query::encode_cookie_value;
            match super::style::style_value(super::Style::Form, name, value, explode, encode, "; ")
            {
                // An empty name marks pairs written already.
                Ok(Some(text)) => self.cookies.push((String::new(), text)),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a non-exploded object query parameter as one value (`R,100,G,200`; `|` or a space
    /// for pipeDelimited and spaceDelimited); `None` skipped.
    pub fn query_joined<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: Option<&T>,
        delimiter: &str,
    ) -> Self {
        if let Some(value) = value {
            match super::style::style_value(
                super::Style::Simple,
                name,
                value,
                false,
                super::style::verbatim,
                ",",
            ) {
                Ok(Some(text)) => self.query.push((
                    name.to_owned(),
                    text.split(',').collect::<Vec<_>>().join(delimiter),
                )),
                Ok(None) => {}
                Err(e) => {
                    if self.error.is_none() {
                        self.error = Some(e);
                    }
                }
            }
        }
        self
    }

    /// Adds a query parameter (in call order; `None` skipped, sequences exploded).
    pub fn query(mut self, name: &str, value: impl QueryValue) -> Self {
        value.append_to(name, &mut self.query);
        self
    }

    /// Sets a query parameter, replacing every earlier value of it in place (pagination cursors).
    pub fn set_query(mut self, name: &str, value: impl QueryValue) -> Self {
        let mut values = Vec::new();
        value.append_to(name, &mut values);
        match self.query.iter().position(|(k, _)| k == name) {
            Some(at) => {
                self.query.retain(|(k, _)| k != name);
                let at = at.min(self.query.len());
                self.query.splice(at..at, values);
            }
            None => self.query.extend(values),
        }
        self
    }

    /// Adds a non-exploded array query parameter as one pair, its items joined with `delimiter`
    /// (`","` for style form without explode, `"|"` for pipeDelimited, `" "` for
    /// spaceDelimited). `None` writes nothing; an empty sequence writes an empty value.
    pub fn query_delimited(mut self, name: &str, value: impl QueryValue, delimiter: &str) -> Self {
        let mut items = Vec::new();
        value.append_to(name, &mut items);
        if !items.is_empty() || value.is_present() {
            let joined = items
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(delimiter);
            self.query.push((name.to_owned(), joined));
        }
        self
    }

    /// Adds a deepObject query parameter: one `name[key]=value` pair per entry (in iteration
    /// order; a sequence value writes one pair per item, `None` writes nothing). Pass a map
    /// (`&BTreeMap`), or `option.iter().flatten()` for an optional one.
    pub fn query_deep_object<K, V>(
        mut self,
        name: &str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: fmt::Display,
        V: QueryValue,
    {
        for (key, value) in entries {
            value.append_to(&format!("{name}[{key}]"), &mut self.query);
        }
        self
    }

    /// The query pairs (not yet encoded).
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Adds a header parameter (for example `If-Match`); `None` is skipped.
    pub fn header(mut self, name: &str, value: Option<impl fmt::Display>) -> Self {
        if let Some(v) = value {
            self.headers.push((name.to_owned(), v.to_string()));
        }
        self
    }

    /// Adds a cookie parameter; `None` is skipped. All cookies go in one `Cookie` header
    /// (`a=1; b=2`), each value percent-encoded (RFC 6265 allows no spaces, quotes, commas,
    /// semicolons or backslashes in a value). A `Cookie` header in the request options wins.
    pub fn cookie(mut self, name: &str, value: Option<impl fmt::Display>) -> Self {
        if let Some(v) = value {
            self.cookies.push((name.to_owned(), v.to_string()));
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from a struct or map that serialises to
    /// a JSON object: one pair per member (serde names, skipped fields absent), arrays exploded,
    /// `null` omitted. A nested object, or a body that is not an object, surfaces as
    /// [`Error::InvalidRequest`] when the request is sent.
    pub fn form<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match super::query::form_urlencoded(body) {
            Ok(encoded) => {
                self.body = Some(encoded.into_bytes());
                self.content_type = Some("application/x-www-form-urlencoded".to_owned());
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Sets a JSON body (content type `application/json` unless [`Self::content_type`] says otherwise).
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(format!("could not serialise the body: {e}"));
                }
            }
        }
        self
    }

    /// Sets a `multipart/form-data` body (its Content-Type carries the boundary).
    pub fn multipart(mut self, form: &super::Multipart) -> Self {
        match form.encode() {
            Ok((body, content_type)) => {
                self.body = Some(body);
                self.content_type = Some(content_type);
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Sets a raw body with its content type.
    pub fn body(mut self, body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        self.body = Some(body.into());
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Sets the body's content type (for example `application/merge-patch+json`).
    pub fn content_type(mut self, content_type: &str) -> Self {
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Sets `Accept` (default `application/json`).
    pub fn accept(mut self, accept: &str) -> Self {
        self.accept = Some(accept.to_owned());
        self
    }

    /// The error bodies the operation declares: status (`"404"`, `"4XX"`, `"default"`) and the
    /// decoder of its model ([`super::error::decode_error`]). A non-2xx body is decoded with it
    /// into the error ([`super::error::StatusError::decoded`]).
    pub fn errors(mut self, errors: &'static [(&'static str, ErrorDecoder)]) -> Self {
        self.errors = errors;
        self
    }

    pub(super) fn header_map(&self) -> Result<HeaderMap> {
        if let Some(e) = &self.error {
            return Err(Error::InvalidRequest(e.clone()));
        }
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let (n, v) = header_pair(name, value).map_err(Error::InvalidRequest)?;
            map.insert(n, v);
        }
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(name, value)| {
                    if name.is_empty() {
                        value.clone()
                    } else {
                        format!("{name}={}", super::query::encode_cookie_value(value))
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            let (n, v) = header_pair("cookie", &cookie).map_err(Error::InvalidRequest)?;
            map.insert(n, v);
        }
        Ok(map)
    }
}

pub(super) fn header_pair(
    name: &str,
    value: &str,
) -> std::result::Result<(HeaderName, HeaderValue), String> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|e| format!("header name {name:?}: {e}"))?;
    let v = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
    Ok((n, v))
}
