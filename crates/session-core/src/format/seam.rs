//! The seam every wire format plugs into: what a format is told (keys, signer, cookie name), what it finds in
//! a request (its cookies), what it answers (cookie values to set, each rendered as its framework writes
//! `Set-Cookie`), and its rules for when a response writes or deletes them, given as data.
//!
//! A format is one module that describes itself with a [`Spec`] and builds a [`Codec`]; the registry in
//! `format/mod.rs` lists the specs. Nothing here knows the session model, the configuration or the lifecycle:
//! a format takes plain data and returns plain data.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::cookies::{CookieRules, find_with};
use crate::data::{EntriesRef, SessionData};
use crate::error::{Result, SessionError};
use crate::key::{KeyId, Keyring};
use crate::payload::Compression;
use crate::set_cookie::{Attributes, Expiry, SameSite};
use crate::signer::SignerOptions;
use crate::value::Value;

/// A format's defaults, as the framework ships them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Defaults {
    /// The cookie name (`session`, `sessionid`, `_app_session`, `id`).
    pub cookie_name: &'static str,
    /// Max age of a cookie in seconds (also `Max-Age`/`Expires` where the framework sends them); 0 where the
    /// framework sets no lifetime by default.
    pub lifetime: u64,
    /// The `SameSite` attribute.
    pub same_site: Option<SameSite>,
    /// The `Secure` attribute (iron-session sets it by default; the others do not).
    pub secure: bool,
    /// The `HttpOnly` attribute (every framework sets it by default but gorilla/sessions).
    pub http_only: bool,
    /// Re-send on every request: Flask's `SESSION_REFRESH_EACH_REQUEST` (permanent sessions only), Django's
    /// `SESSION_SAVE_EVERY_REQUEST` (every non-empty session); the others have no such setting.
    pub refresh_each_request: bool,
    /// The signer: digest, key derivation, salt.
    pub signer: SignerOptions,
    /// When to compress.
    pub compression: Compression,
}

/// When an emptied session (modified, nothing left) deletes the cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteWhen {
    /// Always (Flask: a deletion cookie even when the request carried none).
    Modified,
    /// When the request carried the cookie, valid or not (Django's `flush()`, Rails, actix-session).
    CookiePresent,
    /// When the request's cookie opened (Starlette: only a session that was loaded is cleared).
    CookieOpened,
}

/// When an unchanged, non-empty session is written again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Permanent sessions, with refresh-each-request on (Flask).
    Permanent,
    /// Every session, with refresh-each-request on (Django's `SESSION_SAVE_EVERY_REQUEST`, our setting for the
    /// others).
    Always,
    /// Never (Starlette has no such setting).
    Never,
    /// Every session a handler read, with refresh-each-request on (Auth.js re-encodes the token on every
    /// session call: fresh `iat`, `exp` and `jti`).
    Accessed,
}

/// In which order a response lists the cookies it sets and deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieOrder {
    /// The cookies written first, then the deletions (iron-session 9, and every one-cookie format).
    WritesFirst,
    /// The request's cookies of the session first, in their order, each written again or deleted, then the new
    /// ones (Auth.js' `SessionStore`, a map keyed by cookie name).
    RequestOrder,
}

/// Which expiry the response's cookies carry, computed once by the lifecycle and handed to the format (which
/// renders it, and may seal it inside the value).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExpiryRule {
    /// `Expires` = now + lifetime for permanent sessions; none otherwise (Flask).
    Permanent,
    /// `Max-Age` = lifetime, unless cookies end with the browser session (Starlette).
    MaxAge,
    /// `Expires` = now + lifetime when a lifetime is set (Rails' `expire_after`, actix-session's
    /// `PersistentSession`, Express' `maxAge`).
    IfLifetime,
    /// `Max-Age` = lifetime − `grace` and the same `Expires` when a lifetime is set (iron-session's ttl, whose
    /// cookie ends 60 s before the seal); the format seals `now + lifetime − grace` as handed to it.
    TtlMaxAge {
        /// Seconds the cookie ends before the lifetime.
        grace: u64,
    },
    /// `Max-Age` = lifetime and `Expires` = now + lifetime when a lifetime is set (Go's `net/http` cookie for
    /// gorilla/sessions' `MaxAge`).
    MaxAgeAndExpires,
    /// The session decides (Django's `_session_expiry`): `(data, lifetime, expire_at_browser_close, now)`.
    FromSession(fn(&SessionData, u64, bool, u64) -> Option<Expiry>),
}

