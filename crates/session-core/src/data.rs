//! A session's entries as a decoded cookie holds them: the JSON text in one buffer, each top-level value built
//! on first access. The bytes layer: formats return it, the session model wraps it.

use std::sync::OnceLock;

use crate::error::Result;
use crate::json_read::{self as json, Indexed};
use crate::value::{Map, Value};

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
    /// Keeps [`super::Entries`] to the crate's own types (their keys are sorted and unique), and hands them to
    /// the format seam as one type.
    pub trait Sealed {
        /// The entries behind one type.
        fn as_entries_ref(&self) -> crate::data::EntriesRef<'_>;
    }
}

impl sealed::Sealed for Map {
    fn as_entries_ref(&self) -> EntriesRef<'_> {
        EntriesRef::Map(self)
    }
}

impl Entries for Map {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// A session's entries: keys in code-point order (as in a [`Map`]) with their values. A session decoded from a
/// cookie keeps the cookie's JSON text (one buffer) and where each top-level value lies in it, and
/// builds a value the first time it is read: a handler that reads one key of a large session does not pay for
/// the others.
///
/// Every check a full parse makes (JSON syntax, UTF-8, tags, nesting, the value budget, the top-level shape)
/// has been made when the cookie was decoded, so a refused payload is refused then, never on access; building
/// a value later only repeats work that succeeded.
///
/// Equality compares the values (built or not), never how they are stored.
///
/// ```
/// use session_core::{Map, SessionData, Value};
/// let mut map = Map::new();
/// map.insert("user_id".into(), Value::Int(42));
/// let data = SessionData::from(map.clone());
/// assert_eq!(data.get("user_id"), Some(&Value::Int(42)));
/// assert_eq!(data, map);
/// assert_eq!(data.to_map(), map);
/// ```
#[derive(Clone, Default)]
pub struct SessionData {
    /// The entries in code-point order of their keys, each key once: a sorted list, searched by halves (a
    /// session has a few keys, usually written in order: no tree nodes to allocate, walk and free).
    slots: Vec<(Key, Slot)>,
    /// The decoded JSON text the unbuilt slots point into; `None` when every value was given built.
    source: Option<Source>,
}

/// The JSON text of a decoded cookie and how to read it. Owned, not shared: one allocation fewer per request,
/// and a clone of a session (rare) copies a few KB at most.
#[derive(Clone)]
struct Source {
    /// UTF-8 as a whole once [`json::index`] accepted it (outside strings JSON is ASCII, and every string was
    /// checked), so keys and values are sliced from it without another check.
    text: String,
    /// Flask's tagged JSON (`true`) or plain JSON.
    tags: bool,
    max_values: usize,
}

/// A key: where it lies in the [`Source`] (a decoded key without escapes is its own text: no copy), or owned.
#[derive(Clone)]
enum Key {
    Text { start: usize, end: usize },
    Owned(String),
}

impl Key {
    /// The key's bytes (UTF-8): what the sorted list compares (byte order is code-point order).
    fn bytes<'a>(&'a self, source: Option<&'a Source>) -> &'a [u8] {
        match self {
            Self::Owned(k) => k.as_bytes(),
            Self::Text { .. } => self.as_str(source).as_bytes(),
        }
    }

    fn as_str<'a>(&'a self, source: Option<&'a Source>) -> &'a str {
        match self {
            Self::Owned(k) => k,
            Self::Text { start, end } => source.and_then(|s| s.text.get(*start..*end)).unwrap_or_default(),
        }
    }

    fn into_string(self, source: Option<&Source>) -> String {
        match self {
            Self::Owned(k) => k,
            Self::Text { .. } => self.as_str(source).to_owned(),
        }
    }
}

/// One value: built, or the byte range of its text in the [`Source`], built on first access.
#[derive(Clone)]
struct Slot {
    start: usize,
    end: usize,
    value: OnceLock<Value>,
}

impl Slot {
    fn built(value: Value) -> Self {
        Self {
            start: 0,
            end: 0,
            value: OnceLock::from(value),
        }
    }

    fn get(&self, source: Option<&Source>) -> &Value {
        self.value.get_or_init(|| {
            let built =
                source.map(|s| json::build_value(s.text.as_bytes(), self.start, self.end, s.tags, s.max_values));
            match built {
                Some(Ok(v)) => v,
                // Unreachable: decoding checked this text with the same parser and limits. Never a panic in
                // release builds: the value reads as null.
                Some(Err(e)) => {
                    debug_assert!(false, "a checked session value did not build: {e}");
                    Value::Null
                }
                None => {
                    debug_assert!(false, "an unbuilt session value without its text");
                    Value::Null
                }
            }
        })
    }

