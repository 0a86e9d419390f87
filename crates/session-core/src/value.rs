//! The session's data model: JSON plus the Python types Flask's tagged JSON keeps distinct.

use std::collections::BTreeMap;

use crate::error::{Result, SessionError};

/// A map of string keys to values, sorted by code point (the order Flask writes them).
pub type Map = BTreeMap<String, Value>;

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
    /// A value another language's serializer wrote that this model has no exact type for (a Go app's own
    /// struct, a Go `int64` beside `int`, a PHP object): kept as it came, written back unchanged by that
    /// serializer, seen through to its plain counterpart everywhere else ([`Foreign`]).
    Foreign(Box<Foreign>),
}

/// A value read by another language's serializer (Go's gob, PHP's `serialize`) that the session model cannot
/// hold exactly. The value is never lost and never guessed at:
/// - the format whose serializer made it writes [`Foreign::encoded`] back as it came, so the other service
///   reads its own type again;
/// - where the model has a plain counterpart ([`Foreign::value`]: a Go `int64` is an integer), typed reads,
///   [`Value::as_i64`] and every other format's writer use that counterpart;
/// - where it has none (an application's own type), a typed read fails with an error naming the type, and
///   saving the session in another format is refused with that error instead of dropping the value.
///
/// ```
/// use session_core::{Foreign, Value};
/// let v = Value::Foreign(Box::new(Foreign::new("gob", "int64", vec![0x0a], Some(Value::Int(5)))));
/// assert_eq!(v.as_i64(), Some(5));
/// assert_eq!(v.deserialize_into::<i64>().unwrap(), 5);
/// let opaque = Value::Foreign(Box::new(Foreign::new("gob", "main.User", vec![1, 2, 3], None)));
/// assert!(opaque.deserialize_into::<String>().unwrap_err().to_string().contains("main.User"));
/// ```
#[derive(Clone, PartialEq)]
pub struct Foreign {
    serializer: &'static str,
    type_name: String,
    encoded: Vec<u8>,
    value: Option<Value>,
}

impl Foreign {
    /// A value `serializer` (`"gob"`, `"php"`) read: the language's own `type_name`, the bytes that serializer
    /// writes back (`encoded`, opaque to everything else), and the plain counterpart when one means the same.
    pub fn new(serializer: &'static str, type_name: impl Into<String>, encoded: Vec<u8>, value: Option<Value>) -> Self {
        Self {
            serializer,
            type_name: type_name.into(),
            encoded,
            value,
        }
    }

    /// The serializer that read it and can write it back (`"gob"`, `"php"`).
    pub fn serializer(&self) -> &'static str {
        self.serializer
    }

    /// The language's own name for its type (`main.User`, `int64`, `Illuminate\Support\ViewErrorBag`).
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The bytes its serializer writes back; their layout belongs to that serializer.
    pub fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// The plain value that means the same, when the model has one.
    pub fn value(&self) -> Option<&Value> {
        self.value.as_ref()
    }

    /// The error for a use that needs a plain value this one does not have.
    pub(crate) fn unrepresentable(&self, what: &str) -> SessionError {
        SessionError::Value(format!(
            "the session holds a {} value of type {} that {what}",
            self.serializer, self.type_name
        ))
    }
}

impl std::fmt::Debug for Foreign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Foreign")
            .field("serializer", &self.serializer)
            .field("type_name", &self.type_name)
            .field("encoded_len", &self.encoded.len())
            .field("value", &self.value)
            .finish()
    }
}

/// Every [`Foreign`] value under `value` (itself included) that has no plain counterpart and was not made by
/// `own` (the serializer that would write it back), first found first.
pub(crate) fn unwritable_foreign<'a>(value: &'a Value, own: Option<&str>) -> Option<&'a Foreign> {
    match value {
        Value::Foreign(f) if Some(f.serializer) == own => None,
        Value::Foreign(f) => match &f.value {
            Some(v) => unwritable_foreign(v, own),
            None => Some(f),
        },
        Value::List(items) | Value::Tuple(items) => items.iter().find_map(|v| unwritable_foreign(v, own)),
        Value::Dict(m) => m.values().find_map(|v| unwritable_foreign(v, own)),
        _ => None,
    }
}

