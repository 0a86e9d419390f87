//! The session: a map with Flask's `modified` tracking, whose values are built from the cookie's JSON on first
//! access.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::json::{self, Indexed};
use crate::key::KeyId;
use crate::value::{Entries, Map, Value};

/// The key Flask stores `session.permanent` under.
pub const PERMANENT_KEY: &str = "_permanent";

/// The key [`Session::mark_login`] stores the login time under: Unix seconds as an integer. A Flask app in
/// the same fleet writes it with `session["_login_at"] = int(time.time())`.
pub const LOGIN_AT_KEY: &str = "_login_at";

/// A session's data and its change tracking, as Flask's `SecureCookieSession`.
///
/// Insert, clear and update always mark it modified; remove only when the key was there. Values can only
/// be changed through these methods, so nested changes are always seen.
///
/// ```
/// use session_core::Session;
/// let mut s = Session::default();
/// s.insert("username", "alice").unwrap();
/// assert_eq!(s.get::<String>("username").unwrap().as_deref(), Some("alice"));
/// assert!(s.is_modified());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    data: SessionData,
    modified: bool,
    renew: bool,
    pub(crate) verified_by: Option<KeyId>,
    pub(crate) timestamp: Option<u64>,
    /// Whether the request carried a cookie of the configured name (valid or not); Django's deletion rule.
    pub(crate) cookie_present: bool,
    /// The cookie opened but must be written again with the current key: Rails' other key derivation, or a
    /// cookie read through a migration from another format.
    pub(crate) rewrite: bool,
}

impl Session {
    /// A session holding `data` as loaded (not modified): a [`Map`], or the [`SessionData`] of a decoded cookie.
    pub fn from_map(data: impl Into<SessionData>) -> Self {
        Self {
            data: data.into(),
            ..Self::default()
        }
    }

    /// The value under `key`, converted with serde; `Ok(None)` when missing.
    ///
    /// # Errors
    /// [`crate::SessionError::Value`] when the stored value has another shape than `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.data.get(key).map(Value::deserialize_into).transpose()
    }

    /// The raw value under `key` (keeps tuples, bytes, markup, UUIDs and datetimes distinct).
    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }

    /// Stores any serde value under `key`; always marks the session modified.
    ///
    /// # Errors
    /// [`crate::SessionError::Value`] when serde cannot represent the value.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: impl Into<String>, value: &T) -> Result<()> {
        let v = Value::from_serialize(value)?;
        self.modified = true;
        // The old value is not returned, so a value never read is not built.
        self.data.set(key.into(), v);
        Ok(())
    }

    /// Stores a raw value under `key`; always marks the session modified.
    pub fn insert_value(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.modified = true;
        self.data.insert(key.into(), value.into())
    }

    /// Removes `key`; marks the session modified only when the key was there (Flask's `pop`).
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let old = self.data.remove(key);
        if old.is_some() {
            self.modified = true;
        }
        old
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.data.contains_key(key)
    }

    /// The keys, in code-point order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.data.keys()
    }

    /// Key/value pairs, in code-point order of the keys (building each value not read yet).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.data.iter()
    }

    /// The whole session data (read-only): what the codecs encode; [`SessionData::to_map`] copies it into a
    /// [`Map`].
    pub fn data(&self) -> &SessionData {
        &self.data
    }

    /// Number of keys (including `_permanent` when set).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the session holds nothing.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Removes everything; always marks the session modified (an emptied session deletes its cookie).
    pub fn clear(&mut self) {
        self.modified = true;
        self.data.clear();
    }

    /// Inserts or replaces several entries; always marks the session modified (Flask's `update`).
    pub fn update(&mut self, entries: impl IntoIterator<Item = (String, Value)>) {
        self.modified = true;
        for (k, v) in entries {
            self.data.set(k, v);
        }
    }

    /// Clears the session so the response deletes the cookie (logout). Same as [`Session::clear`].
    pub fn purge(&mut self) {
        self.clear();
    }

    /// Whether the session is permanent (`_permanent` is truthy): such cookies get `Expires` = now + lifetime.
    pub fn permanent(&self) -> bool {
        self.data.get(PERMANENT_KEY).is_some_and(|v| !v.is_falsy())
    }

    /// Sets `_permanent`, as Flask's `session.permanent = value` (marks the session modified).
    pub fn set_permanent(&mut self, permanent: bool) {
        self.insert_value(PERMANENT_KEY, Value::Bool(permanent));
    }

    /// Asks for the cookie to be signed again with a fresh timestamp even if nothing changed.
    pub fn renew(&mut self) {
        self.renew = true;
    }

    /// Whether the data changed in a way Flask tracks.
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// Whether [`Session::renew`] was called.
    pub fn is_renewed(&self) -> bool {
        self.renew
    }

    /// Which key verified the incoming cookie (`None` for a new or refused session).
    pub fn verified_by(&self) -> Option<KeyId> {
        self.verified_by
    }

    /// The timestamp of the incoming cookie (`None` for a new or refused session).
    ///
    /// This is when the cookie was last *signed*, not when the user logged in: every refresh of a permanent
    /// session and every re-sign moves it to that request's time, so a stolen cookie sent once to any route
    /// comes back with a fresh `issued_at`. Do not compare it with a revocation time; use
    /// [`Session::mark_login`] and [`Session::logged_in_since`].
    pub fn issued_at(&self) -> Option<u64> {
        self.timestamp
    }

    /// Records a login at `now` (Unix seconds) in the session data, under [`LOGIN_AT_KEY`] (marks the session
    /// modified). The data is signed, and refreshes and re-signs copy it unchanged, so it stays the login time
    /// for as long as this session lives: the time to compare with a server-side "logged out everywhere at"
    /// or "password changed at" record ([`Session::logged_in_since`]).
    ///
    /// ```
    /// use session_core::Session;
    /// let mut s = Session::default();
    /// s.insert("user_id", &42).unwrap();
    /// s.mark_login(1_700_000_000);
    /// // Later, with the user's "sessions valid after" time from the database:
    /// assert!(s.logged_in_since(1_600_000_000));
    /// assert!(!s.logged_in_since(1_700_000_001)); // revoked: treat as logged out (and clear the session)
    /// ```
    pub fn mark_login(&mut self, now: u64) {
        self.insert_value(LOGIN_AT_KEY, Value::Int(i64::try_from(now).unwrap_or(i64::MAX)));
    }

    /// The login time recorded by [`Session::mark_login`]; `None` when there is none (or it is not a
    /// non-negative integer).
    pub fn login_at(&self) -> Option<u64> {
        self.data
            .get(LOGIN_AT_KEY)?
            .as_i64()
            .and_then(|t| u64::try_from(t).ok())
    }

    /// Whether [`Session::mark_login`] recorded a login at or after `valid_after` (Unix seconds). `false` when
    /// no login time is recorded, so a session from before this check existed counts as revoked.
    pub fn logged_in_since(&self, valid_after: u64) -> bool {
        self.login_at().is_some_and(|t| t >= valid_after)
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
    slots: BTreeMap<String, Slot>,
    /// The decoded JSON text the unbuilt slots point into; `None` when every value was given built.
    source: Option<Source>,
}