    fn into_value(self, source: Option<&Source>) -> Value {
        if self.value.get().is_none() {
            self.get(source);
        }
        self.value.into_inner().unwrap_or(Value::Null)
    }
}

impl SessionData {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// The session a decoded payload holds: `json` is its whole JSON text, tagged (Flask) or plain. A JSON
    /// object is checked in full and its values are built on access; any other top-level value is built at
    /// once and, when `falsy_is_empty` (Flask), a falsy one is an empty session.
    ///
    /// # Errors
    /// [`crate::SessionError::BadPayload`] exactly where parsing the whole text and taking it as a session
    /// would fail.
    pub(crate) fn decode(json: Vec<u8>, tags: bool, falsy_is_empty: bool, max_values: usize) -> Result<Self> {
        let mut slots: Vec<(Key, Slot)> = Vec::new();
        let mut entry = |key: json::TopKey<'_>, start: usize, end: usize| {
            let key = match key {
                json::TopKey::At(start, end) => Key::Text { start, end },
                json::TopKey::Decoded(key) => Key::Owned(key.to_owned()),
            };
            let slot = Slot {
                start,
                end,
                value: OnceLock::new(),
            };
            slots.push((key, slot));
        };
        match json::index(&json, tags, max_values, &mut entry)? {
            Indexed::Other(value) => session_map(value, falsy_is_empty).map(Self::from),
            Indexed::Object => {
                let text = String::from_utf8(json).map_err(|_| {
                    // Unreachable: the index pass accepted this text.
                    crate::error::SessionError::BadPayload("payload is not valid UTF-8".into())
                })?;
                let source = Source { text, tags, max_values };
                Ok(Self {
                    slots: sorted(slots, &source),
                    source: Some(source),
                })
            }
        }
    }

    /// The value under `key` (built now if it was not yet).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| self.slots[i].1.get(self.source.as_ref()))
    }

    /// The value under `key` read as `T` ([`Value::deserialize_into`]). A string, integer, boolean or null not
    /// read yet is read from its text without building its [`Value`] (and stays unbuilt).
    pub(crate) fn get_as<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<Result<T>> {
        let (_, slot) = &self.slots[self.find(key).ok()?];
        if slot.value.get().is_none() {
            let text = self.source.as_ref().and_then(|s| s.text.get(slot.start..slot.end));
            if let Some(read) = text.and_then(crate::value::deserialize_scalar_text) {
                return Some(read);
            }
        }
        Some(slot.get(self.source.as_ref()).deserialize_into())
    }

    /// Whether `key` is present (builds nothing).
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The keys, in code-point order (builds nothing).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let source = self.source.as_ref();
        self.slots.iter().map(move |(k, _)| k.as_str(source))
    }

    /// Key/value pairs, in code-point order of the keys (building each value not read yet).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let source = self.source.as_ref();
        self.slots.iter().map(move |(k, s)| (k.as_str(source), s.get(source)))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// A copy of every entry as a [`Map`] (building every value).
    pub fn to_map(&self) -> Map {
        self.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect()
    }

    /// Every entry as a [`Map`] (building the values not read yet, moving the others).
    pub fn into_map(self) -> Map {
        self.into_iter().collect()
    }

    /// Stores `value` under `key`; returns the old value (built, if it was not).
    pub(crate) fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.find(&key) {
            Ok(i) => {
                let old = std::mem::replace(&mut self.slots[i].1, Slot::built(value));
                Some(old.into_value(self.source.as_ref()))
            }
            Err(i) => {
                self.slots.insert(i, (Key::Owned(key), Slot::built(value)));
                None
            }
        }
    }

    /// Stores `value` under `key`, dropping any old value unbuilt.
    pub(crate) fn set(&mut self, key: String, value: Value) {
        match self.find(&key) {
            Ok(i) => self.slots[i].1 = Slot::built(value),
            Err(i) => self.slots.insert(i, (Key::Owned(key), Slot::built(value))),
        }
    }

    /// Where `key` is (`Ok`) or would go (`Err`) in the sorted list.
    fn find(&self, key: &str) -> std::result::Result<usize, usize> {
        let source = self.source.as_ref();
        self.slots
            .binary_search_by(|(k, _)| k.bytes(source).cmp(key.as_bytes()))
    }

    /// Removes `key`; returns its value (built, if it was not).
    pub(crate) fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.find(key).ok()?;
        let (_, old) = self.slots.remove(i);
        Some(old.into_value(self.source.as_ref()))
    }

    /// Removes everything (and lets the JSON text go).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.source = None;
    }
}