impl Value {
    /// The value itself, or a [`Foreign`] value's plain counterpart (a foreign value without one is itself).
    pub fn plain(&self) -> &Self {
        match self {
            Self::Foreign(f) => f.value.as_ref().map_or(self, Self::plain),
            other => other,
        }
    }

    /// The string, if this is a `Str` or `Markup`.
    pub fn as_str(&self) -> Option<&str> {
        match self.plain() {
            Self::Str(s) | Self::Markup(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `Int`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.plain() {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The bool, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.plain() {
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
            Self::Foreign(f) => f.value.as_ref().is_some_and(Self::is_falsy),
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

    /// Converts into any `serde::Deserialize` type, as `serde_json` converts the JSON this value is written as
    /// (`&Value` is itself a `serde::Deserializer`, so nothing is built on the way).
    ///
    /// Tuples become arrays, bytes arrays of numbers, markup strings, UUIDs hyphenated strings, datetimes
    /// HTTP-date strings, big integers floats (non-finite floats `null`); object keys read as numbers or
    /// booleans where the type asks for them, as `serde_json` reads them.
    ///
    /// # Errors
    /// [`SessionError::Value`] when the stored value does not have the requested shape.
    pub fn deserialize_into<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(self)
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
            Value::DateTime(t) => J::String(crate::httpdate::http_date(*t)),
            Value::Dict(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), J::from(v))).collect()),
            Value::Foreign(f) => match &f.value {
                Some(v) => J::from(v),
                None => serde_json::json!({"foreign": f.serializer, "type": f.type_name}),
            },
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

// `&Value` as a serde `Deserializer`: exactly what `serde_json::from_value(serde_json::Value::from(&value))`
// does (the same visitor calls, the same errors and messages), without building the `serde_json::Value`.
// `Json` is the value as that JSON would be; its methods follow serde_json's `Deserializer for Value`.

/// Conversion errors are [`SessionError::Value`], worded as `serde_json` words them (so messages did not change
/// when the conversion stopped going through `serde_json::Value`).
impl serde::de::Error for SessionError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self::Value(msg.to_string())
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        Self::Value(format!("invalid type: {}, expected {exp}", JsonUnexpected(unexp)))
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        Self::Value(format!("invalid value: {}, expected {exp}", JsonUnexpected(unexp)))
    }
}

/// serde_json's wording of an unexpected value: `null` for unit, floats in its own shortest form.
struct JsonUnexpected<'a>(serde::de::Unexpected<'a>);

impl std::fmt::Display for JsonUnexpected<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            serde::de::Unexpected::Unit => f.write_str("null"),
            serde::de::Unexpected::Float(x) if x.is_nan() => f.write_str("floating point `NaN`"),
            serde::de::Unexpected::Float(x) if x.is_infinite() => {
                write!(f, "floating point `{}`", if x > 0.0 { "inf" } else { "-inf" })
            }
            // serde_json writes a finite float as its serializer does.
            serde::de::Unexpected::Float(x) => write!(
                f,
                "floating point `{}`",
                serde_json::to_string(&x).unwrap_or_else(|_| x.to_string())
            ),
            other => other.fmt(f),
        }
    }
}

