//! Open enums: the pattern generated string enums use so that a value added by a newer server
//! decodes to an `Unknown(String)` variant (keeping the raw string) instead of failing.
//!
//! Generated code writes:
//!
//! ```ignore
//! crate::open_enum! {
//!     /// The kind of a change event.
//!     pub enum EventType {
//!         /// A beat was added.
//!         BeatAdded = "beat.added",
//!         /// A beat was removed.
//!         BeatRemoved = "beat.removed",
//!     }
//! }
//! ```
//!
//! which defines the enum with an extra `Unknown(String)` variant and implements
//! [`OpenEnum`], `Serialize`/`Deserialize` (as the string), `Display`, `FromStr` (never fails),
//! `From<&str>`, `From<String>`, `AsRef<str>` and [`QueryValue`](super::QueryValue).

/// A string enum that accepts unknown values; implemented by [`open_enum!`](crate::open_enum).
pub trait OpenEnum: Sized {
    /// The known values, in declaration order.
    const KNOWN: &'static [&'static str];
    /// The wire string of this value (the raw string for an unknown value).
    fn as_str(&self) -> &str;
    /// Decodes a wire string; an unknown string becomes the unknown variant.
    fn from_wire(value: &str) -> Self;
    /// Whether this is a value this SDK version does not know.
    fn is_unknown(&self) -> bool;
}

/// Defines an open string enum (see the [module documentation](self)). Expands to paths under
/// `$crate::runtime`, so the runtime must be mounted as the crate's `runtime` module.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $crate::runtime::OpenEnum for $name {
            const KNOWN: &'static [&'static str] = &[$($wire),+];
            fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(raw) => raw.as_str(),
                }
            }
            fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
            fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl $crate::runtime::QueryValue for $name {
            fn append_to(&self, name: &str, out: &mut ::std::vec::Vec<(::std::string::String, ::std::string::String)>) {
                out.push((name.to_owned(), $crate::runtime::OpenEnum::as_str(self).to_owned()));
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                $crate::runtime::OpenEnum::as_str(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::runtime::OpenEnum::as_str(self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(<Self as $crate::runtime::OpenEnum>::from_wire(s))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                <Self as $crate::runtime::OpenEnum>::from_wire(s)
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(s: ::std::string::String) -> Self {
                <Self as $crate::runtime::OpenEnum>::from_wire(&s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::runtime::OpenEnum::as_str(self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(<Self as $crate::runtime::OpenEnum>::from_wire(&raw))
            }
        }
    };
}
