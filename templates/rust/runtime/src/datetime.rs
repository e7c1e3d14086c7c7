//! RFC 3339 date-times: what `format: date-time` members and parameters are.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::query::QueryValue;

/// A date-time, written and read as RFC 3339 (`2026-11-30T12:00:00Z`), with its offset kept.
/// It dereferences to [`time::OffsetDateTime`] (and converts from and into it), so the `time`
/// crate's arithmetic, comparisons and formatting apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub OffsetDateTime);

impl DateTime {
    /// The current time in UTC.
    pub fn now_utc() -> Self {
        DateTime(OffsetDateTime::now_utc())
    }

    /// Parses an RFC 3339 date-time.
    pub fn parse(text: &str) -> Result<Self, time::error::Parse> {
        OffsetDateTime::parse(text, &Rfc3339).map(DateTime)
    }

    /// The `time` value.
    pub fn into_inner(self) -> OffsetDateTime {
        self.0
    }
}

impl Default for DateTime {
    /// The Unix epoch (so models with a required date-time can derive `Default`).
    fn default() -> Self {
        DateTime(OffsetDateTime::UNIX_EPOCH)
    }
}

impl Deref for DateTime {
    type Target = OffsetDateTime;
    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(value: OffsetDateTime) -> Self {
        DateTime(value)
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(value: DateTime) -> Self {
        value.0
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl FromStr for DateTime {
    type Err = time::error::Parse;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        DateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl QueryValue for DateTime {
    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {
        out.push((name.to_owned(), self.to_string()));
    }
}
