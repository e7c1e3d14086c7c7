//! Query-string values: how generated code passes query parameters to [`RequestSpec::query`].
//!
//! [`RequestSpec::query`]: super::RequestSpec::query

/// A value that can be written into the query string under a parameter name.
///
/// `None` writes nothing, a sequence writes one pair per item (exploded form,
/// `types=a&types=b`), booleans write `true`/`false`, numbers and strings write themselves.
/// Generated open enums implement it through [`OpenEnum`](super::OpenEnum); date-times are
/// [`DateTime`](super::DateTime)s, written as RFC 3339.
pub trait QueryValue {
    /// Appends `name=value` pairs (not yet encoded) to `out`.
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>);

    /// Whether there is a value at all (`false` only for `None`): an empty sequence is present.
    fn is_present(&self) -> bool {
        true
    }
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

/// A JSON value the SDK does not know the type of (a union's unknown variant): a string is
/// written as it is, anything else as JSON.
impl QueryValue for serde_json::Value {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        match self {
            serde_json::Value::String(value) => out.push((name.to_owned(), value.clone())),
            serde_json::Value::Array(items) => {
                for item in items {
                    item.append_to(name, out);
                }
            }
            value => out.push((name.to_owned(), value.to_string())),
        }
    }
}

/// Writes a JSON value as a parameter value: a string as it is, anything else as JSON.
pub fn fmt_json_scalar(
    value: &serde_json::Value,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    match value {
        serde_json::Value::String(value) => f.write_str(value),
        value => std::fmt::Display::fmt(value, f),
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        (**self).append_to(name, out);
    }
    fn is_present(&self) -> bool {
        (**self).is_present()
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        if let Some(v) = self {
            v.append_to(name, out);
        }
    }
    fn is_present(&self) -> bool {
        self.as_ref().is_some_and(QueryValue::is_present)
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

/// Percent-encodes a cookie value: everything but the characters JavaScript's
/// `encodeURIComponent` keeps (letters, digits, `-_.!~*'()`) is encoded, so the value holds no
/// space, quote, comma, semicolon or backslash (RFC 6265) and every SDK writes the same text.
pub fn encode_cookie_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes one name or value the way `application/x-www-form-urlencoded` does (WHATWG URL):
/// letters, digits and `*-._` stay, a space becomes `+`, every other byte is percent-encoded.
fn form_component(value: &str, out: &mut String) {
    for &b in value.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            _ if b.is_ascii_alphanumeric() => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// The `application/x-www-form-urlencoded` text of a body that serialises to a JSON object: one
/// pair per member in serialisation order, arrays exploded (`tag=a&tag=b`), booleans
/// `true`/`false`, `null` omitted. A nested object, or a body that is not an object, is an error
/// message.
pub fn form_urlencoded<B: serde::Serialize + ?Sized>(body: &B) -> Result<String, String> {
    let json =
        serde_json::to_vec(body).map_err(|e| format!("could not serialise the body: {e}"))?;
    let Ok(Members(members)) = serde_json::from_slice::<Members>(&json) else {
        return Err("a form body must serialise to an object".to_owned());
    };
    let mut out = String::new();
    let mut pair = |name: &str, value: &serde_json::Value| -> Result<(), String> {
        let text = match value {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(format!(
                    "the form field {name:?} is an object; form bodies carry scalars and arrays of them"
                ))
            }
        };
        if !out.is_empty() {
            out.push('&');
        }
        form_component(name, &mut out);
        out.push('=');
        form_component(&text, &mut out);
        Ok(())
    };
    for (name, value) in &members {
        match value {
            serde_json::Value::Array(items) => {
                for item in items {
                    pair(name, item)?;
                }
            }
            _ => pair(name, value)?,
        }
    }
    Ok(out)
}

/// The members of a JSON object in document order (`serde_json::Map` sorts its keys).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}
