//! Entity tags for conditional requests (`If-Match`).

use std::fmt;

/// What [`super::PendingRequest::if_match`] accepts: an entity tag as the server sent it
/// (`"7"` with its quotes, `W/"7"`, `*`, or a list), a bare tag value, a version number, or a
/// reference to a generated model that carries a `version` (`.if_match(&sequence)`). A bare
/// value, a number or a model's version is sent as the strong tag `"<value>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ETag(String);

impl ETag {
    /// The strong tag `"<version>"` of a version, whatever it looks like (what the generated
    /// `From<&Model>` impls send).
    pub fn strong(version: impl fmt::Display) -> Self {
        ETag(format!("\"{version}\""))
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ETag {
    fn from(value: &str) -> Self {
        let trimmed = value.trim();
        if trimmed == "*"
            || trimmed.starts_with('"')
            || trimmed.starts_with("W/")
            || trimmed.contains(',')
        {
            ETag(value.to_owned())
        } else {
            ETag(format!("\"{trimmed}\""))
        }
    }
}

impl From<String> for ETag {
    fn from(value: String) -> Self {
        ETag::from(value.as_str())
    }
}

impl From<&String> for ETag {
    fn from(value: &String) -> Self {
        ETag::from(value.as_str())
    }
}

macro_rules! etag_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for ETag {
            fn from(version: $t) -> Self {
                ETag(format!("\"{version}\""))
            }
        }
    )*};
}

etag_from_integer!(i32, i64, u32, u64, usize);
