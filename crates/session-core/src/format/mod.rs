//! Wire formats: which framework's cookie this service reads and writes.
//!
//! [`Format`] is the one setting ([`crate::SessionConfigBuilder::format`]). Each format is one module that
//! reads like a short description of its bytes, reuses the shared pieces (the keyring and HMAC in `signer`,
//! base64 and zlib in `payload`, the tagged JSON in `json`, Python's `json.dumps` in [`pyjson`], the AEAD
//! codecs in `encrypted`), and describes itself to the seam ([`seam`]): its names, defaults, rules for when a
//! response writes or deletes its cookies, and a codec built once per configuration.
//!
//! The registry below lists every format once; everything that enumerates formats ([`Format::ALL`],
//! [`Format::from_name`], the CLI's `--format`, the conformance harness, the examples' `SESSION_FORMAT`) reads
//! it. A new format is one module and one line here.

pub(crate) mod actix;
pub(crate) mod authjs;
pub(crate) mod django;
pub(crate) mod express;
pub(crate) mod flask;
pub(crate) mod gorilla;
pub(crate) mod iron;
pub(crate) mod laravel;
pub(crate) mod pyjson;
pub(crate) mod rails;
pub(crate) mod seam;
pub(crate) mod starlette;

use std::sync::Arc;

use crate::data::Entries;
use crate::error::{Result, SessionError};
use crate::json::DEFAULT_MAX_VALUES;
use crate::key::Keyring;
use crate::payload::Compression;
use crate::signer::SignerOptions;
use crate::value::Value;
pub use seam::{Claimed, Decoded, Defaults, SessionText};
use seam::{Codec, Limits, Spec};

/// [`Codec::seal`], refusing a session that holds a [`crate::Foreign`] value the format cannot write (one
/// without a plain counterpart, made by another serializer) instead of dropping it.
///
/// # Errors
/// [`SessionError::Value`] naming the value's serializer and type; else as [`Codec::seal`].
pub(crate) fn seal<'c>(
    codec: &'c dyn Codec,
    data: crate::data::EntriesRef<'_>,
    now: u64,
    expires: Option<u64>,
) -> Result<seam::Sealed<'c>> {
    let own = codec.foreign();
    if let Some(f) = data
        .built_values()
        .find_map(|v| crate::value::unwritable_foreign(v, own))
    {
        return Err(f.unrepresentable(&format!(
            "the {} cookie cannot hold; the session was not saved",
            codec.name()
        )));
    }
    codec.seal(data, now, expires)
}

/// Default bound on an inflated payload (1 MiB); a real session is at most a few KB.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 1 << 20;

/// The registry: one line a format (its variant, documented, and its [`Spec`]).
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $spec:path,)*) => {
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
            $($(#[$doc])* $variant,)*
        }

        impl Format {
            /// Every format, in the order reports list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            pub(crate) fn spec(self) -> &'static Spec {
                match self {
                    $(Self::$variant => &$spec,)*
                }
            }
        }
    };
}

registry! {
    /// Flask's `SecureCookieSessionInterface`: itsdangerous over tagged JSON, zlib when it helps.
    #[default]
    Flask => flask::SPEC,
    /// Starlette's (and so FastAPI's) `SessionMiddleware`: itsdangerous over standard base64 of `json.dumps`.
    Starlette => starlette::SPEC,
    /// Django's `signed_cookies` session backend: `django.core.signing.dumps(..., compress=True)`.
    Django => django::SPEC,
    /// Rails' encrypted cookie store (`ActionDispatch::Session::CookieStore`, Rails 5.2 and later): AES-256-GCM
    /// under a PBKDF2 key from `secret_key_base`, the session in the `_rails` envelope with its purpose and expiry
    /// (see [`crate::wire::encrypted::RailsCodec`]). The digest setting picks the key derivation (sha256: Rails 7).
    Rails => rails::SPEC,
    /// actix-session's `CookieSessionStore` in the `cookie` crate's private jar (its default): AES-256-GCM under
    /// the second half of a 64-byte `cookie::Key`, the cookie name as associated data.
    ActixPrivate => actix::PRIVATE,
    /// actix-session's `CookieSessionStore` in the `cookie` crate's signed jar: HMAC-SHA-256 under the first half
    /// of the key; the session is readable by the client.
    ActixSigned => actix::SIGNED,
    /// Express' `cookie-session` (npm `cookie-session` 2.1 over `cookies` and `keygrip`): the session as base64
    /// of `JSON.stringify` in one cookie, its HMAC-SHA1 in a `.sig` companion cookie.
    Express => express::SPEC,
    /// iron-session 8 and 9 (Next.js and Node): an iron `Fe26.2` seal (AES-256-CBC, HMAC-SHA256, PBKDF2 keys)
    /// of `JSON.stringify(session)` with its expiry, under numbered passwords.
    IronSession => iron::SPEC,
    /// Auth.js' session token (`@auth/core`, next-auth v5): a JWE (`dir`, A256CBC-HS512) under an HKDF key bound
    /// to the cookie name, chunked over 3,936 characters.
    AuthJs => authjs::AUTHJS,
    /// next-auth v4's session token: a JWE (`dir`, A256GCM) under its own HKDF key, chunked over 3,933.
    NextAuthV4 => authjs::NEXT_AUTH_V4,
    /// gorilla/sessions' `CookieStore` (Go): securecookie's HMAC-SHA256 over the cookie name, date and Go's gob
    /// of the session, optionally AES-CTR under a block key; the cookie is named by the Go app's session name.
    Gorilla => gorilla::SPEC,
    /// Laravel's `cookie` session driver through `EncryptCookies` (AES-256-CBC, Laravel's default cipher): an id
    /// cookie and a payload cookie named by the id holding PHP's `serialize()` of the session and its expiry.
    Laravel => laravel::CBC,
    /// The same with `'cipher' => 'AES-256-GCM'`.
    LaravelGcm => laravel::GCM,
}

