//! Wire formats: which framework's cookie this service reads and writes.
//!
//! [`Format`] is the one setting ([`crate::SessionConfigBuilder::format`]); each format is a module that reads
//! like a short description of its bytes and reuses the shared pieces: the keyring and HMAC
//! ([`crate::signer`]), base64 and zlib ([`crate::payload`]), the tagged JSON ([`crate::json`], Flask's only)
//! and Python's plain `json.dumps` ([`pyjson`]). A format's defaults (cookie name, lifetime, attributes, signer)
//! live with it in [`Defaults`]; when a session is written or deleted is [`Format`]'s business too, read by
//! the one `save` in `lifecycle.rs`.
//!
//! The seam is [`CookieCodec`] over the internal `Wire` enum (one variant per format): an encoder/decoder
//! built once per configuration from the keyring and the signer options. A format that encrypts (AEAD) fits the
//! same shape: its keys are derived here once, the cookie name can be passed at construction as associated
//! data or purpose, and it may carry no timestamp: [`Decoded::timestamp`] is then `None` and the age check is
//! the format's own.

pub(crate) mod django;
pub(crate) mod flask;
pub(crate) mod pyjson;
pub(crate) mod starlette;

use crate::encrypted::profile::{self, EncryptedWire};

use crate::config::SameSite;
use crate::error::{Result, SessionError};
use crate::json::DEFAULT_MAX_VALUES;
use crate::key::{KeyId, Keyring};
use crate::payload::Compression;
use crate::session::SessionData;
use crate::signer::SignerOptions;
use crate::value::{Entries, Map, Value};

/// Default bound on an inflated payload (1 MiB); a real session is at most a few KB.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 1 << 20;

/// The framework whose session cookie this service shares. Flask is the default.
///
/// ```
/// use session_core::{Format, SecretKey, SessionConfig};
/// let config = SessionConfig::builder()
///     .format(Format::Django)
///     .secret_key(SecretKey::parse("a key of at least sixteen bytes").unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(config.cookie_name(), "sessionid");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// Flask's `SecureCookieSessionInterface`: itsdangerous over tagged JSON, zlib when it helps.
    #[default]
    Flask,
    /// Starlette's (and so FastAPI's) `SessionMiddleware`: itsdangerous over standard base64 of `json.dumps`.
    Starlette,
    /// Django's `signed_cookies` session backend: `django.core.signing.dumps(..., compress=True)`.
    Django,
    /// Rails' encrypted cookie store (`ActionDispatch::Session::CookieStore`, Rails 5.2 and later): AES-256-GCM
    /// under a PBKDF2 key from `secret_key_base`, the session in the `_rails` envelope with its purpose and expiry
    /// (see [`crate::wire::encrypted::RailsCodec`]). The digest setting picks the key derivation (sha256: Rails 7).
    Rails,
    /// actix-session's `CookieSessionStore` in the `cookie` crate's private jar (its default): AES-256-GCM under
    /// the second half of a 64-byte `cookie::Key`, the cookie name as associated data.
    ActixPrivate,
    /// actix-session's `CookieSessionStore` in the `cookie` crate's signed jar: HMAC-SHA-256 under the first half
    /// of the key; the session is readable by the client.
    ActixSigned,
}

/// A format's defaults, as the framework ships them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Defaults {
    /// The cookie name (`session`, `session`, `sessionid`).
    pub cookie_name: &'static str,
    /// Max age of a cookie in seconds (also `Max-Age`/`Expires` where the framework sends them).
    pub lifetime: u64,
    /// The `SameSite` attribute.
    pub same_site: Option<SameSite>,
    /// Re-send on every request: Flask's `SESSION_REFRESH_EACH_REQUEST` (permanent sessions only), Django's
    /// `SESSION_SAVE_EVERY_REQUEST` (every non-empty session); Starlette has no such setting.
    pub refresh_each_request: bool,
    /// The signer: digest, key derivation, salt.
    pub signer: SignerOptions,
    /// When to compress.
    pub compression: Compression,
}

impl Format {
    /// Every signed format, in the order reports list them (the encrypted ones are [`Format::ENCRYPTED`]).
    pub const ALL: [Self; 3] = [Self::Flask, Self::Starlette, Self::Django];