impl From<Map> for SessionData {
    fn from(map: Map) -> Self {
        Self {
            slots: map.into_iter().map(|(k, v)| (Key::Owned(k), Slot::built(v))).collect(),
            source: None,
        }
    }
}

impl FromIterator<(String, Value)> for SessionData {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Map>())
    }
}

impl IntoIterator for SessionData {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    /// The entries in code-point order of their keys, every value built.
    fn into_iter(self) -> Self::IntoIter {
        let source = self.source;
        self.slots
            .into_iter()
            .map(|(k, s)| (k.into_string(source.as_ref()), s.into_value(source.as_ref())))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

impl<'a> IntoIterator for &'a SessionData {
    type Item = (&'a str, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a Value)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl PartialEq for SessionData {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl PartialEq<Map> for SessionData {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, (k, v))| a == (k.as_str(), v))
    }
}

impl PartialEq<SessionData> for Map {
    fn eq(&self, other: &SessionData) -> bool {
        other == self
    }
}

impl std::fmt::Debug for SessionData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for SessionData {
    type Output = Value;

    /// The value under `key`.
    ///
    /// # Panics
    /// When `key` is missing (as a `Map` does); use [`SessionData::get`] otherwise.
    fn index(&self, key: &str) -> &Value {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no session key {key:?}"),
        }
    }
}

impl sealed::Sealed for SessionData {
    fn as_entries_ref(&self) -> EntriesRef<'_> {
        EntriesRef::Data(self)
    }
}

impl Entries for SessionData {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.iter()
    }
}

/// Either kind of [`Entries`] behind one type, for the format seam (whose methods cannot be generic).
#[derive(Debug, Clone, Copy)]
pub enum EntriesRef<'a> {
    /// A plain map.
    Map(&'a Map),
    /// A session's data.
    Data(&'a SessionData),
}

impl sealed::Sealed for EntriesRef<'_> {
    fn as_entries_ref(&self) -> EntriesRef<'_> {
        *self
    }
}

impl Entries for EntriesRef<'_> {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        match *self {
            Self::Map(m) => EntriesIter::Map(m.iter()),
            Self::Data(d) => EntriesIter::Data(d.slots.iter(), d.source.as_ref()),
        }
    }
}

impl<'a> EntriesRef<'a> {
    /// The values already built (a session's values still unread are JSON text, which holds no
    /// [`crate::Foreign`] value), building none.
    pub(crate) fn built_values(self) -> impl Iterator<Item = &'a Value> {
        let (map, data) = match self {
            Self::Map(m) => (Some(m.values()), None),
            Self::Data(d) => (None, Some(d.slots.iter().filter_map(|(_, s)| s.value.get()))),
        };
        map.into_iter().flatten().chain(data.into_iter().flatten())
    }
}

/// The entries of an [`EntriesRef`]: one `match` a step, the writers' inner loop.
enum EntriesIter<'a> {
    Map(std::collections::btree_map::Iter<'a, String, Value>),
    Data(std::slice::Iter<'a, (Key, Slot)>, Option<&'a Source>),
}

impl<'a> Iterator for EntriesIter<'a> {
    type Item = (&'a str, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Map(it) => it.next().map(|(k, v)| (k.as_str(), v)),
            Self::Data(it, source) => it.next().map(|(k, s)| (k.as_str(*source), s.get(*source))),
        }
    }
}

impl<'a> From<&'a Map> for EntriesRef<'a> {
    fn from(m: &'a Map) -> Self {
        Self::Map(m)
    }
}

impl<'a> From<&'a SessionData> for EntriesRef<'a> {
    fn from(d: &'a SessionData) -> Self {
        Self::Data(d)
    }
}

/// Entries in document order as the sorted list of [`SessionData`]: sorted by key (stably), and of duplicate
/// keys the last one kept, as in Python (and the full parse). Input already in order (Flask sorts its keys)
/// is returned as it is.
fn sorted(mut slots: Vec<(Key, Slot)>, source: &Source) -> Vec<(Key, Slot)> {
    if slots
        .windows(2)
        .all(|w| w[0].0.bytes(Some(source)) < w[1].0.bytes(Some(source)))
    {
        return slots;
    }
    slots.sort_by(|a, b| a.0.bytes(Some(source)).cmp(b.0.bytes(Some(source))));
    // `dedup_by` keeps the first of a run and is handed (later, kept): swapping keeps the last one's value.
    slots.dedup_by(|later, kept| {
        if later.0.bytes(Some(source)) == kept.0.bytes(Some(source)) {
            std::mem::swap(later, kept);
            true
        } else {
            false
        }
    });
    slots
}