/// A value seen as the `serde_json::Value` it converts to.
enum Json<'de> {
    Null,
    Bool(bool),
    /// A non-negative integer (serde_json's `PosInt`).
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// A finite float (a non-finite one, or a big integer beyond `f64`, is `Null`).
    F64(f64),
    Str(&'de str),
    /// The hyphenated UUID or HTTP date.
    String(String),
    Seq(Seq<'de>),
    Map(&'de Map),
    /// A foreign value with no plain counterpart: every read of it fails, naming its type.
    Foreign(&'de Foreign),
}

#[derive(Clone, Copy)]
enum Seq<'de> {
    Values(&'de [Value]),
    Bytes(&'de [u8]),
}

impl Seq<'_> {
    fn len(self) -> usize {
        match self {
            Self::Values(v) => v.len(),
            Self::Bytes(b) => b.len(),
        }
    }
}

fn json(v: &Value) -> Json<'_> {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => u64::try_from(*i).map_or(Json::I64(*i), Json::U64),
        Value::BigInt(s) => s
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(Json::Null, Json::F64),
        Value::Float(f) if f.is_finite() => Json::F64(*f),
        Value::Float(_) => Json::Null,
        Value::Str(s) | Value::Markup(s) => Json::Str(s),
        Value::List(a) | Value::Tuple(a) => Json::Seq(Seq::Values(a)),
        Value::Bytes(b) => Json::Seq(Seq::Bytes(b)),
        Value::Uuid(u) => Json::String(Value::uuid_string(u)),
        Value::DateTime(t) => Json::String(crate::httpdate::http_date(*t)),
        Value::Dict(m) => Json::Map(m),
        Value::Foreign(f) => f.value.as_ref().map_or(Json::Foreign(f), json),
    }
}

/// `T` from the text of a JSON scalar that a checked session payload holds, the way [`Value::deserialize_into`]
/// reads the [`Value`] that text builds, without building it: a string without escapes, an integer in `i64`'s
/// range, `true`, `false` or `null`. `None` for any other text (the caller builds the value).
///
/// The text was checked when the payload was decoded (syntax, UTF-8, control characters), so a string's bytes
/// between its quotes are its value.
pub(crate) fn deserialize_scalar_text<T: serde::de::DeserializeOwned>(text: &str) -> Option<Result<T>> {
    let json = match text.as_bytes() {
        // (A short scan: session strings are short, where a vector search costs more than it saves.)
        [b'"', inner @ .., b'"'] if inner.iter().all(|&c| c != b'\\') => Json::Str(text.get(1..text.len() - 1)?),
        b"true" => Json::Bool(true),
        b"false" => Json::Bool(false),
        b"null" => Json::Null,
        [b'-' | b'0'..=b'9', ..] => {
            // What the reader does with an integer's text: `i64` when it fits (else a big integer, built). A
            // checked JSON number parses as `i64` exactly when it is an integer that fits: a fraction or an
            // exponent is refused by the parse and built.
            let i = text.parse::<i64>().ok()?;
            u64::try_from(i).map_or(Json::I64(i), Json::U64)
        }
        _ => return None,
    };
    Some(T::deserialize(json))
}

/// serde_json's name for the newtype `Box<RawValue>` deserializes through.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'de> Json<'de> {
    fn invalid_type<E: serde::de::Error>(&self, exp: &dyn serde::de::Expected) -> E {
        use serde::de::Unexpected as U;
        let unexpected = match self {
            Self::Null => U::Unit,
            Self::Bool(b) => U::Bool(*b),
            Self::U64(u) => U::Unsigned(*u),
            Self::I64(i) => U::Signed(*i),
            Self::F64(f) => U::Float(*f),
            Self::Str(s) => U::Str(s),
            Self::String(s) => U::Str(s),
            Self::Seq(_) => U::Seq,
            Self::Map(_) => U::Map,
            Self::Foreign(f) => return E::custom(f.unrepresentable(&format!("cannot be read as {exp}"))),
        };
        E::invalid_type(unexpected, exp)
    }

    /// The `serde_json::Value` itself (only for `Box<RawValue>`, which needs its text).
    fn to_serde_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Self::Null => J::Null,
            Self::Bool(b) => J::Bool(*b),
            Self::U64(u) => J::from(*u),
            Self::I64(i) => J::from(*i),
            Self::F64(f) => J::from(*f),
            Self::Str(s) => J::from(*s),
            Self::String(s) => J::from(s.as_str()),
            Self::Seq(Seq::Values(a)) => J::Array(a.iter().map(J::from).collect()),
            Self::Seq(Seq::Bytes(b)) => J::Array(b.iter().map(|&x| J::from(x)).collect()),
            Self::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), J::from(v))).collect()),
            Self::Foreign(f) => serde_json::json!({"foreign": f.serializer, "type": f.type_name}),
        }
    }
}