    /// The encrypted formats (and actix-session's signed jar, which shares their codec and rules).
    pub const ENCRYPTED: [Self; 3] = [Self::Rails, Self::ActixPrivate, Self::ActixSigned];

    /// Whether this is one of [`Format::ENCRYPTED`]: its codec needs the cookie name, and encoding can fail.
    pub fn is_encrypted(self) -> bool {
        Self::ENCRYPTED.contains(&self)
    }

    /// Parses `flask`, `starlette` (or `fastapi`), `django`, `rails`, `actix-private` (or `actix`) or
    /// `actix-signed`, in any case.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "flask" => Ok(Self::Flask),
            "starlette" | "fastapi" => Ok(Self::Starlette),
            "django" => Ok(Self::Django),
            "rails" => Ok(Self::Rails),
            "actix-private" | "actix" => Ok(Self::ActixPrivate),
            "actix-signed" => Ok(Self::ActixSigned),
            other => Err(SessionError::Config(format!(
                "unknown session format {other:?}; use flask (the default), starlette (FastAPI), django, rails, \
                 actix-private or actix-signed"
            ))),
        }
    }

    /// The lowercase name ([`Format::from_name`] reads it back).
    pub fn name(self) -> &'static str {
        match self {
            Self::Flask => "flask",
            Self::Starlette => "starlette",
            Self::Django => "django",
            Self::Rails => "rails",
            Self::ActixPrivate => "actix-private",
            Self::ActixSigned => "actix-signed",
        }
    }

    /// The framework's own defaults.
    pub fn defaults(self) -> Defaults {
        match self {
            Self::Flask => flask::defaults(),
            Self::Starlette => starlette::defaults(),
            Self::Django => django::defaults(),
            Self::Rails => profile::rails_defaults(),
            Self::ActixPrivate | Self::ActixSigned => profile::actix_defaults(),
        }
    }

    /// The session data as this format's serializer writes it (Flask: tagged JSON; Rails: ActiveSupport's
    /// JSON; actix-session: its state, an object of JSON texts; others: plain JSON).
    pub fn to_json(self, data: &impl Entries) -> String {
        match self {
            Self::Flask => crate::json::map_to_tagged_json(data),
            Self::Starlette => pyjson::dumps_map(data, pyjson::Separators::DEFAULT),
            Self::Django => pyjson::dumps_map(data, pyjson::Separators::COMPACT),
            Self::Rails => crate::encrypted::rails_session_json(data),
            Self::ActixPrivate | Self::ActixSigned => crate::encrypted::map_to_actix_state(data),
        }
    }

    /// Decodes a cookie of this format without verifying it (for inspection only: the result is untrusted).
    ///
    /// Returns the data, the timestamp (when the format carries one) and whether the payload was compressed.
    ///
    /// An actix-session signed cookie shows its state (it is not encrypted); Rails and actix-session's private
    /// cookies cannot be read without the key.
    ///
    /// # Errors
    /// `Malformed` when the shape is wrong, `BadPayload` / `PayloadTooLarge` when the payload does not decode,
    /// `Config` for an encrypted format (decrypting needs the key: verify it instead).
    pub fn decode_unverified(self, cookie: &str, max_decompressed: usize) -> Result<(Value, Option<u64>, bool)> {
        match self {
            Self::Flask => flask::decode_unverified(cookie, max_decompressed).map(|(v, t, c)| (v, Some(t), c)),
            Self::Starlette => starlette::decode_unverified(cookie),
            Self::Django => django::decode_unverified(cookie, max_decompressed),
            Self::ActixSigned => crate::encrypted::signed_state_unverified(cookie)
                .and_then(|state| crate::encrypted::actix_state_to_map(&state))
                .map(|m| (Value::Dict(m), None, false)),
            Self::Rails | Self::ActixPrivate => Err(SessionError::Config(format!(
                "a {self} cookie is encrypted: decoding it needs the key (use verify with the key)"
            ))),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = SessionError;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}

/// A cookie that verified and decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The session data: checked in full, each value built on first access (see [`SessionData`]).
    pub data: SessionData,
    /// The signed timestamp (Unix seconds); `None` for a format that carries none.
    pub timestamp: Option<u64>,
    /// Which key verified it.
    pub key: KeyId,
    /// Whether the payload was zlib-compressed.
    pub compressed: bool,
    /// Opened, but to be written again with the current key: Rails' other key derivation (a fallback key is
    /// already said by [`Decoded::key`]).
    pub rewrite: bool,
}

