//! The session: a map with Flask's `modified` tracking, whose values are built from the cookie's JSON on first
//! access.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::data::SessionData;
use crate::error::Result;
use crate::key::KeyId;
use crate::value::Value;

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
    /// Cookies the request carried for this session that a write does not replace (a migrated format's cookie
    /// under another name): deleted by any response that writes or deletes the session.
    pub(crate) also_delete: Vec<String>,
    /// Whether the request carried this format's main cookie (a session in chunks may not).
    pub(crate) main_present: bool,
}

impl Session {
    /// A session holding `data` as loaded (not modified): a [`crate::Map`], or the [`SessionData`] of a decoded cookie.
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
        self.data.get_as(key).transpose()
    }

    /// The raw value under `key` (keeps tuples, bytes, markup, UUIDs and datetimes distinct).
    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }

    /// Stores any serde value under `key`, by value or by reference (`insert("n", 42)`, `insert("n", &name)`);
    /// always marks the session modified.
    ///
    /// # Errors
    /// [`crate::SessionError::Value`] when serde cannot represent the value.
    pub fn insert<T: Serialize>(&mut self, key: impl Into<String>, value: T) -> Result<()> {
        let v = Value::from_serialize(&value)?;
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
    /// [`crate::Map`].
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

/// A request's session as the model's helpers (CSRF tokens) use it: the request time and the session. The
/// lifecycle's [`crate::SessionHandle`] is one.
pub trait RequestSession {
    /// The request time (Unix seconds).
    fn now(&self) -> u64;
    /// Runs `f` on the session (loading it on first use).
    fn with_session<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R;
}