impl Format {
    /// Whether reading this format's cookies needs the key (its value is encrypted); [`Format::decode_unverified`]
    /// refuses these.
    pub fn is_encrypted(self) -> bool {
        self.spec().encrypted
    }

    /// How this format signs or seals its cookies when the framework fixes it (gorilla/sessions: securecookie's
    /// HMAC-SHA256 of the cookie name, date and value), in words for reports; `None` for Flask, Starlette and
    /// Django, signed the itsdangerous way under the [`SignerOptions`] (salt, digest, key derivation) given.
    ///
    /// ```
    /// use session_core::Format;
    /// assert_eq!(Format::Flask.fixed_signature(), None);
    /// assert!(Format::Gorilla.fixed_signature().unwrap().contains("HMAC-SHA256"));
    /// ```
    pub fn fixed_signature(self) -> Option<&'static str> {
        self.spec().signature
    }

    /// Parses a format's name ([`Format::name`]) or one of its other names (`fastapi`, `actix`), in any case.
    ///
    /// # Errors
    /// [`SessionError::Config`] for any other name; the message lists the names.
    pub fn from_name(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.spec().name == lower || f.spec().aliases.contains(&lower.as_str()))
            .ok_or_else(|| {
                SessionError::Config(format!(
                    "unknown session format {name:?}; use one of: {} (flask is the default)",
                    Self::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                ))
            })
    }

    /// The lowercase name ([`Format::from_name`] reads it back).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Other names [`Format::from_name`] accepts.
    pub fn aliases(self) -> &'static [&'static str] {
        self.spec().aliases
    }

    /// The framework (and the versions checked) whose cookies these are.
    pub fn framework(self) -> &'static str {
        self.spec().framework
    }

    /// Whether sessions of this format are Flask's tagged JSON (Flask only; the others are plain JSON).
    pub fn is_tagged(self) -> bool {
        self.spec().tagged
    }

    /// Whether this format's cookies carry the time they were signed (Flask, Starlette, Django): then a max age
    /// applies to them. The others seal their own expiry (Rails) or trust a cookie as long as it is sent.
    pub fn carries_timestamp(self) -> bool {
        self.spec().timestamped
    }

    /// How this format's serializer writes a session.
    pub fn session_text(self) -> SessionText {
        self.spec().text
    }

    /// The framework's own defaults.
    pub fn defaults(self) -> Defaults {
        (self.spec().defaults)()
    }

    /// Decodes a cookie value of this format without verifying it (for inspection only: the result is
    /// untrusted). Returns the data, the timestamp (when the format carries one) and whether the payload was
    /// compressed. An actix-session signed cookie shows its state as the session it holds; encrypted formats
    /// cannot be read without the key.
    ///
    /// # Errors
    /// `Malformed` when the shape is wrong, `BadPayload` / `PayloadTooLarge` when the payload does not decode,
    /// `Config` for an encrypted format (decrypting needs the key: verify it instead).
    pub fn decode_unverified(self, cookie: &str, max_decompressed: usize) -> Result<(Value, Option<u64>, bool)> {
        (self.spec().peek)(cookie, max_decompressed)
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

/// A codec whose configuration could not be built (a bad key length or digest): every use says why.
#[derive(Debug, Clone)]
struct Unusable(SessionError, &'static str);

impl Codec for Unusable {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        self.1
    }

    fn open_main(&self, _: &str, _: u64, _: Option<u64>, _: Limits) -> Result<Decoded> {
        Err(self.0.clone())
    }
    fn serialize(&self, _: crate::data::EntriesRef<'_>) -> Vec<u8> {
        Vec::new()
    }
    fn seal_serialized(&self, _: &[u8], _: u64, _: Option<u64>) -> Result<seam::Sealed<'_>> {
        Err(self.0.clone())
    }
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
    codec: Arc<dyn Codec>,
    format: Format,
    /// The lifetime the single-value encoders seal (Rails' `exp`), 0 for none.
    expire_after: u64,
    max_decompressed: usize,
    max_values: usize,
}