/// One format's encoder/decoder, built once per configuration (keys derived up front).
///
/// The seam every format plugs into: a new format is one more variant and one more module. An encrypting
/// format keeps its AEAD keys here and gets the cookie name at construction.
#[derive(Debug, Clone)]
pub(crate) enum Wire {
    Flask(flask::Flask),
    Starlette(starlette::Starlette),
    Django(django::Django),
    /// Rails and actix-session ([`crate::wire::encrypted`]).
    Encrypted(Format, EncryptedWire),
    /// An encrypted format whose codec could not be built (bad key length or digest): every use says why.
    Unusable(Format, SessionError),
}

impl Wire {
    pub(crate) fn new(format: Format, keyring: &Keyring, options: SignerOptions, compression: Compression) -> Self {
        match format {
            Format::Flask => Self::Flask(flask::Flask::new(keyring, options, compression)),
            Format::Starlette => Self::Starlette(starlette::Starlette::new(keyring, options)),
            Format::Django => Self::Django(django::Django::new(keyring, options, compression)),
            Format::Rails | Format::ActixPrivate | Format::ActixSigned => {
                Self::encrypted(format, keyring, &options, format.defaults().cookie_name, 0)
                    .unwrap_or_else(|e| Self::Unusable(format, e))
            }
        }
    }

    pub(crate) fn encrypted(
        format: Format,
        keyring: &Keyring,
        options: &SignerOptions,
        cookie_name: &str,
        expire_after: u64,
    ) -> Result<Self> {
        EncryptedWire::new(format, keyring, options, cookie_name, expire_after).map(|w| Self::Encrypted(format, w))
    }

    fn format(&self) -> Format {
        match self {
            Self::Flask(_) => Format::Flask,
            Self::Starlette(_) => Format::Starlette,
            Self::Django(_) => Format::Django,
            Self::Encrypted(f, _) | Self::Unusable(f, _) => *f,
        }
    }

    fn encode(&self, data: &impl Entries, timestamp: u64) -> Result<String> {
        match self {
            Self::Flask(f) => Ok(f.encode(data, timestamp)),
            Self::Starlette(f) => Ok(f.encode_json(&self.format().to_json(data), timestamp)),
            Self::Django(f) => Ok(f.encode_json(&self.format().to_json(data), timestamp)),
            Self::Encrypted(_, w) => w.encode_json(&w.to_json(data), timestamp),
            Self::Unusable(_, e) => Err(e.clone()),
        }
    }

    fn encode_json(&self, json: &str, timestamp: u64) -> Result<String> {
        match self {
            Self::Flask(f) => Ok(f.encode_json(json, timestamp)),
            Self::Starlette(f) => Ok(f.encode_json(json, timestamp)),
            Self::Django(f) => Ok(f.encode_json(json, timestamp)),
            Self::Encrypted(_, w) => w.encode_json(json, timestamp),
            Self::Unusable(_, e) => Err(e.clone()),
        }
    }

    fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        match self {
            Self::Flask(f) => f.decode(cookie, now, max_age, limits),
            Self::Starlette(f) => f.decode(cookie, now, max_age, limits),
            Self::Django(f) => f.decode(cookie, now, max_age, limits),
            // No timestamp inside: Rails checks its sealed `exp`, actix-session has no server-side expiry.
            Self::Encrypted(_, w) => w.decode(cookie, now),
            Self::Unusable(_, e) => Err(e.clone()),
        }
    }
}

/// The bounds on decoding one cookie: inflated bytes and decoded values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) decompressed: usize,
    pub(crate) values: usize,
}