fn visit_seq<'de, V: serde::de::Visitor<'de>>(seq: Seq<'de>, visitor: V) -> Result<V::Value> {
    let len = seq.len();
    let mut access = SeqAccess { seq, next: 0 };
    let out = visitor.visit_seq(&mut access)?;
    if access.next < len {
        return Err(serde::de::Error::invalid_length(len, &"fewer elements in array"));
    }
    Ok(out)
}

fn visit_map<'de, V: serde::de::Visitor<'de>>(map: &'de Map, visitor: V) -> Result<V::Value> {
    let len = map.len();
    let mut access = MapAccess {
        iter: map.iter(),
        value: None,
    };
    let out = visitor.visit_map(&mut access)?;
    if access.iter.len() > 0 {
        return Err(serde::de::Error::invalid_length(len, &"fewer elements in map"));
    }
    Ok(out)
}

macro_rules! numbers {
    ($($method:ident)*) => {$(
        fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self {
                Self::U64(_) | Self::I64(_) | Self::F64(_) => self.deserialize_any(visitor),
                _ => Err(self.invalid_type(&visitor)),
            }
        }
    )*};
}

impl<'de> serde::Deserializer<'de> for Json<'de> {
    type Error = SessionError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Null => visitor.visit_unit(),
            Self::Bool(b) => visitor.visit_bool(b),
            Self::U64(u) => visitor.visit_u64(u),
            Self::I64(i) => visitor.visit_i64(i),
            Self::F64(f) => visitor.visit_f64(f),
            Self::Str(s) => visitor.visit_borrowed_str(s),
            Self::String(s) => visitor.visit_string(s),
            Self::Seq(seq) => visit_seq(seq, visitor),
            Self::Map(m) => visit_map(m, visitor),
            Self::Foreign(_) => Err(self.invalid_type(&visitor)),
        }
    }

    numbers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64);

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let single = || serde::de::Error::invalid_value(serde::de::Unexpected::Map, &"map with a single key");
        match self {
            Self::Map(m) => {
                let mut iter = m.iter();
                let (variant, value) = iter.next().ok_or_else(single)?;
                if iter.next().is_some() {
                    return Err(single());
                }
                visitor.visit_enum(Enum {
                    variant: Variant::Str(variant),
                    value: Some(json(value)),
                })
            }
            Self::Str(s) => visitor.visit_enum(Enum {
                variant: Variant::Str(s),
                value: None,
            }),
            Self::String(s) => visitor.visit_enum(Enum {
                variant: Variant::String(s),
                value: None,
            }),
            other => Err(other.invalid_type(&"string or map")),
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == RAW_VALUE_TOKEN {
            // `Box<RawValue>` keeps the JSON text: let serde_json's own value write it.
            return serde::Deserializer::deserialize_newtype_struct(self.to_serde_json(), name, visitor)
                .map_err(|e| SessionError::Value(e.to_string()));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bool<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_char<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Str(s) => visitor.visit_borrowed_str(s),
            Self::String(s) => visitor.visit_string(s),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_bytes<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Str(s) => visitor.visit_borrowed_str(s),
            Self::String(s) => visitor.visit_string(s),
            Self::Seq(seq) => visit_seq(seq, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: serde::de::Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Seq(seq) => visit_seq(seq, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: serde::de::Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Self::Map(m) => visit_map(m, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self {
            Self::Seq(seq) => visit_seq(seq, visitor),
            Self::Map(m) => visit_map(m, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_identifier<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

macro_rules! forward_to_json {
    ($($method:ident)*) => {$(
        fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            json(self).$method(visitor)
        }
    )*};
}

/// Reads a value as `serde_json::from_value(serde_json::Value::from(value))` would (see
/// [`Value::deserialize_into`]); errors are [`SessionError::Value`].
///
/// ```
/// use serde::Deserialize;
/// use session_core::Value;
/// let v = Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]);
/// assert_eq!(<(u8, String)>::deserialize(&v).unwrap(), (1, "a".to_owned()));
/// ```
impl<'de> serde::Deserializer<'de> for &'de Value {
    type Error = SessionError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        json(self).deserialize_any(visitor)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        json(self).deserialize_option(visitor)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        json(self).deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        json(self).deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_unit_struct<V: serde::de::Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        json(self).deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: serde::de::Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        json(self).deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        json(self).deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        json(self).deserialize_struct(name, fields, visitor)
    }

    forward_to_json! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32
        deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }
}

struct SeqAccess<'de> {
    seq: Seq<'de>,
    next: usize,
}

impl<'de> serde::de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = SessionError;

    fn next_element_seed<T: serde::de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let item = match self.seq {
            Seq::Values(v) => v.get(self.next).map(json),
            Seq::Bytes(b) => b.get(self.next).map(|&x| Json::U64(x.into())),
        };
        let Some(item) = item else { return Ok(None) };
        self.next += 1;
        seed.deserialize(item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.seq.len() - self.next)
    }
}

