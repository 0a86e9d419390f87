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

impl SessionError {
    /// A short stable name for the kind of error: `malformed`, `bad_signature`, `expired`, `bad_payload`,
    /// `too_large`, `value`, `key`, `config`. Vectors and the CLI use these names.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::BadSignature => "bad_signature",
            Self::Expired { .. } | Self::FromTheFuture { .. } => "expired",
            Self::BadPayload(_) | Self::PayloadTooLarge { .. } => "bad_payload",
            Self::CookieTooLarge { .. } => "too_large",
            Self::Value(_) => "value",
            Self::InvalidKey(_) => "key",
            Self::Config(_) | Self::NoSecretKey => "config",
        }
    }
}

/// Shorthand for results of the core.
pub type Result<T, E = SessionError> = std::result::Result<T, E>;