/// Encodes and decodes session cookie values of one [`Format`] with one keyring.
///
/// ```
/// use session_core::{CookieCodec, Format, Keyring, Map, SecretKey, SignerOptions, Value};
/// let ring = Keyring::new(SecretKey::parse("0123456789abcdef").unwrap());
/// let codec = CookieCodec::for_format(Format::Starlette, &ring, Format::Starlette.defaults().signer);
/// let mut data = Map::new();
/// data.insert("user".into(), Value::Str("alice".into()));
/// let cookie = codec.encode(&data, 1_700_000_000);
/// assert!(cookie.starts_with("eyJ1c2VyIjogImFsaWNlIn0=.ZVPxAA."));
/// assert_eq!(codec.decode(&cookie, 1_700_000_000, Some(60)).unwrap().data, data);
/// ```
#[derive(Debug, Clone)]
pub struct CookieCodec {
    wire: Wire,
    max_decompressed: usize,
    max_values: usize,
}

impl CookieCodec {
    /// A Flask codec for a keyring with the given signer options.
    pub fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        Self::for_format(Format::Flask, keyring, options)
    }

    /// A codec of `format` for a keyring with the given signer options (see [`Defaults::signer`]).
    ///
    /// An encrypted format gets its default cookie name and no expiry here: use [`CookieCodec::encrypted`] to
    /// choose them and to have a bad key refused at once (here it is refused on every use).
    pub fn for_format(format: Format, keyring: &Keyring, options: SignerOptions) -> Self {
        let compression = format.defaults().compression;
        Self {
            wire: Wire::new(format, keyring, options, compression),
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
        }
    }

    /// A codec of an encrypted format ([`Format::ENCRYPTED`]) for the cookie `cookie_name` (Rails' purpose, the
    /// private jar's associated data). `expire_after` (seconds, 0 for none) is Rails' sealed `exp`, counted from
    /// the time given to [`CookieCodec::try_encode`]. Rails reads `options.digest` (sha256 or sha1) as its key
    /// derivation; actix-session's keys are 64 bytes.
    ///
    /// # Errors
    /// `InvalidKey` for a `cookie::Key` shorter than 64 bytes, `Config` for a digest Rails does not use or a
    /// format that is not encrypted.
    pub fn encrypted(
        format: Format,
        keyring: &Keyring,
        options: SignerOptions,
        cookie_name: &str,
        expire_after: u64,
    ) -> Result<Self> {
        Ok(Self {
            wire: Wire::encrypted(format, keyring, &options, cookie_name, expire_after)?,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
        })
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.wire.format()
    }

    /// Sets the compression policy (default: the format's rule). Formats that never compress ignore it.
    pub fn with_compression(mut self, compression: Compression) -> Self {
        match &mut self.wire {
            Wire::Flask(f) => f.compression = compression,
            Wire::Django(f) => f.compression = compression,
            Wire::Starlette(_) | Wire::Encrypted(..) | Wire::Unusable(..) => {}
        }
        self
    }

    /// Sets the bound on inflated payloads (default 1 MiB).
    pub fn with_max_decompressed(mut self, limit: usize) -> Self {
        self.max_decompressed = limit;
        self
    }

    /// Sets the bound on how many values one payload may decode into (default
    /// [`DEFAULT_MAX_VALUES`]).
    pub fn with_max_values(mut self, limit: usize) -> Self {
        self.max_values = limit;
        self
    }

    /// The cookie value for `data` (a [`Map`] or a session's [`SessionData`]), signed with the current key at
    /// `timestamp`.
    ///
    /// # Panics
    /// For an encrypted format whose codec could not be built or whose nonce source failed; the request path
    /// and the CLI use [`CookieCodec::try_encode`].
    pub fn encode(&self, data: &impl Entries, timestamp: u64) -> String {
        self.try_encode(data, timestamp)
            .expect("an encrypted format's cookie could not be written")
    }

    /// The cookie value for `data` (encrypted formats: encrypted with the current key, a fresh nonce).
    ///
    /// # Errors
    /// For an encrypted format: the reason its codec could not be built, or a failed nonce source.
    pub fn try_encode(&self, data: &impl Entries, timestamp: u64) -> Result<String> {
        self.wire.encode(data, timestamp)
    }

    /// The cookie value for JSON text already serialized as this format's serializer writes it (Flask: tagged
    /// JSON; Starlette: `json.dumps`; Django: compact `json.dumps`). The text is signed as given.
    ///
    /// # Panics
    /// As [`CookieCodec::encode`]; use [`CookieCodec::try_encode_json`] for an encrypted format.
    pub fn encode_json(&self, json: &str, timestamp: u64) -> String {
        self.try_encode_json(json, timestamp)
            .expect("an encrypted format's cookie could not be written")
    }

    /// [`CookieCodec::encode_json`] that reports an encrypted format's failures (Rails: ActiveSupport's JSON of
    /// the session; actix-session: its state).
    ///
    /// # Errors
    /// As [`CookieCodec::try_encode`].
    pub fn try_encode_json(&self, json: &str, timestamp: u64) -> Result<String> {
        self.wire.encode_json(json, timestamp)
    }

    /// Verifies and decodes a cookie value. `max_age` of `None` skips the age check.
    ///
    /// # Errors
    /// `Malformed`, `BadSignature`, `Expired`, `FromTheFuture`, `BadPayload` or `PayloadTooLarge`.
    pub fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>) -> Result<Decoded> {
        let limits = Limits {
            decompressed: self.max_decompressed,
            values: self.max_values,
        };
        self.wire.decode(cookie, now, max_age, limits)
    }
}