/// A decoded top-level payload as a session: a JSON object, or (Flask only) any falsy value as an empty one.
fn session_map(value: Value, falsy_is_empty: bool) -> Result<Map> {
    match value {
        Value::Dict(m) => Ok(m),
        other if falsy_is_empty && other.is_falsy() => Ok(Map::new()),
        _ => Err(crate::error::SessionError::BadPayload(
            "the session is not a JSON object".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_any_order_are_kept_sorted_and_the_last_duplicate_wins() {
        let json = br#"{"zeta":1,"b":2,"alpha":3,"b":4,"zeta":5,"\u00e9":6,"b":7}"#.to_vec();
        let mut d = SessionData::decode(json, false, false, 1_000).unwrap();
        assert_eq!(d.keys().collect::<Vec<_>>(), ["alpha", "b", "zeta", "é"]);
        assert_eq!(d.get("b"), Some(&Value::Int(7)));
        assert_eq!(d.get("zeta"), Some(&Value::Int(5)));
        assert_eq!(d.insert("c".into(), Value::Int(8)), None);
        assert_eq!(d.insert("alpha".into(), Value::Int(9)), Some(Value::Int(3)));
        assert_eq!(d.remove("b"), Some(Value::Int(7)));
        assert_eq!(d.remove("b"), None);
        d.set("a".into(), Value::Null);
        assert_eq!(d.keys().collect::<Vec<_>>(), ["a", "alpha", "c", "zeta", "é"]);
        assert!(d.contains_key("é") && !d.contains_key("b"));
    }

    /// `get_as` reads a scalar from its text, without building it; every answer must be the one the built
    /// value gives, for every type a handler asks for, including the refusals.
    #[test]
    fn reading_a_scalar_from_its_text_is_reading_the_built_value() {
        // Each text, and whether it is read without building its value.
        let values = [
            (r#""alice""#, true),
            (r#""""#, true),
            (r#""caf\u00e9""#, false),
            (r#""tab\there""#, false),
            (r#""é ü 😀""#, true),
            (r#""42""#, true),
            (r#""true""#, true),
            ("0", true),
            ("-0", true),
            ("7", true),
            ("-7", true),
            ("255", true),
            ("256", true),
            ("-129", true),
            ("4294967296", true),
            ("9223372036854775807", true),
            ("-9223372036854775808", true),
            ("9223372036854775808", false),
            ("18446744073709551616", false),
            ("1.5", false),
            ("-0.0", false),
            ("1e3", false),
            ("true", true),
            ("false", true),
            ("null", true),
            ("[1]", false),
            (r#"{"a":1}"#, false),
            (r#"{" t":[1,2]}"#, false),
            (r#"{" b":"eWVz"}"#, false),
        ];
        fn check<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
            fast: &SessionData,
            built: &SessionData,
            text: &str,
        ) {
            let read = fast.get_as::<T>("k").expect("the key is there");
            let expected = built.get("k").expect("the key is there").deserialize_into::<T>();
            match (read, expected) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text} as {}", std::any::type_name::<T>()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!(
                    "{text} as {}: {a:?} but the built value gives {b:?}",
                    std::any::type_name::<T>()
                ),
            }
        }
        for tags in [true, false] {
            for (text, plain) in values {
                let json = format!(r#"{{"k": {text} , "z":0}}"#).into_bytes();
                let fast = SessionData::decode(json.clone(), tags, false, 1_000).unwrap();
                let built = SessionData::decode(json, tags, false, 1_000).unwrap();
                check::<String>(&fast, &built, text);
                check::<Option<String>>(&fast, &built, text);
                check::<u64>(&fast, &built, text);
                check::<i64>(&fast, &built, text);
                check::<u8>(&fast, &built, text);
                check::<i8>(&fast, &built, text);
                check::<f64>(&fast, &built, text);
                check::<bool>(&fast, &built, text);
                check::<Option<bool>>(&fast, &built, text);
                check::<()>(&fast, &built, text);
                check::<serde_json::Value>(&fast, &built, text);
                check::<Vec<u8>>(&fast, &built, text);
                // The plain scalars are read from their text and left unbuilt; a later read builds the same value.
                assert_eq!(fast.slots[0].1.value.get().is_none(), plain, "{text}");
                assert_eq!(fast.get("k"), built.get("k"), "{text}");
                check::<serde_json::Value>(&fast, &built, text);
            }
        }
    }
}
