#![doc = include_str!("../README.md")]
//!
//! ## Where to start
//!
//! - [`SessionConfig`] (built with [`SessionConfig::builder`]): the secret keys, the cookie's name and
//!   attributes, the lifetime; [`SessionConfig::load`] reads a request's cookies into a [`Session`] and
//!   [`SessionConfig::save`] gives the `Set-Cookie` of the response.
//! - [`Format`]: whose cookie the service shares (Flask by default; Starlette, Django, Rails, actix-session).
//!   Every default follows it ([`Defaults`]).
//! - The adapters, which move the headers and hand handlers a [`SessionHandle`]: `session-axum`,
//!   `session-actix` and `session-hyper`. [`flash`], [`pop_flashes`] and [`Csrf`] are Flask's flashed messages
//!   and Flask-WTF's CSRF tokens on top of a session.
//! - [`SecretKey`] and [`Keyring`]: keys and their rotation (a cookie signed by a fallback key is read, then
//!   written again with the current one).
//! - [`CookieCodec`]: one cookie value encoded and decoded, without the request/response rules.
//! - [`wire`]: the pieces of each format (tagged JSON, payload, signer, the encrypted codecs) for tools that
//!   build or take apart cookie bytes by hand.
//!
//! Errors are [`SessionError`], grouped by [`ErrorKind`]. The core never reads the clock: every function takes
//! `now` in Unix seconds. A refused cookie (bad signature, expired, malformed, unreadable payload) gives an
//! empty session, [`LoadStatus::Refused`] from [`SessionHandle::status`], and an `info` line through
//! `tracing`; [`SessionConfig::warnings`] lists what [`SessionConfigBuilder::build`] found suspicious (a key
//! in a form the framework cannot be using, what a migration changes), also logged at `warn`.

mod config;
mod cookies;
mod csrf;
mod data;
mod deflate;
mod encrypted;
mod error;
mod flash;
mod format;
mod gob;
mod httpdate;
mod json;
mod json_read;
mod key;
mod lifecycle;
mod payload;
mod php;
mod session;
mod set_cookie;
mod signer;
mod value;
pub mod wire;

pub use config::{
    DEFAULT_LIFETIME_SECS, DEFAULT_MAX_COOKIE_SIZE, OversizePolicy, SameSite, SessionConfig, SessionConfigBuilder,
};
pub use cookies::find_cookie;
pub use csrf::{CSRF_FIELD_NAME, CSRF_HEADERS, CSRF_METHODS, CSRF_SALT, Csrf, CsrfError, DEFAULT_CSRF_TIME_LIMIT};
pub use data::Entries;
pub use error::{ErrorKind, Result, SessionError};
pub use flash::{DEFAULT_CATEGORY, FLASHES_KEY, Flash, flash, pop_flashes};
pub use format::{
    Claimed, CookieCodec, DEFAULT_MAX_DECOMPRESSED, Decoded, Defaults, Format, SessionText, decode_unverified,
};
pub use key::{KeyId, Keyring, MIN_KEY_LEN, SecretKey};
pub use lifecycle::{
    ErrorResponse, INTERNAL_SERVER_ERROR, LoadStatus, Loaded, ResponseCookie, SessionChange, SessionHandle,
    vary_covers_cookie,
};
pub use payload::Compression;
pub use session::{LOGIN_AT_KEY, PERMANENT_KEY, RequestSession, Session, SessionData};
pub use signer::{Digest, KeyDerivation, SignerOptions};
pub use value::{Foreign, Map, Value};

/// A clock giving the current time in Unix seconds, for adapters to read once per request. The core itself
/// never reads the time (every function takes `now`); this is the one type all adapters' `with_clock` take,
/// so tests and the conformance harness pin the time the same way everywhere.
pub type Clock = std::sync::Arc<dyn Fn() -> u64 + Send + Sync>;
