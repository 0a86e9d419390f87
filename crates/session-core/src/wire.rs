//! The wire-level pieces of each format, for building and inspecting cookie bytes by hand.
//!
//! A web service does not need this module: [`SessionConfig`](crate::SessionConfig) (or an adapter) reads and
//! writes whole cookies, and [`CookieCodec`](crate::CookieCodec) encodes and decodes one cookie value. The
//! pieces here are what those are made of, public for tools that take a cookie apart or put one together step
//! by step: the `session` CLI, the conformance harness, benchmarks, fuzzers and tests that compare our bytes
//! with a framework's.
//!
//! | module | what it is |
//! |---|---|
//! | [`json`] | Flask's tagged JSON, and plain JSON as Python's `json.loads` reads it |
//! | [`pyjson`] | Python's plain `json.dumps` (Starlette, Django), and an order-keeping rewrite of JSON text |
//! | [`payload`] | the payload part of an itsdangerous cookie: URL-safe base64, optionally zlib-compressed |
//! | [`signer`] | itsdangerous' `TimestampSigner`: `payload.timestamp.signature` with HMAC over a derived key |
//! | [`gob`] | Go's `encoding/gob` of a gorilla/sessions session |
//! | [`encrypted`] | Rails' encrypted cookie store and the `cookie` crate's private and signed jars (actix-session) |
//! | [`cookie_header`] | a cookie's value in `Cookie` header values, as each framework's parser finds it |
//!
//! A Flask cookie is all three of the first steps in a row:
//!
//! ```
//! use session_core::wire::{json, payload, signer};
//! use session_core::{Compression, Keyring, Map, SecretKey, SignerOptions, Value};
//!
//! let mut data = Map::new();
//! data.insert("username".into(), Value::Str("alice".into()));
//! let text = json::map_to_tagged_json(&data);
//! assert_eq!(text, r#"{"username":"alice"}"#);
//!
//! let ring = Keyring::new(SecretKey::parse("A0Zr98j/3yX R~XHH!jmN]LWX/,?RT").unwrap());
//! let signer = signer::TimestampSigner::new(&ring, SignerOptions::default());
//! let cookie = signer.sign(&payload::encode_payload(text.as_bytes(), Compression::Flask), 1_700_000_000);
//! assert!(cookie.starts_with("eyJ1c2VybmFtZSI6ImFsaWNlIn0.ZVPxAA."));
//!
//! // And back: verify, decode the payload, parse the JSON.
//! let verified = signer.unsign(&cookie, 1_700_000_060, None).unwrap();
//! let bytes = payload::decode_payload(verified.payload, 1 << 20).unwrap();
//! assert_eq!(json::from_tagged_json(&bytes).unwrap(), Value::from(data));
//! ```
//!
//! Stability: this module follows semver like the rest of the crate. What is not re-exported here is private.

/// Flask's tagged JSON (`flask/json/tag.py`), written byte for byte as Flask writes it, and plain JSON as
/// Python's `json.loads` reads it (the formats that store plain JSON: Starlette, Django).
///
/// Parsing is bounded: nesting beyond [`MAX_DEPTH`](json::MAX_DEPTH) and more values than
/// [`DEFAULT_MAX_VALUES`](json::DEFAULT_MAX_VALUES) are refused as a hostile payload.
///
/// ```
/// use session_core::Value;
/// use session_core::wire::json::{from_tagged_json, to_tagged_json};
///
/// // Flask tags what JSON has no form for: a tuple is `{" t": [...]}`.
/// let value = from_tagged_json(br#"{" t":[1,"a"]}"#).unwrap();
/// assert_eq!(value, Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]));
/// assert_eq!(to_tagged_json(&value), r#"{" t":[1,"a"]}"#);
/// ```
pub mod json {
    pub use crate::json::{
        DEFAULT_MAX_VALUES, MAX_DEPTH, from_plain_json, from_plain_json_with_limit, from_tagged_json,
        from_tagged_json_with_limit, map_to_tagged_json, to_tagged_json,
    };
}

/// Python's plain `json.dumps` with a choice of [`Separators`](pyjson::Separators), as Starlette and Django
/// write their payloads, and an order-keeping rewrite of any JSON text into that form.
///
/// ```
/// use session_core::wire::pyjson::{Separators, rewrite};
///
/// // Key order is kept; non-ASCII is escaped as Python's `ensure_ascii` does.
/// let text = rewrite(r#"{"b": 1, "a": "é"}"#, Separators::COMPACT).unwrap();
/// assert_eq!(text, r#"{"b":1,"a":"\u00e9"}"#);
/// ```
pub mod pyjson {
    pub use crate::format::pyjson::{Separators, dumps, dumps_map, rewrite};
}

/// The payload part of an itsdangerous cookie: URL-safe base64 of the JSON, or `.` followed by the base64 of
/// its zlib stream when that is shorter (Flask's rule, [`Compression::Flask`](crate::Compression::Flask)).
///
/// ```
/// use session_core::Compression;
/// use session_core::wire::payload::{decode_payload, encode_payload};
///
/// let json = br#"{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
/// let compressed = encode_payload(json, Compression::Flask);
/// assert!(compressed.starts_with('.'));
/// // Decoding inflates at most the given number of bytes.
/// assert_eq!(decode_payload(&compressed, 1 << 20).unwrap(), json);
/// assert!(decode_payload(&compressed, 10).is_err());
/// ```
pub mod payload {
    pub use crate::payload::{Compression, decode_payload, encode_payload};
}