impl CookieCodec {
    /// A Flask codec for a keyring with the given signer options.
    pub fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        Self::for_format(Format::Flask, keyring, options)
    }

    /// A codec of `format` for a keyring with the given signer options (see [`Defaults::signer`]), with the
    /// format's default cookie name.
    ///
    /// An encrypted format gets no expiry here: use [`CookieCodec::encrypted`] to choose the cookie name and
    /// expiry and to have a bad key refused at once (here it is refused on every use).
    pub fn for_format(format: Format, keyring: &Keyring, options: SignerOptions) -> Self {
        let name = format.defaults().cookie_name;
        Self::build(format, keyring, &options, name, 0).unwrap_or_else(|e| Self {
            codec: Arc::new(Unusable(e, name)),
            format,
            expire_after: 0,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
        })
    }

    /// A codec of `format` for the cookie `cookie_name` (Rails' purpose, the private jar's associated data, the
    /// name a `.sig` companion is made from). `expire_after` (seconds, 0 for none) is the expiry sealed inside
    /// by formats that carry one (Rails' `exp`), counted from the time given to [`CookieCodec::try_encode`].
    /// Rails reads `options.digest` (sha256 or sha1) as its key derivation; actix-session's keys are 64 bytes.
    ///
    /// # Errors
    /// `InvalidKey` for a `cookie::Key` shorter than 64 bytes, `Config` for a digest Rails does not use.
    pub fn encrypted(
        format: Format,
        keyring: &Keyring,
        options: SignerOptions,
        cookie_name: &str,
        expire_after: u64,
    ) -> Result<Self> {
        Self::build(format, keyring, &options, cookie_name, expire_after)
    }

    pub(crate) fn build(
        format: Format,
        keyring: &Keyring,
        options: &SignerOptions,
        cookie_name: &str,
        expire_after: u64,
    ) -> Result<Self> {
        let settings = seam::Settings {
            keyring,
            signer: options,
            compression: format.defaults().compression,
            cookie_name,
            key_ids: None,
            max_chunks: 1,
            attributes: None,
            encryption_keys: &[],
        };
        Self::from_settings(format, &settings, expire_after)
    }

    /// A codec of `format` from all its settings (those only some formats read included).
    pub(crate) fn from_settings(format: Format, settings: &seam::Settings<'_>, expire_after: u64) -> Result<Self> {
        Ok(Self {
            codec: Arc::from((format.spec().build)(settings)?),
            format,
            expire_after,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
        })
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The names of the cookies a session of this codec spans, main cookie first (a `.sig` companion after it).
    pub fn cookie_names(&self) -> Vec<String> {
        self.codec.names().into_iter().map(str::to_owned).collect()
    }

    pub(crate) fn codec(&self) -> &dyn Codec {
        &*self.codec
    }

    pub(crate) fn limits(&self) -> Limits {
        Limits {
            decompressed: self.max_decompressed,
            values: self.max_values,
        }
    }

    /// Sets the compression policy (default: the format's rule). Formats that never compress ignore it.
    pub fn with_compression(mut self, compression: Compression) -> Self {
        if Arc::get_mut(&mut self.codec).is_none() {
            // Shared with a clone: this one gets its own copy.
            self.codec = Arc::from(self.codec.boxed_clone());
        }
        if let Some(codec) = Arc::get_mut(&mut self.codec) {
            codec.set_compression(compression);
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

    fn expires(&self, now: u64) -> Option<u64> {
        (self.expire_after > 0).then(|| now.saturating_add(self.expire_after).min(crate::signer::MAX_TIMESTAMP))
    }

    /// The main cookie's value for `data` (a [`crate::Map`] or a session's [`crate::SessionData`]), signed with the
    /// current key at `timestamp`.
    ///
    /// # Panics
    /// For an encrypted format whose codec could not be built or whose nonce source failed; the request path
    /// and the CLI use [`CookieCodec::try_encode`].
    pub fn encode(&self, data: &impl Entries, timestamp: u64) -> String {
        self.try_encode(data, timestamp)
            .expect("an encrypted format's cookie could not be written")
    }

    /// The main cookie's value for `data` (encrypted formats: encrypted with the current key, a fresh nonce).
    ///
    /// # Errors
    /// For an encrypted format: the reason its codec could not be built, or a failed nonce source.
    pub fn try_encode(&self, data: &impl Entries, timestamp: u64) -> Result<String> {
        let sealed = seal(&*self.codec, data.as_entries_ref(), timestamp, self.expires(timestamp))?;
        Ok(sealed.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    }

    /// Every cookie for `data`, as `(name, value)` in the order the framework sends them (a `.sig` companion
    /// after its cookie).
    ///
    /// # Errors
    /// As [`CookieCodec::try_encode`].
    pub fn encode_cookies(&self, data: &impl Entries, timestamp: u64) -> Result<Vec<(String, String)>> {
        let sealed = seal(&*self.codec, data.as_entries_ref(), timestamp, self.expires(timestamp))?;
        Ok(sealed.into_iter().map(|(n, v)| (n.into_owned(), v)).collect())
    }

    /// The session as this format's serializer writes it (Flask: tagged JSON; Starlette: `json.dumps`; Django:
    /// compact `json.dumps`; Rails: ActiveSupport's JSON; actix-session: its state; Express:
    /// `JSON.stringify`).
    pub fn serialize(&self, data: &impl Entries) -> String {
        String::from_utf8_lossy(&self.codec.serialize(data.as_entries_ref())).into_owned()
    }

    /// The main cookie's value for text already serialized as this format's serializer writes it (see
    /// [`CookieCodec::serialize`]). The text is signed as given.
    ///
    /// # Panics
    /// As [`CookieCodec::encode`]; use [`CookieCodec::try_encode_json`] for an encrypted format.
    pub fn encode_json(&self, json: &str, timestamp: u64) -> String {
        self.try_encode_json(json, timestamp)
            .expect("an encrypted format's cookie could not be written")
    }

    /// [`CookieCodec::encode_json`] that reports an encrypted format's failures.
    ///
    /// # Errors
    /// As [`CookieCodec::try_encode`].
    pub fn try_encode_json(&self, json: &str, timestamp: u64) -> Result<String> {
        let sealed = self
            .codec
            .seal_serialized(json.as_bytes(), timestamp, self.expires(timestamp))?;
        Ok(sealed.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    }

    /// Verifies and decodes a main cookie value. `max_age` of `None` skips the age check. A format whose
    /// session spans several cookies needs them all: use [`CookieCodec::decode_claimed`].
    ///
    /// # Errors
    /// `Malformed`, `BadSignature`, `Expired`, `FromTheFuture`, `BadPayload` or `PayloadTooLarge`.
    pub fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>) -> Result<Decoded> {
        self.codec.open_main(cookie, now, max_age, self.limits())
    }

    /// Verifies and decodes a session's cookies as found in a request ([`CookieCodec::claim`]).
    ///
    /// # Errors
    /// As [`CookieCodec::decode`].
    pub fn decode_claimed(&self, claimed: &Claimed, now: u64, max_age: Option<u64>) -> Result<Decoded> {
        self.codec.open(claimed, now, max_age, self.limits())
    }

    /// This format's cookies among `Cookie` header lines, found as its framework finds them.
    pub fn claim<H: AsRef<[u8]>>(&self, headers: &[H]) -> Claimed {
        let lines: smallvec::SmallVec<[&[u8]; 4]> = headers.iter().map(AsRef::as_ref).collect();
        self.codec.claim(&lines)
    }
}

/// Decodes a cookie without verifying it, as Flask's format (for inspection only: the result is untrusted).
///
/// # Errors
/// `Malformed` when the shape is wrong, `BadPayload` / `PayloadTooLarge` when the payload does not decode.
pub fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, u64, bool)> {
    flask::decode_unverified(cookie, max_decompressed)
}
