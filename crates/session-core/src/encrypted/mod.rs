//! Encrypted and signed cookie values written by other frameworks: Rails' encrypted cookie store
//! ([`RailsCodec`]) and the `cookie` crate's private and signed jars as actix-session's `CookieSessionStore` writes
//! them ([`CookieJarCodec`]).
//!
//! These are codecs only: a cookie value (as it appears in the `Cookie` header) in, the session out, and back.
//! Both share one AES-256-GCM wrapper and one source of nonces ([`NonceSource`]).
//!
//! ```
//! use session_core::wire::encrypted::{RailsCodec, RailsDigest};
//! use session_core::{Keyring, Map, SecretKey, Value};
//!
//! let ring = Keyring::new(SecretKey::parse("a-rails-secret-key-base-of-some-length").unwrap());
//! let rails = RailsCodec::new(&ring, "_app_session", RailsDigest::Sha256);
//! let mut data = Map::new();
//! data.insert("user_id".into(), Value::Int(42));
//! let cookie = rails.encode(&data, None).unwrap();
//! let opened = rails.decode(&cookie, 1_700_000_000).unwrap();
//! assert_eq!(opened.data, data);
//! ```

mod aead;
mod cookie_jar;
mod rails;

pub use cookie_jar::{
    ACTIX_DEFAULT_COOKIE_NAME, ACTIX_MAX_STATE_LEN, CookieJarCodec, JAR_KEY_LEN, JarDecoded, JarMode,
    actix_state_to_map, map_to_actix_state, signed_state_unverified,
};
pub use rails::{
    RAILS_DEFAULT_COOKIE_NAME, RAILS_ITERATIONS, RAILS_SALT, RailsCodec, RailsDecoded, RailsDigest, RailsEnvelope,
    rails_session_json,
};

pub(crate) use aead::os_random;
#[cfg(test)]
pub(crate) use aead::test_nonces;
pub use aead::{NONCE_LEN, NonceSource, OsRandom, TAG_LEN};