/// A format's rules for reading a request and writing a response, as data: the one `save` reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// When an emptied session deletes the cookie.
    pub delete: DeleteWhen,
    /// When an unchanged session is written again.
    pub refresh: Refresh,
    /// Which expiry to send.
    pub expiry: ExpiryRule,
    /// Whether a response whose handler read the session varies on `Cookie` (Flask, Starlette, Django do;
    /// Express' cookie-session does not).
    pub vary: bool,
    /// Whether a deletion also names cookies the request did not carry (Flask, Express and iron-session send
    /// every cookie's deletion; Auth.js deletes only the chunks it was sent).
    pub delete_absent: bool,
    /// The order of a response's cookies.
    pub order: CookieOrder,
    /// Keys that hold no user data of their own (a JWT's `iat`, `exp`, `jti`): a session holding nothing else
    /// counts as empty, so removing the last real key deletes the cookie.
    pub reserved: &'static [&'static str],
}

/// What a codec is built from.
#[derive(Debug)]
pub(crate) struct Settings<'a> {
    /// The keys: the current one writes, every one reads, in order.
    pub keyring: &'a Keyring,
    /// The signer settings (digest, key derivation, salt); formats that derive keys otherwise ignore them or
    /// read the digest as their key derivation (Rails).
    pub signer: &'a SignerOptions,
    /// When to compress (formats that never compress ignore it).
    pub compression: Compression,
    /// The cookie name: companions and chunks are named after it; encrypting formats bind it in.
    pub cookie_name: &'a str,
    /// Ids for the keys, in the keyring's order (current first), for formats that write the key's id into the
    /// cookie (iron-session's password ids); `None` for the format's default numbering.
    pub key_ids: Option<&'a [String]>,
    /// The most cookies one session may be cut into (formats that chunk; 1 is no chunking).
    pub max_chunks: usize,
    /// The cookies' attributes, when a configuration builds the codec (a format that cuts a session into
    /// cookies by their whole `Set-Cookie` size measures them).
    pub attributes: Option<Attributes<'a>>,
    /// Encryption keys paired with the keyring's keys in order (gorilla's block keys); empty for none.
    pub encryption_keys: &'a [crate::key::SecretKey],
}

/// The values of a format's cookies found in a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claimed {
    /// The main cookie's value (`Some("")` for an empty value or a bare token, which is a new session).
    pub main: Option<String>,
    /// The session's other cookies present in the request, as `(name, value)`, in the format's order: a
    /// `.sig` companion, numbered chunks.
    pub extra: Vec<(String, String)>,
}

impl Claimed {
    /// Only a main cookie (single-cookie formats, and the inspection tools).
    pub fn main(value: impl Into<String>) -> Self {
        Self {
            main: Some(value.into()),
            extra: Vec::new(),
        }
    }

    /// Whether the request carried any cookie of the session (an empty one counts).
    pub fn is_present(&self) -> bool {
        self.main.is_some() || !self.extra.is_empty()
    }

    /// Whether there is something to verify: a non-empty main value, or other cookies.
    pub fn has_value(&self) -> bool {
        self.main.as_deref().is_some_and(|v| !v.is_empty()) || !self.extra.is_empty()
    }

    /// The value of the extra cookie called `name`.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The cookies one write sets, as `(name, value)` in the order the framework sends them.
pub(crate) type Sealed<'a> = SmallVec<[(Cow<'a, str>, String); 2]>;

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

/// The bounds on decoding one cookie: inflated bytes and decoded values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) decompressed: usize,
    pub(crate) values: usize,
}

/// One format's encoder/decoder, built once per configuration (keys derived up front).
pub(crate) trait Codec: Send + Sync + std::fmt::Debug {
    /// The main cookie's name (the one cookie of most formats; companions and chunks are named after it).
    fn name(&self) -> &str;

    /// How the framework reads the `Cookie` header, for the default [`Codec::claim`] of one cookie (Werkzeug's,
    /// as Rack and actix-web read it too: the first cookie of a name).
    fn reading(&self) -> CookieRules {
        CookieRules::Werkzeug
    }

    /// This format's cookies among the request's `Cookie` header lines (in order), found as its framework
    /// finds them. By default: the one cookie [`Codec::name`], read by [`Codec::reading`].
    fn claim(&self, headers: &[&[u8]]) -> Claimed {
        Claimed {
            main: find_with(self.reading(), headers, self.name()),
            extra: Vec::new(),
        }
    }

    /// Verifies and decodes the claimed cookies. Every layout authenticates the whole session: a companion or
    /// chunk from another session never verifies. By default: [`Codec::open_main`] of the main cookie, all a
    /// one-cookie format needs.
    ///
    /// # Errors
    /// `Malformed`, `BadSignature`, `Expired`, `FromTheFuture`, `BadPayload` or `PayloadTooLarge`.
    fn open(&self, claimed: &Claimed, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.open_main(claimed.main.as_deref().unwrap_or_default(), now, max_age, limits)
    }

    /// Verifies and decodes a main cookie's value alone. A format whose session spans several cookies opens it
    /// as a request holding only that cookie ([`Codec::open`] of [`Claimed::main`]), so its companions or
    /// chunks are missing.
    ///
    /// # Errors
    /// As [`Codec::open`].
    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded>;