struct MapAccess<'de> {
    iter: std::collections::btree_map::Iter<'de, String, Value>,
    value: Option<&'de Value>,
}

impl<'de> serde::de::MapAccess<'de> for MapAccess<'de> {
    type Error = SessionError;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(v);
        seed.deserialize(Key(k)).map(Some)
    }

    fn next_value_seed<T: serde::de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value> {
        match self.value.take() {
            Some(v) => seed.deserialize(json(v)),
            None => Err(serde::de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An enum's variant name: borrowed from the value, or the text a UUID or datetime converts to.
enum Variant<'de> {
    Str(&'de str),
    String(String),
}

struct Enum<'de> {
    variant: Variant<'de>,
    value: Option<Json<'de>>,
}

impl<'de> serde::de::EnumAccess<'de> for Enum<'de> {
    type Error = SessionError;
    type Variant = VariantAccess<'de>;

    fn variant_seed<T: serde::de::DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, VariantAccess<'de>)> {
        use serde::de::IntoDeserializer as _;
        let name = match self.variant {
            Variant::Str(s) => seed.deserialize(s.into_deserializer())?,
            Variant::String(s) => seed.deserialize(s.into_deserializer())?,
        };
        Ok((name, VariantAccess { value: self.value }))
    }
}

struct VariantAccess<'de> {
    value: Option<Json<'de>>,
}

impl<'de> serde::de::VariantAccess<'de> for VariantAccess<'de> {
    type Error = SessionError;

    fn unit_variant(self) -> Result<()> {
        match self.value {
            Some(v) => serde::Deserialize::deserialize(v),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: serde::de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        match self.value {
            Some(v) => seed.deserialize(v),
            None => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: serde::de::Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        match self.value {
            Some(Json::Seq(seq)) if seq.len() == 0 => visitor.visit_unit(),
            Some(Json::Seq(seq)) => visit_seq(seq, visitor),
            Some(other) => Err(other.invalid_type(&"tuple variant")),
            None => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: serde::de::Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Some(Json::Map(m)) => visit_map(m, visitor),
            Some(other) => Err(other.invalid_type(&"struct variant")),
            None => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

/// An object key, as serde_json's `MapKeyDeserializer` reads it: a string, or a number or bool in quotes when
/// the type asks for one.
struct Key<'de>(&'de str);

/// serde_json's refusal of a key that is not a number in quotes.
fn not_numeric_key() -> SessionError {
    SessionError::Value("invalid value: expected key to be a number in quotes".into())
}

macro_rules! numeric_keys {
    ($($method:ident)*) => {$(
        fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            // serde_json parses the key with its own number parser; so do we, with the same bounds.
            if !matches!(self.0.as_bytes().first(), Some(b'0'..=b'9' | b'-')) {
                return Err(not_numeric_key());
            }
            let mut de = serde_json::Deserializer::from_str(self.0);
            let value = serde::Deserializer::$method(&mut de, visitor).map_err(|e| SessionError::Value(e.to_string()))?;
            if de.end().is_err() || self.0.ends_with([' ', '\n', '\t', '\r']) {
                return Err(not_numeric_key());
            }
            Ok(value)
        }
    )*};
}

impl<'de> serde::Deserializer<'de> for Key<'de> {
    type Error = SessionError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    numeric_keys!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64);

    fn deserialize_bool<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Str(other),
                &visitor,
            )),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // Map keys cannot be null.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        use serde::de::IntoDeserializer as _;
        let de: serde::de::value::StrDeserializer<'_, SessionError> = self.0.into_deserializer();
        de.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}
