//! The session: a map with Flask's `modified` tracking.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::key::KeyId;
use crate::value::{Map, Value};

/// The key Flask stores `session.permanent` under.
pub const PERMANENT_KEY: &str = "_permanent";

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
    data: Map,
    modified: bool,
    renew: bool,
    pub(crate) verified_by: Option<KeyId>,
    pub(crate) timestamp: Option<u64>,
}

impl Session {
    /// A session holding `data` as loaded (not modified).
    pub fn from_map(data: Map) -> Self {
        Self {
            data,
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
        self.insert_value(key, v);
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
        self.data.keys().map(String::as_str)
    }

    /// Key/value pairs, in code-point order of the keys.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.data.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The whole map.
    pub fn data(&self) -> &Map {
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
        self.data.extend(entries);
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
    pub fn issued_at(&self) -> Option<u64> {
        self.timestamp
    }
}