/// The JSON text of a decoded cookie and how to read it. Owned, not shared: one allocation fewer per request,
/// and a clone of a session (rare) copies a few KB at most.
#[derive(Clone)]
struct Source {
    text: Vec<u8>,
    /// Flask's tagged JSON (`true`) or plain JSON.
    tags: bool,
    max_values: usize,
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
            let built = source.map(|s| json::build_value(&s.text, self.start, self.end, s.tags, s.max_values));
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
        let mut slots = BTreeMap::new();
        let mut entry = |key: String, start: usize, end: usize| {
            // Duplicate keys: the last value wins, as in Python (and the full parse).
            slots.insert(
                key,
                Slot {
                    start,
                    end,
                    value: OnceLock::new(),
                },
            );
        };
        match json::index(&json, tags, max_values, &mut entry)? {
            Indexed::Other(value) => crate::format::session_map(value, falsy_is_empty).map(Self::from),
            Indexed::Object => Ok(Self {
                slots,
                source: Some(Source {
                    text: json,
                    tags,
                    max_values,
                }),
            }),
        }
    }

    /// The value under `key` (built now if it was not yet).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.slots.get(key).map(|s| s.get(self.source.as_ref()))
    }

    /// Whether `key` is present (builds nothing).
    pub fn contains_key(&self, key: &str) -> bool {
        self.slots.contains_key(key)
    }

    /// The keys, in code-point order (builds nothing).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.slots.keys().map(String::as_str)
    }

    /// Key/value pairs, in code-point order of the keys (building each value not read yet).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let source = self.source.as_ref();
        self.slots.iter().map(move |(k, s)| (k.as_str(), s.get(source)))
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
        let old = self.slots.insert(key, Slot::built(value))?;
        Some(old.into_value(self.source.as_ref()))
    }

    /// Stores `value` under `key`, dropping any old value unbuilt.
    pub(crate) fn set(&mut self, key: String, value: Value) {
        self.slots.insert(key, Slot::built(value));
    }

    /// Removes `key`; returns its value (built, if it was not).
    pub(crate) fn remove(&mut self, key: &str) -> Option<Value> {
        let old = self.slots.remove(key)?;
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
            slots: map.into_iter().map(|(k, v)| (k, Slot::built(v))).collect(),
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
            .map(|(k, s)| (k, s.into_value(source.as_ref())))
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

impl crate::value::sealed::Sealed for SessionData {}

impl Entries for SessionData {
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.iter()
    }
}