    /// Whether a response whose handler never touched the session could send these cookies again: whether a
    /// valid session in them may be one this format refreshes or re-signs on its own (Flask: a permanent
    /// session, or one a fallback key signed). `true` (the default) when the format cannot tell without opening
    /// the cookies; then they are opened and the format's rules decide. `false` lets an untouched request skip
    /// verifying a cookie whose answer would be "send nothing" either way.
    fn untouched_may_write(&self, _claimed: &Claimed) -> bool {
        true
    }

    /// The session as this format's serializer writes it (what [`Codec::seal_serialized`] takes).
    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8>;

    /// The cookies for serialized session bytes, signed or encrypted with the current key at `now`;
    /// `expires` (Unix seconds) is the expiry the response's cookies carry, for formats that seal it inside.
    ///
    /// # Errors
    /// An encrypting format's failed nonce source.
    fn seal_serialized(&self, serialized: &[u8], now: u64, expires: Option<u64>) -> Result<Sealed<'_>>;

    /// [`Codec::seal_serialized`] of the session's serialization.
    ///
    /// # Errors
    /// As [`Codec::seal_serialized`].
    fn seal(&self, data: EntriesRef<'_>, now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        self.seal_serialized(&self.serialize(data), now, expires)
    }

    /// Every cookie name this format writes for a session, main first (deleting a session deletes them all). By
    /// default: [`Codec::name`] alone.
    fn names(&self) -> SmallVec<[&str; 2]> {
        smallvec::smallvec![self.name()]
    }

    /// One `Set-Cookie` value as the framework writes it: `value` of `None` is a deletion. By default the
    /// `cookie` crate's spelling (Flask's, Rails', actix-web's).
    fn render(&self, name: &str, value: Option<&str>, attrs: &Attributes<'_>, expiry: Expiry) -> String {
        crate::set_cookie::render_standard(name, value, attrs, expiry)
    }

    /// The serializer whose [`crate::Foreign`] values this format writes back as they came (`"gob"`, `"php"`);
    /// `None` for formats whose serializer is JSON.
    fn foreign(&self) -> Option<&'static str> {
        None
    }

    /// Sets the compression policy (formats that never compress ignore it).
    fn set_compression(&mut self, _compression: Compression) {}

    /// A copy of this codec (keys included), to change a setting of a codec that is shared.
    fn boxed_clone(&self) -> Box<dyn Codec>;
}

/// How a format's serializer writes a session ([`crate::CookieCodec::serialize`]), for tools that take a
/// session as text and must keep its bytes (the CLI signs Python JSON in the key order it is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionText {
    /// Flask's tagged JSON, keys sorted.
    Tagged,
    /// Python's `json.dumps` of the session (`compact`: separators `,` and `:`; else `, ` and `: `).
    PythonJson {
        /// Django's compact separators.
        compact: bool,
    },
    /// JSON of the session itself in the framework's own spelling (ActiveSupport's, `JSON.stringify`).
    Json,
    /// Not the session's JSON: the values are wrapped (actix-session's state holds each value as a JSON text).
    Wrapped,
}

/// A session read from a cookie without its key (inspection only: the result is untrusted): the data, the
/// timestamp when the format carries one, and whether the payload was compressed.
pub(crate) type Peeked = (Value, Option<u64>, bool);

/// What a format is, for the registry: its names, its framework, its defaults and rules, and how its codec
/// is built.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The lowercase name (`--format`, `SESSION_FORMAT`).
    pub name: &'static str,
    /// Other names it answers to.
    pub aliases: &'static [&'static str],
    /// The framework and version whose cookies these are, for help texts.
    pub framework: &'static str,
    /// Whether the value is encrypted (reading it needs the key); formats that are only signed show it.
    pub encrypted: bool,
    /// How the cookie is signed or sealed when the framework fixes it, for reports; `None` for the
    /// itsdangerous-style signer, whose salt, digest and key derivation are the [`SignerOptions`] settings.
    pub signature: Option<&'static str>,
    /// Whether the session a handler sees is Flask's tagged JSON (only Flask); the others show plain JSON.
    pub tagged: bool,
    /// Whether the cookies carry the time they were signed (then a max age applies to them).
    pub timestamped: bool,
    /// How the serializer writes a session (see [`SessionText`]).
    pub text: SessionText,
    /// The framework's defaults.
    pub defaults: fn() -> Defaults,
    /// When to write and delete.
    pub rules: Rules,
    /// Builds the codec.
    pub build: fn(&Settings<'_>) -> Result<Box<dyn Codec>>,
    /// Reads a main cookie value without the key, where the format allows it.
    pub peek: fn(&str, usize) -> Result<Peeked>,
}

/// The `peek` of an encrypted format: reading needs the key.
pub(crate) fn peek_needs_key(name: &'static str) -> SessionError {
    SessionError::Config(format!(
        "a {name} cookie is encrypted: decoding it needs the key (use verify with the key)"
    ))
}
