//! The one error type of the core.

use thiserror::Error;

/// Everything that can go wrong in the core: reading a cookie, building a key or a config, saving a session.
///
/// Messages say what was wrong and what to do; none contains key material or the cookie value.
/// A signature failure says only that it failed, never which byte or which key.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The cookie is not shaped like `payload.timestamp.signature`, or a piece is not valid base64.
    #[error("malformed session cookie: {0}; the client sent something that is not a session cookie")]
    Malformed(&'static str),

    /// No configured key produced this signature: tampered, or signed with a key we no longer have.
    #[error(
        "session cookie signature does not match any configured key; it was tampered with or signed with an unknown key"
    )]
    BadSignature,

    /// The signature is valid but the cookie is older than the configured lifetime.
    #[error("session cookie expired: it is {age} s old and the limit is {max_age} s (PERMANENT_SESSION_LIFETIME)")]
    Expired {
        /// Age of the cookie in seconds at the time of the check.
        age: u64,
        /// The configured maximum age in seconds.
        max_age: u64,
    },

    /// The signature is valid but the timestamp lies in the future (clock skew or forgery).
    #[error("session cookie timestamp is {ahead} s in the future; check the clocks of the servers sharing this key")]
    FromTheFuture {
        /// How many seconds ahead of `now` the timestamp is.
        ahead: u64,
    },

    /// The cookie is authentic but the expiry sealed inside it (Rails' `exp`) has passed.
    #[error("session cookie expired at Unix time {at} (the expiry sealed inside it); the session was discarded")]
    ExpiredAt {
        /// The sealed expiry, Unix seconds (rounded down).
        at: i64,
    },

    /// The cookie is authentic but was made for another purpose (Rails' `pur`: another cookie's name).
    #[error(
        "session cookie was made for the purpose {found:?}, not {expected:?} (another cookie name or use); refused"
    )]
    WrongPurpose {
        /// The purpose this cookie must carry (`cookie.<name>`).
        expected: String,
        /// The purpose sealed in the cookie (authenticated: written by a holder of the key).
        found: String,
    },

    /// The signature is valid but the payload cannot be decoded (bad base64, zlib, JSON, tag or shape).
    #[error("session cookie payload is invalid: {0}; the session was discarded")]
    BadPayload(String),

    /// The payload inflates beyond the configured decompression limit.
    #[error(
        "session cookie payload inflates beyond {limit} bytes; refused (raise max_decompressed_size if this is legitimate)"
    )]
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },

    /// The rendered `Set-Cookie` value is larger than browsers accept; nothing was sent.
    #[error(
        "the '{name}' cookie would be {size} bytes but the limit is {limit} bytes, so browsers would silently drop it; \
         nothing was sent. Largest keys: {largest}. Store less in the session (e.g. an id) or raise max_cookie_size"
    )]
    CookieTooLarge {
        /// The cookie name.
        name: String,
        /// Size of the whole `Set-Cookie` value in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
        /// The top-level keys taking the most room, with their encoded sizes, largest first.
        largest: String,
    },

    /// A value could not be converted to or from the session's data model.
    #[error("session value conversion failed: {0}")]
    Value(String),

    /// A secret key was rejected.
    #[error("invalid secret key: {0}")]
    InvalidKey(String),

    /// The configuration is invalid; the message says how to fix it.
    #[error("invalid session configuration: {0}")]
    Config(String),

    /// No secret key was configured (Flask's wording).
    #[error(
        "The session is unavailable because no secret key was set.  Set the secret_key on the application to something unique and secret."
    )]
    NoSecretKey,
}

/// What kind of error a [`SessionError`] is, for code to match on (and a stable name, [`ErrorKind::as_str`],
/// that the vectors and the CLI use).
///
/// ```
/// use session_core::{ErrorKind, SessionError};
/// let e = SessionError::BadSignature;
/// assert_eq!(e.kind(), ErrorKind::BadSignature);
/// assert_eq!(e.kind().as_str(), "bad_signature");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`SessionError::Malformed`]: not shaped like a session cookie.
    Malformed,
    /// [`SessionError::BadSignature`]: tampered, or signed with an unknown key.
    BadSignature,
    /// [`SessionError::Expired`], [`SessionError::FromTheFuture`] or [`SessionError::ExpiredAt`]: outside the
    /// lifetime.
    Expired,
    /// [`SessionError::BadPayload`] or [`SessionError::PayloadTooLarge`]: validly signed but undecodable or
    /// hostile.
    BadPayload,
    /// [`SessionError::CookieTooLarge`]: the session does not fit in a cookie.
    TooLarge,
    /// [`SessionError::WrongPurpose`]: an authentic cookie made for another cookie name (Rails' purpose).
    WrongPurpose,
    /// [`SessionError::Value`]: a value has another shape than asked for.
    Value,
    /// [`SessionError::InvalidKey`]: a secret key was rejected.
    Key,
    /// [`SessionError::Config`] or [`SessionError::NoSecretKey`]: the configuration is invalid.
    Config,
}

impl ErrorKind {
    /// The stable name: `malformed`, `bad_signature`, `expired`, `bad_payload`, `too_large`, `wrong_purpose`,
    /// `value`, `key`, `config`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::BadPayload => "bad_payload",
            Self::TooLarge => "too_large",
            Self::WrongPurpose => "wrong_purpose",
            Self::Value => "value",
            Self::Key => "key",
            Self::Config => "config",
        }
    }

    /// Whether this kind describes an incoming cookie that was refused (the session then starts empty).
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            Self::Malformed | Self::BadSignature | Self::Expired | Self::BadPayload | Self::WrongPurpose
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl SessionError {
    /// The kind of error, for code to match on; `kind().as_str()` is the stable name vectors and the CLI use.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Malformed(_) => ErrorKind::Malformed,
            Self::BadSignature => ErrorKind::BadSignature,
            Self::Expired { .. } | Self::FromTheFuture { .. } | Self::ExpiredAt { .. } => ErrorKind::Expired,
            Self::WrongPurpose { .. } => ErrorKind::WrongPurpose,
            Self::BadPayload(_) | Self::PayloadTooLarge { .. } => ErrorKind::BadPayload,
            Self::CookieTooLarge { .. } => ErrorKind::TooLarge,
            Self::Value(_) => ErrorKind::Value,
            Self::InvalidKey(_) => ErrorKind::Key,
            Self::Config(_) | Self::NoSecretKey => ErrorKind::Config,
        }
    }
}

/// Shorthand for results of the core.
pub type Result<T, E = SessionError> = std::result::Result<T, E>;
