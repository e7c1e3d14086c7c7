//! Query-string values: how generated code passes query parameters to [`RequestSpec::query`].
//!
//! [`RequestSpec::query`]: super::RequestSpec::query

/// A value that can be written into the query string under a parameter name.
///
/// `None` writes nothing, a sequence writes one pair per item (exploded form,
/// `types=a&types=b`), booleans write `true`/`false`, numbers and strings write themselves.
/// Generated open enums implement it through [`OpenEnum`](super::OpenEnum); date-times should be
/// passed as RFC 3339 strings.
pub trait QueryValue {
    /// Appends `name=value` pairs (not yet encoded) to `out`.
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>);
}

macro_rules! display_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
                out.push((name.to_owned(), self.to_string()));
            }
        }
    )*};
}

display_query_value!(
    str, String, bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32,
    f64
);

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        (**self).append_to(name, out);
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        if let Some(v) = self {
            v.append_to(name, out);
        }
    }
}

impl<T: QueryValue> QueryValue for [T] {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        for v in self {
            v.append_to(name, out);
        }
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        self.as_slice().append_to(name, out);
    }
}

impl<T: QueryValue, const N: usize> QueryValue for [T; N] {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        self.as_slice().append_to(name, out);
    }
}

/// Percent-encodes `value` as one path segment: everything but the RFC 3986 unreserved
/// characters is encoded, so `/`, `?`, `#` and `%` can never change the URL's structure.
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