/// A decoded top-level payload as a session: a JSON object, or (Flask only) any falsy value as an empty one.
pub(crate) fn session_map(value: Value, falsy_is_empty: bool) -> Result<Map> {
    match value {
        Value::Dict(m) => Ok(m),
        other if falsy_is_empty && other.is_falsy() => Ok(Map::new()),
        _ => Err(SessionError::BadPayload("the session is not a JSON object".into())),
    }
}

/// Decodes a cookie without verifying it, as Flask's format (for inspection only: the result is untrusted).
///
/// # Errors
/// `Malformed` when the shape is wrong, `BadPayload` / `PayloadTooLarge` when the payload does not decode.
pub fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, u64, bool)> {
    flask::decode_unverified(cookie, max_decompressed)
}

/// The value of the cookie called `name` as Python's `cookie_parser` (Starlette) and `parse_cookie` (Django)
/// read it: each header line as latin-1 text, split on `;`, then on the first `=`, trimmed; the **last** pair of
/// that name wins; a quoted value is unquoted as `http.cookies._unquote` does (backslash escapes, `\ooo` octal).
pub(crate) fn python_cookie<H: AsRef<[u8]>>(headers: impl IntoIterator<Item = H>, name: &str) -> Option<String> {
    let mut found = None;
    for header in headers {
        let bytes = header.as_ref();
        let line: std::borrow::Cow<'_, str> = match std::str::from_utf8(bytes) {
            Ok(s) if s.is_ascii() => std::borrow::Cow::Borrowed(s),
            _ => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        };
        for chunk in line.split(';') {
            let (k, v) = chunk.split_once('=').unwrap_or(("", chunk));
            if k.trim() == name {
                found = Some(unquote(v.trim()).into_owned());
            }
        }
    }
    found
}

fn unquote(v: &str) -> std::borrow::Cow<'_, str> {
    let Some(inner) = v
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| v.len() >= 2)
    else {
        return std::borrow::Cow::Borrowed(v);
    };
    let b = inner.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            // `\ooo`: three octal digits, the first 0-3 (one byte), as `_OctalPatt` matches.
            let octal = b
                .get(i + 1..i + 4)
                .filter(|d| matches!(d[0], b'0'..=b'3') && d.iter().all(|c| matches!(c, b'0'..=b'7')));
            if let Some(d) = octal {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            } else {
                out.push(b[i + 1]);
                i += 2;
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_cookie_parsing() {
        let h = ["a=1; session=first; x; session = \"q\\\"u\\101\" ", "session=third"];
        assert_eq!(python_cookie(h, "session").as_deref(), Some("third"));
        assert_eq!(python_cookie([h[0]], "session").as_deref(), Some("q\"uA"));
        assert_eq!(python_cookie(["session=\""], "session").as_deref(), Some("\""));
        assert_eq!(python_cookie(["sessionid=1"], "session"), None);
    }
}
