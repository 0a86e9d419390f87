#![doc = include_str!("../README.md")]

mod config;
mod cookies;
mod csrf;
mod deflate;
pub mod encrypted;
mod error;
mod flash;
pub mod format;
pub mod json;
mod key;
mod lifecycle;
pub mod payload;
mod session;
pub mod signer;
mod value;

pub use config::{
    DEFAULT_LIFETIME_SECS, DEFAULT_MAX_COOKIE_SIZE, OversizePolicy, SameSite, SessionConfig, SessionConfigBuilder,
};
pub use cookies::find_cookie;
pub use csrf::{CSRF_FIELD_NAME, CSRF_HEADERS, CSRF_METHODS, CSRF_SALT, Csrf, CsrfError, DEFAULT_CSRF_TIME_LIMIT};
pub use error::{ErrorKind, Result, SessionError};
pub use flash::{DEFAULT_CATEGORY, FLASHES_KEY, Flash, flash, pop_flashes};
pub use format::{CookieCodec, DEFAULT_MAX_DECOMPRESSED, Decoded, Defaults, Format, decode_unverified};
pub use key::{KeyId, Keyring, MIN_KEY_LEN, SecretKey};
pub use lifecycle::{
    ErrorResponse, INTERNAL_SERVER_ERROR, LoadStatus, Loaded, ResponseCookie, SessionChange, SessionHandle,
    vary_covers_cookie,
};
pub use payload::Compression;
pub use session::{LOGIN_AT_KEY, PERMANENT_KEY, Session};
pub use signer::{Digest, KeyDerivation, SignerOptions};
pub use value::{Map, Value};

/// A clock giving the current time in Unix seconds, for adapters to read once per request. The core itself
/// never reads the time (every function takes `now`); this is the one type all adapters' `with_clock` take,
/// so tests and the conformance harness pin the time the same way everywhere.
pub type Clock = std::sync::Arc<dyn Fn() -> u64 + Send + Sync>;