/// Go's `encoding/gob` as gorilla/sessions stores a session (a `map[interface{}]interface{}` with string keys):
/// read into the session model, Go's types the model has none for kept as [`Foreign`](crate::Foreign) values
/// and written back as they came. Bounded: nesting, values, type definitions and every length.
///
/// ```
/// use session_core::wire::gob::{decode_session, encode_session};
/// use session_core::{Map, Value};
///
/// let mut data = Map::new();
/// data.insert("user".into(), Value::Str("alice".into()));
/// let bytes = encode_session(&data).unwrap();
/// // What Go 1.19 writes for map[interface{}]interface{}{"user": "alice"}.
/// assert_eq!(bytes.len(), 51);
/// assert_eq!(decode_session(&bytes, 1000).unwrap(), data);
/// ```
pub mod gob {
    pub use crate::gob::{MAX_DEPTH, MAX_TYPES, SERIALIZER, decode_session, encode_session};
}

/// itsdangerous' `TimestampSigner`: `value.timestamp.signature`, with HMAC over a key derived from each key of
/// a [`Keyring`](crate::Keyring) (the current key signs; every key verifies).
///
/// ```
/// use session_core::wire::signer::TimestampSigner;
/// use session_core::{Keyring, SecretKey, SignerOptions};
///
/// let ring = Keyring::new(SecretKey::parse("A0Zr98j/3yX R~XHH!jmN]LWX/,?RT").unwrap());
/// let signer = TimestampSigner::new(&ring, SignerOptions::default());
/// let signed = signer.sign("payload", 1_700_000_000);
/// let verified = signer.unsign(&signed, 1_700_000_100, Some(3600)).unwrap();
/// assert_eq!((verified.payload, verified.timestamp), ("payload", 1_700_000_000));
/// // Older than `max_age`: refused.
/// assert!(signer.unsign(&signed, 1_700_010_000, Some(3600)).is_err());
/// ```
pub mod signer {
    pub use crate::signer::{
        Digest, FLASK_SALT, KeyDerivation, MAX_TIMESTAMP, SignerOptions, TimestampSigner, Verified, encode_timestamp,
    };
}

/// Rails' encrypted cookie store ([`RailsCodec`](encrypted::RailsCodec)) and the `cookie` crate's private and
/// signed jars as actix-session's `CookieSessionStore` writes them ([`CookieJarCodec`](encrypted::CookieJarCodec)):
/// a cookie value in, the session out, and back. Both share one AES-256-GCM wrapper and one source of nonces
/// ([`NonceSource`](encrypted::NonceSource)). The repository's `docs/encryption.md` describes the bytes.
///
/// ```
/// use session_core::wire::encrypted::{CookieJarCodec, JarMode};
/// use session_core::{Keyring, Map, SecretKey, Value};
///
/// let ring = Keyring::new(SecretKey::new(vec![7u8; 64]).unwrap());
/// let jar = CookieJarCodec::new(&ring, JarMode::Private, "id").unwrap();
/// let mut data = Map::new();
/// data.insert("user_id".into(), Value::Int(42));
/// let cookie = jar.encode(&data).unwrap();
/// assert_eq!(jar.decode(&cookie).unwrap().data, data);
/// ```
pub mod encrypted {
    pub use crate::encrypted::*;
}

/// PHP's `serialize()` and a bounded `unserialize()` (Laravel's session attributes); objects are kept as their
/// exact text in a [`Foreign`](crate::Foreign) value, never instantiated.
///
/// ```
/// use session_core::wire::php::{decode, write};
///
/// let value = decode(br#"a:2:{s:4:"user";s:5:"alice";s:1:"n";d:0.5;}"#, 100).unwrap();
/// let mut out = Vec::new();
/// write(&value, &mut out).unwrap();
/// assert_eq!(out, br#"a:2:{s:1:"n";d:0.5;s:4:"user";s:5:"alice";}"#);
/// ```
pub mod php {
    pub use crate::php::{MAX_DEPTH, SERIALIZER, decode, float_text, write, write_key, write_map};
}

/// A cookie's value in a request's `Cookie` header values, as each framework's parser finds it
/// ([`CookieRules`](cookie_header::CookieRules)): Werkzeug's (Flask; also [`find_cookie`](crate::find_cookie)),
/// Python's `cookie_parser` (Starlette, Django), npm `cookies` (Express) and Go's `net/http` (gorilla/sessions).
/// Header values are bytes, read as latin-1 text.
///
/// ```
/// use session_core::wire::cookie_header::{CookieRules, find_with};
///
/// let lines = ["session=a; session=b"];
/// assert_eq!(find_with(CookieRules::Werkzeug, lines, "session").as_deref(), Some("a"));
/// assert_eq!(find_with(CookieRules::Python, lines, "session").as_deref(), Some("b"));
/// ```
pub mod cookie_header {
    pub use crate::cookies::{CookieRules, find_with};
}
