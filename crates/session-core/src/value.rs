//! The session's data model: JSON plus the Python types Flask's tagged JSON keeps distinct.

use std::collections::BTreeMap;

use crate::error::{Result, SessionError};

/// A map of string keys to values, sorted by code point (the order Flask writes them).
pub type Map = BTreeMap<String, Value>;

/// What the writers encode: a session's entries in code-point order of their keys, from a [`Map`] or a
/// [`crate::SessionData`] (whose values are built as they are written). Sealed: only those two.
///
/// ```
/// use session_core::{Entries, Map, Value};
/// let mut map = Map::new();
/// map.insert("a".into(), Value::Int(1));
/// assert_eq!(map.entries().collect::<Vec<_>>(), [("a", &Value::Int(1))]);
/// ```
pub trait Entries: sealed::Sealed {
    /// The entries, in code-point order of their keys.
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)>;
}

pub(crate) mod sealed {
    /// Keeps [`super::Entries`] to the crate's own types (their keys are sorted and unique).
    pub trait Sealed {}
}

impl sealed::Sealed for Map {}

impl Entries for Map {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// One value in a Flask session.
///
/// Plain JSON types map one to one; the Python types that Flask's tagged JSON preserves (tuple, bytes,
/// `Markup`, `UUID`, `datetime`) have their own variants, so a value read from Flask is written back unchanged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `null` / `None`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A larger integer (Python ints have no limit), kept as its canonical decimal text.
    BigInt(String),
    /// A float (written in Python's `repr` form).
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A Python tuple (tag `" t"`).
    Tuple(Vec<Value>),
    /// Python `bytes` (tag `" b"`).
    Bytes(Vec<u8>),
    /// `markupsafe.Markup`: HTML that is already safe (tag `" m"`).
    Markup(String),
    /// A `uuid.UUID` (tag `" u"`).
    Uuid([u8; 16]),
    /// A `datetime` in UTC, whole seconds since the Unix epoch (tag `" d"`; Flask drops microseconds).
    DateTime(i64),
    /// A dict.
    Dict(Map),
}

impl Value {
    /// The string, if this is a `Str` or `Markup`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) | Self::Markup(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `Int`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The bool, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Python truthiness (used for top-level payloads, where Flask treats any falsy value as an empty session).
    pub(crate) fn is_falsy(&self) -> bool {
        match self {
            Self::Null => true,
            Self::Bool(b) => !b,
            Self::Int(i) => *i == 0,
            Self::Float(f) => *f == 0.0,
            Self::Str(s) | Self::Markup(s) => s.is_empty(),
            Self::List(v) | Self::Tuple(v) => v.is_empty(),
            Self::Bytes(b) => b.is_empty(),
            Self::Dict(m) => m.is_empty(),
            Self::BigInt(_) | Self::Uuid(_) | Self::DateTime(_) => false,
        }
    }

    /// Converts any `serde::Serialize` type (through `serde_json`): objects become dicts, arrays lists.
    ///
    /// # Errors
    /// [`SessionError::Value`] when serde cannot represent the value (e.g. a map with non-string keys).
    pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self> {
        serde_json::to_value(value)
            .map(Self::from)
            .map_err(|e| SessionError::Value(e.to_string()))
    }

    /// Converts into any `serde::Deserialize` type (through `serde_json`).
    ///
    /// Tuples become arrays, bytes arrays of numbers, markup strings, UUIDs hyphenated strings, datetimes
    /// HTTP-date strings, big integers floats.
    ///
    /// # Errors
    /// [`SessionError::Value`] when the stored value does not have the requested shape.
    pub fn deserialize_into<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(serde_json::Value::from(self)).map_err(|e| SessionError::Value(e.to_string()))
    }

    /// The UUID in its hyphenated form.
    pub fn uuid_string(bytes: &[u8; 16]) -> String {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Self::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Self::BigInt(u.to_string())
                } else {
                    Self::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Self::Str(s),
            serde_json::Value::Array(a) => Self::List(a.into_iter().map(Self::from).collect()),
            serde_json::Value::Object(o) => Self::Dict(o.into_iter().map(|(k, v)| (k, Self::from(v))).collect()),
        }
    }
}

impl From<&Value> for serde_json::Value {
    fn from(v: &Value) -> Self {
        use serde_json::Value as J;
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::BigInt(s) => s
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(J::Null, J::Number),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) | Value::Markup(s) => J::String(s.clone()),
            Value::List(a) | Value::Tuple(a) => J::Array(a.iter().map(J::from).collect()),
            Value::Bytes(b) => J::Array(b.iter().map(|&x| J::from(x)).collect()),
            Value::Uuid(u) => J::String(Value::uuid_string(u)),
            Value::DateTime(t) => J::String(crate::json::http_date(*t)),
            Value::Dict(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), J::from(v))).collect()),
        }
    }
}

macro_rules! from_scalar {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Self::$variant(v.into()) }
        }
    )*};
}
from_scalar!(bool => Bool, i64 => Int, i32 => Int, u32 => Int, f64 => Float, String => Str, &str => Str);

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Self::List(v)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Self::Dict(m)
    }
}
