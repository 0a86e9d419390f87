//! `SessionConfig`: Flask's session settings, validated once when built.

use std::sync::Arc;

use crate::csrf::Csrf;
use crate::error::{Result, SessionError};
pub use crate::format::flask::LIFETIME_SECS as DEFAULT_LIFETIME_SECS;
use crate::format::seam::{ExpiryRule, Settings};
use crate::format::{CookieCodec, DEFAULT_MAX_DECOMPRESSED, Format};
use crate::json::DEFAULT_MAX_VALUES;
use crate::key::{Given, Keyring, SecretKey};
use crate::payload::Compression;
use crate::set_cookie::Attributes;
pub use crate::set_cookie::SameSite;
use crate::signer::{Digest, KeyDerivation, SignerOptions};

/// Werkzeug's default `MAX_COOKIE_SIZE`.
pub const DEFAULT_MAX_COOKIE_SIZE: usize = 4093;

/// What to do when a session does not fit in a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OversizePolicy {
    /// Send nothing, log an error, and make the response a 500 (default: the failure is visible).
    #[default]
    Fail,
    /// Send the response without the cookie and log an error (the session change is lost, loudly).
    LogAndDrop,
}

/// Validated session settings. Cheap to clone (shared).
///
/// ```
/// use session_core::{SessionConfig, SecretKey};
/// let config = SessionConfig::builder()
///     .secret_key(SecretKey::parse("a key of at least sixteen bytes").unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(config.cookie_name(), "session");
/// ```
#[derive(Debug, Clone)]
pub struct SessionConfig(pub(crate) Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub cookie_name: String,
    pub domain: Option<String>,
    pub path: String,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: Option<SameSite>,
    pub partitioned: bool,
    pub lifetime: u64,
    pub refresh_each_request: bool,
    pub max_cookie_size: usize,
    pub resign_fallback: bool,
    pub oversize: OversizePolicy,
    pub codec: CookieCodec,
    pub format: Format,
    pub expire_at_browser_close: bool,
    pub migrate_from: Option<Migration>,
    pub login_lifetime: Option<u64>,
    pub csrf: Csrf,
    pub warnings: Vec<String>,
    /// How many keys verify (the current one and the fallbacks), for the refusal log.
    pub keys: usize,
}

/// Another format's cookie read when this format's own is absent or refused, and written in this format on the
/// response ([`SessionConfigBuilder::migrate_from`]).
#[derive(Debug)]
pub(crate) struct Migration {
    pub codec: CookieCodec,
    /// The max age of the other format's cookies (its default lifetime).
    pub lifetime: u64,
}

impl SessionConfig {
    /// A builder with Flask's defaults.
    pub fn builder() -> SessionConfigBuilder {
        SessionConfigBuilder::default()
    }

    /// The cookie name (`SESSION_COOKIE_NAME`).
    pub fn cookie_name(&self) -> &str {
        &self.0.cookie_name
    }

    /// The session lifetime (`PERMANENT_SESSION_LIFETIME`).
    pub fn lifetime(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0.lifetime)
    }

    /// The session lifetime in seconds.
    pub fn lifetime_secs(&self) -> u64 {
        self.0.lifetime
    }

    /// The maximum `Set-Cookie` size (`MAX_COOKIE_SIZE`; 0 disables the check).
    pub fn max_cookie_size(&self) -> usize {
        self.0.max_cookie_size
    }

    /// What happens to a session too large for a cookie.
    pub fn oversize_policy(&self) -> OversizePolicy {
        self.0.oversize
    }

    /// The codec (signer + serializer) this configuration uses.
    pub fn codec(&self) -> &CookieCodec {
        &self.0.codec
    }

    /// The wire format (Flask unless [`SessionConfigBuilder::format`] chose another).
    pub fn format(&self) -> Format {
        self.0.format
    }

    /// The CSRF tokens of this configuration: Flask-WTF's, signed with the current secret key (as
    /// `WTF_CSRF_SECRET_KEY` defaults to `SECRET_KEY`), unless [`SessionConfigBuilder::csrf`] set others. The
    /// adapters' CSRF extractors use it, so enabling CSRF needs nothing beyond the session layer.
    pub fn csrf(&self) -> &Csrf {
        &self.0.csrf
    }

    /// What [`SessionConfigBuilder::build`] found suspicious but not wrong, one sentence each, also logged at
    /// `warn` when it was built: a key that the chosen framework cannot be using as given (a `hex:` key for a
    /// framework that uses its key's text, 128 hex digits given as text for a 64-byte key), and the cookie
    /// attributes a migration changes.
    ///
    /// ```
    /// use session_core::{Format, SecretKey, SessionConfig};
    /// let config = SessionConfig::builder()
    ///     .format(Format::Starlette)
    ///     .secret_key(SecretKey::parse("hex:00112233445566778899aabbccddeeff").unwrap())
    ///     .build()
    ///     .unwrap();
    /// assert!(config.warnings()[0].contains("Starlette uses the key's text as it is"));
    /// ```
    pub fn warnings(&self) -> &[String] {
        &self.0.warnings
    }
}

/// How a framework takes its secret key, for the checks of [`SessionConfigBuilder::build`].
#[derive(Clone, Copy)]
enum KeyUse {
    /// The key's text, as it is (`str` keys, passwords): `label` and the setting's name there.
    Text(&'static str, &'static str),
    /// A `cookie::Key`'s 64 bytes.
    Jar64(&'static str),
    /// Bytes or text (Flask accepts both).
    Any,
}

fn key_use(format: Format) -> KeyUse {
    match format {
        Format::Starlette => KeyUse::Text("Starlette", "secret_key"),
        Format::Django => KeyUse::Text("Django", "SECRET_KEY"),
        Format::Rails => KeyUse::Text("Rails", "secret_key_base"),
        Format::Express => KeyUse::Text("Express' cookie-session", "keys"),
        Format::IronSession => KeyUse::Text("iron-session", "password"),
        Format::AuthJs => KeyUse::Text("Auth.js", "secret"),
        Format::NextAuthV4 => KeyUse::Text("next-auth", "secret"),
        Format::ActixPrivate | Format::ActixSigned => KeyUse::Jar64("actix-session"),
        _ => KeyUse::Any,
    }
}

/// The sentence a user needs when `key` cannot be what `format`'s framework uses (`role`: "the secret key",
/// "fallback key 0", ...); `None` when it can.
fn key_warning(format: Format, key: &SecretKey, role: &str) -> Option<String> {
    match (key_use(format), key.given()) {
        (KeyUse::Text(framework, setting), given @ (Given::Hex | Given::Base64)) => {
            let prefix = if given == Given::Hex { "hex:" } else { "base64:" };
            Some(format!(
                "{role} was given as `{prefix}...`, which SecretKey::parse decodes to bytes, but {framework} uses \
                the key's text as it is ({setting}): pass the same text on both sides. If {framework}'s \
                {setting} is this `{prefix}...` text itself, build the key with SecretKey::new(text.as_bytes()); \
                otherwise give both sides the same plain-text key"
            ))
        }
        (KeyUse::Jar64(framework), Given::Text)
            if key.len() == 2 * crate::encrypted::JAR_KEY_LEN && key.bytes().iter().all(u8::is_ascii_hexdigit) =>
        {
            Some(format!(
                "{role} is 128 hex digits given as text, but {framework} keys are 64 bytes and only the first 64 \
                characters would be used: if these digits are the key's bytes (key.master() in hex), prefix them \
                with hex: (SecretKey::parse(\"hex:...\"))"
            ))
        }
        _ => None,
    }
}

/// Whether `format`'s cookies end with the browser session under these settings (no `Max-Age`/`Expires`;
/// Flask's non-permanent sessions count).
fn browser_session(format: Format, lifetime: u64, at_close: bool) -> bool {
    match format.spec().rules.expiry {
        ExpiryRule::Permanent => true,
        ExpiryRule::MaxAge | ExpiryRule::FromSession(_) => at_close,
        ExpiryRule::IfLifetime | ExpiryRule::TtlMaxAge { .. } | ExpiryRule::MaxAgeAndExpires => lifetime == 0,
    }
}

/// Builds a [`SessionConfig`]; every setting has Flask's default, or the chosen [`Format`]'s (cookie name,
/// lifetime, `SameSite`, refresh, signer and compression come from [`Format::defaults`] unless set).
#[derive(Debug, Clone)]
#[must_use]
pub struct SessionConfigBuilder {
    format: Format,
    expire_at_browser_close: bool,
    cookie_name: Option<String>,
    domain: Option<String>,
    path: String,
    http_only: Option<bool>,
    secure: Option<bool>,
    same_site: Option<Option<SameSite>>,
    partitioned: bool,
    lifetime: Option<u64>,
    refresh_each_request: Option<bool>,
    max_cookie_size: usize,
    resign_fallback: bool,
    oversize: OversizePolicy,
    secret_key: Option<SecretKey>,
    fallbacks: Vec<SecretKey>,
    digest: Option<Digest>,
    key_derivation: Option<KeyDerivation>,
    salt: Option<String>,
    compression: Option<Compression>,
    max_decompressed: usize,
    max_values: usize,
    migrate_from: Option<(Format, Keyring)>,
    migrate_cookie_name: Option<String>,
    migrate_lifetime: Option<u64>,
    migrate_signer: Option<SignerOptions>,
    login_lifetime: Option<u64>,
    key_ids: Option<Vec<String>>,
    cookie_chunks: usize,
    encryption_keys: Vec<SecretKey>,
    csrf: Option<Csrf>,
}

impl Default for SessionConfigBuilder {
    fn default() -> Self {
        Self {
            format: Format::Flask,
            expire_at_browser_close: false,
            cookie_name: None,
            domain: None,
            path: "/".into(),
            http_only: None,
            secure: None,
            same_site: None,
            partitioned: false,
            lifetime: None,
            refresh_each_request: None,
            max_cookie_size: DEFAULT_MAX_COOKIE_SIZE,
            resign_fallback: true,
            oversize: OversizePolicy::Fail,
            secret_key: None,
            fallbacks: Vec::new(),
            digest: None,
            key_derivation: None,
            salt: None,
            compression: None,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
            migrate_from: None,
            migrate_cookie_name: None,
            migrate_lifetime: None,
            migrate_signer: None,
            login_lifetime: None,
            key_ids: None,
            cookie_chunks: 1,
            encryption_keys: Vec::new(),
            csrf: None,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    )*};
}

impl SessionConfigBuilder {
    setters! {
        /// `SECRET_KEY`'s successor for verification-only keys (`SECRET_KEY_FALLBACKS`), oldest first.
        fallbacks: Vec<SecretKey>,
        /// `SESSION_COOKIE_PARTITIONED` (default false; forces `Secure`).
        partitioned: bool,
        /// `MAX_COOKIE_SIZE` (default 4093; 0 disables the check).
        max_cookie_size: usize,
        /// Re-sign a cookie verified by a fallback key with the current key (default true; Flask doesn't).
        resign_fallback: bool,
        /// What to do with a session too large for a cookie (default: fail the response).
        oversize: OversizePolicy,
        /// Bound on an inflated payload in bytes (default 1 MiB).
        max_decompressed: usize,
        /// Bound on how many values one payload may decode into (default
        /// [`DEFAULT_MAX_VALUES`](crate::json::DEFAULT_MAX_VALUES)); beyond it the cookie is refused as
        /// `bad_payload`. With the inflation bound, this keeps what any one cookie costs to a few MiB.
        max_values: usize,
    }

    /// The wire format: whose cookies this service reads and writes (default [`Format::Flask`]). Settings
    /// left unset take this format's defaults ([`Format::defaults`]), whatever the order of the calls.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Re-send the cookie on every request (default: the format's). Flask: `SESSION_REFRESH_EACH_REQUEST`
    /// (default true; permanent sessions only). Django: `SESSION_SAVE_EVERY_REQUEST` (default false; every
    /// non-empty session). Starlette has no such setting (default false).
    pub fn refresh_each_request(mut self, refresh: bool) -> Self {
        self.refresh_each_request = Some(refresh);
        self
    }

    /// `SESSION_COOKIE_SECURE` (default: the format's; false except iron-session, which sets `Secure`).
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = Some(secure);
        self
    }

    /// Browser-session cookies (default false): cookies without `Max-Age`/`expires`, which the browser drops
    /// when it closes. Read by the Django and Starlette formats (Flask's non-permanent sessions, Rails' and
    /// actix-session's cookies are browser-session cookies already):
    ///
    /// - Django: `SESSION_EXPIRE_AT_BROWSER_CLOSE`, unless the session sets `_session_expiry`; cookies are still
    ///   read with `SESSION_COOKIE_AGE` ([`lifetime`](Self::lifetime)) as their max age, as Django does.
    /// - Starlette: `SessionMiddleware(max_age=None)`: no `Max-Age`, and cookies of any age are read, as
    ///   Starlette does, unless a [`lifetime`](Self::lifetime) is also set, which then still limits their age.
    ///
    /// ```
    /// use session_core::{Format, SecretKey, SessionConfig, SessionHandle};
    /// let config = SessionConfig::builder()
    ///     .format(Format::Starlette)
    ///     .secret_key(SecretKey::parse("0123456789abcdef").unwrap())
    ///     .expire_at_browser_close(true)
    ///     .build()
    ///     .unwrap();
    /// let handle = SessionHandle::new(config, vec![], 1_700_000_000);
    /// handle.insert("user", "alice").unwrap();
    /// let set_cookie = handle.finish().unwrap().set_cookies().first().cloned().unwrap();
    /// assert!(!set_cookie.contains("Max-Age") && set_cookie.ends_with("; path=/; httponly; samesite=lax"));
    /// ```
    pub fn expire_at_browser_close(mut self, at_close: bool) -> Self {
        self.expire_at_browser_close = at_close;
        self
    }

    /// Compression policy (default: the format's; Flask's and Django's rule is the same, Starlette never compresses).
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// Moving a fleet from another format: when a request has no valid cookie of this format, read the cookie
    /// `from` writes (its default settings, `keys` to open it, its own cookie name unless
    /// [`SessionConfigBuilder::migrate_cookie_name`] says otherwise, the max age of
    /// [`SessionConfigBuilder::migrate_lifetime_secs`]) and write the session back in this format on the response,
    /// so nobody is logged out. Under another name than the new cookie's, every response that writes or deletes
    /// the session also deletes the old cookie, so a logout sticks.
    ///
    /// The new cookie has this configuration's attributes: [`build`](Self::build) lists in
    /// [`SessionConfig::warnings`] (and logs) what changes for users (`Secure`, `SameSite`, the end of the
    /// browser session), with the setting that keeps the old behaviour.
    ///
    /// A rolling deploy (old and new instances side by side) goes in two steps, since an instance that only
    /// knows the old format cannot read the new cookie: first every instance reads both and still writes the
    /// old format (`.format(old).migrate_from(new, new_keys)`), then each flips
    /// (`.format(new).migrate_from(old, old_keys)`).
    ///
    /// ```
    /// use session_core::{Format, Keyring, SecretKey, SessionConfig};
    /// let actix_key = Keyring::new(SecretKey::parse(&format!("hex:{}", "5c".repeat(64))).unwrap());
    /// let config = SessionConfig::builder()
    ///     .format(Format::Django)
    ///     .secret_key(SecretKey::parse("the Django SECRET_KEY").unwrap())
    ///     .secure(true)                  // actix-session's cookies were Secure
    ///     .expire_at_browser_close(true) // and ended with the browser session
    ///     .migrate_from(Format::ActixPrivate, actix_key) // read from actix-session's `id` cookie
    ///     .build()
    ///     .unwrap();
    /// assert!(config.warnings().is_empty());
    /// ```
    pub fn migrate_from(mut self, from: Format, keys: Keyring) -> Self {
        self.migrate_from = Some((from, keys));
        self
    }

    /// The name of the cookie [`SessionConfigBuilder::migrate_from`] reads (default: the old format's own, e.g.
    /// actix-session's `id`, Django's `sessionid`; this format's name when the old one has none).
    pub fn migrate_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.migrate_cookie_name = Some(name.into());
        self
    }

    /// The max age, in seconds, of the cookies [`SessionConfigBuilder::migrate_from`] reads (default: that
    /// format's default lifetime: Flask 31 days, Starlette and Django 14 days). Set it to the old fleet's
    /// setting (`PERMANENT_SESSION_LIFETIME`, `max_age`, `SESSION_COOKIE_AGE`) when it was changed there:
    /// older cookies are refused, so a shorter default would log out users whose cookies the old fleet still
    /// accepts. `u64::MAX` is no age limit (Starlette's `max_age=None`). Rails' and actix-session's cookies carry
    /// no signing time (Rails checks the expiry sealed inside), so this does not change what opens for them.
    ///
    /// ```
    /// use session_core::{Format, Keyring, SecretKey, SessionConfig};
    /// let django = Keyring::new(SecretKey::parse("the Django SECRET_KEY").unwrap());
    /// let config = SessionConfig::builder()
    ///     .secret_key(SecretKey::parse("the new Flask-format key").unwrap())
    ///     .migrate_from(Format::Django, django)
    ///     .migrate_cookie_name("sessionid")
    ///     .migrate_lifetime_secs(30 * 24 * 3600) // SESSION_COOKIE_AGE = 30 days
    ///     .build()
    ///     .unwrap();
    /// # let _ = config;
    /// ```
    pub fn migrate_lifetime_secs(mut self, secs: u64) -> Self {
        self.migrate_lifetime = Some(secs);
        self
    }

    /// The signer settings of the cookies [`SessionConfigBuilder::migrate_from`] reads (digest, key derivation,
    /// salt; default: that format's defaults). Set them to the old fleet's settings when they were changed
    /// there (a custom `salt`, Flask's `digest_method`, Rails 6's sha1).
    pub fn migrate_signer(mut self, options: SignerOptions) -> Self {
        self.migrate_signer = Some(options);
        self
    }

    /// Our own limit on how long a login lasts, for formats whose cookies carry no signing time (Express'
    /// cookie-session, actix-session, Rails without `expire_after`: the framework trusts such a cookie for as
    /// long as the browser sends it). A session whose login time ([`crate::Session::mark_login`], the
    /// `_login_at` key, Unix seconds) is older than `secs` at load is refused as expired: an empty session. A
    /// session without a login time is not affected, so call `mark_login` when a user logs in. Applies to
    /// every format (default: none).
    ///
    /// ```
    /// use session_core::{Format, LoadStatus, SecretKey, SessionConfig, SessionHandle};
    /// let config = SessionConfig::builder()
    ///     .format(Format::Express)
    ///     .secret_key(SecretKey::parse("the cookie-session key").unwrap())
    ///     .login_lifetime_secs(12 * 3600)
    ///     .build()
    ///     .unwrap();
    /// let login = SessionHandle::new(config.clone(), vec![], 1_700_000_000);
    /// login.mark_login();
    /// let cookies: Vec<String> = login.finish().unwrap().set_cookies().iter()
    ///     .map(|c| c.split(';').next().unwrap().to_owned()).collect();
    /// let later = SessionHandle::new(config, vec![cookies.join("; ")], 1_700_000_000 + 13 * 3600);
    /// assert!(matches!(later.status(), LoadStatus::Refused(_)));
    /// ```
    pub fn login_lifetime_secs(mut self, secs: u64) -> Self {
        self.login_lifetime = Some(secs);
        self
    }

    /// Ids for the keys, current first, then the fallbacks in the order given, for formats that write the
    /// key's id into the cookie: iron-session's password ids (`password: { 2: new, 1: old }` is
    /// `.secret_key(new).fallback(old).key_ids(["2", "1"])`). Default: the current key has the highest number
    /// and the fallbacks count up from 1, which is that example too. Other formats ignore it.
    pub fn key_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.key_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The most cookies one session may be cut into, for formats that chunk (iron-session 9's `cookieChunking`
    /// writes `name.0` to `name.3`; Auth.js chunks as needed): `1` (the default for iron-session) never chunks;
    /// each cookie is still held to [`max_cookie_size`](Self::max_cookie_size).
    pub fn cookie_chunks(mut self, max: usize) -> Self {
        self.cookie_chunks = max.max(1);
        self
    }

    /// `SESSION_COOKIE_HTTPONLY` (default: the format's; true, except gorilla/sessions, whose `Options` leave it
    /// off).
    pub fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = Some(http_only);
        self
    }

    /// An encryption key paired with a signing key, for formats that encrypt with a key of their own
    /// (gorilla/sessions' block key: `NewCookieStore(hashKey, blockKey, ...)`, AES-128, -192 or -256 by its
    /// length of 16, 24 or 32 bytes). The first call pairs it with [`secret_key`](Self::secret_key), each
    /// further call with the next [`fallback`](Self::fallback) in order; a signing key without one is a pair
    /// without encryption. Other formats ignore it.
    pub fn encryption_key(mut self, key: SecretKey) -> Self {
        self.encryption_keys.push(key);
        self
    }

    /// The CSRF tokens' settings (default: Flask-WTF's, signed with [`secret_key`](Self::secret_key)): set
    /// them when the Flask app sets `WTF_CSRF_SECRET_KEY`, `WTF_CSRF_TIME_LIMIT` or `WTF_CSRF_FIELD_NAME`.
    ///
    /// ```
    /// use session_core::{Csrf, SecretKey, SessionConfig};
    /// let key = SecretKey::parse("a key of at least sixteen bytes").unwrap();
    /// let config = SessionConfig::builder()
    ///     .secret_key(key.clone())
    ///     .csrf(Csrf::new(&key).with_time_limit(600))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(config.csrf().time_limit(), Some(600));
    /// ```
    pub fn csrf(mut self, csrf: Csrf) -> Self {
        self.csrf = Some(csrf);
        self
    }

    /// `SECRET_KEY`: the key that signs (and verifies first). Required.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }

    /// Adds one fallback key (verify only).
    pub fn fallback(mut self, key: SecretKey) -> Self {
        self.fallbacks.push(key);
        self
    }

    /// `SESSION_COOKIE_NAME` (default: the format's; `session`, Django `sessionid`).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// `SESSION_COOKIE_SAMESITE` (default: the format's; Flask none, Starlette and Django `Lax`):
    /// `SameSite::Lax`, `Some(..)` or `None`.
    pub fn same_site(mut self, same_site: impl Into<Option<SameSite>>) -> Self {
        self.same_site = Some(same_site.into());
        self
    }

    /// `SESSION_COOKIE_DOMAIN` (default none: host-only): a domain (`String`), `Some(..)` or `None`. A `:port` and leading dots are dropped, as Werkzeug
    /// and browsers do; the rest must be an ASCII host name (letters, digits, `-`, `.`, `_`; international
    /// names in their `xn--` form), checked by [`build`](Self::build).
    pub fn domain(mut self, domain: impl Into<Option<String>>) -> Self {
        self.domain = domain.into();
        self
    }

    /// `SESSION_COOKIE_PATH` (default `/`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// `PERMANENT_SESSION_LIFETIME` (default 31 days): max age of every cookie, `Expires` of permanent ones.
    /// Whole seconds count (Flask compares whole seconds); see [`lifetime_secs`](Self::lifetime_secs) for the
    /// limits. `Duration::MAX` means no age limit.
    ///
    /// ```
    /// use std::time::Duration;
    /// use session_core::{SecretKey, SessionConfig};
    /// let config = SessionConfig::builder()
    ///     .secret_key(SecretKey::parse("0123456789abcdef").unwrap())
    ///     .lifetime(Duration::from_secs(12 * 3600))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(config.lifetime_secs(), 43_200);
    /// ```
    pub fn lifetime(mut self, lifetime: std::time::Duration) -> Self {
        self.lifetime = Some(lifetime.as_secs());
        self
    }

    /// `PERMANENT_SESSION_LIFETIME` in seconds (default 31 days): max age of every cookie, Expires of permanent ones.
    ///
    /// Any value is accepted. `0` accepts a cookie only in the second it was signed; `u64::MAX` (or anything
    /// past the year 9999) means no age limit. `Expires` is `now + lifetime`, capped at
    /// `Fri, 31 Dec 9999 23:59:59 GMT`, the last date Python (and so Flask) can represent.
    ///
    /// Starlette's `max_age` and Django's `SESSION_COOKIE_AGE` (default 14 days for both).
    pub fn lifetime_secs(mut self, secs: u64) -> Self {
        self.lifetime = Some(secs);
        self
    }

    /// The HMAC digest (default SHA-1, as Flask's `session_interface.digest_method`; Django SHA-256).
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = Some(digest);
        self
    }

    /// The key derivation (default `hmac`, as Flask; Starlette and Django `django-concat`).
    pub fn key_derivation(mut self, kd: KeyDerivation) -> Self {
        self.key_derivation = Some(kd);
        self
    }

    /// The signer salt (default: the format's; Flask `cookie-session`).
    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.salt = Some(salt.into());
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    /// [`SessionError::NoSecretKey`] without a key; [`SessionError::Config`] for combinations browsers
    /// would reject (the message says how to fix them).
    pub fn build(self) -> Result<SessionConfig> {
        let key = self.secret_key.ok_or(SessionError::NoSecretKey)?;
        let defaults = self.format.defaults();
        let cookie_name = self.cookie_name.unwrap_or_else(|| defaults.cookie_name.to_owned());
        let same_site = self.same_site.unwrap_or(defaults.same_site);
        let signer = SignerOptions {
            digest: self.digest.unwrap_or(defaults.signer.digest),
            key_derivation: self.key_derivation.unwrap_or(defaults.signer.key_derivation),
            salt: self.salt.unwrap_or(defaults.signer.salt),
        };
        let name = &cookie_name;
        if name.is_empty() {
            return Err(SessionError::Config(format!(
                "{} has no default cookie name: set cookie_name(...) to the name the other side uses",
                self.format.framework()
            )));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
        {
            return Err(SessionError::Config(format!(
                "cookie name {name:?} is not a valid cookie token; use letters, digits and -_.!#$%&'*+^`|~"
            )));
        }
        let secure = self.secure.unwrap_or(defaults.secure) || self.partitioned;
        let http_only = self.http_only.unwrap_or(defaults.http_only);
        if same_site == Some(SameSite::None) && !secure {
            return Err(SessionError::Config(
                "SameSite=None without Secure is rejected by browsers; set secure(true) (or use SameSite=Lax)".into(),
            ));
        }
        let domain = self.domain.as_deref().map(cookie_domain).transpose()?.flatten();
        // Browsers match the prefixes case-insensitively (RFC 6265bis), so `__host-` gets the same rules.
        let prefixed = |prefix: &str| name.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
        if prefixed("__Secure-") && !secure {
            return Err(SessionError::Config(
                "a __Secure- cookie name requires secure(true)".into(),
            ));
        }
        if prefixed("__Host-") && (!secure || self.path != "/" || domain.is_some()) {
            return Err(SessionError::Config(
                "a __Host- cookie name requires secure(true), path \"/\" and no domain".into(),
            ));
        }
        if !self.path.starts_with('/') || self.path.bytes().any(|b| b == b';' || b.is_ascii_control()) {
            return Err(SessionError::Config(format!(
                "cookie path {:?} must start with '/' and contain no ';' or control characters",
                self.path
            )));
        }
        let mut warnings: Vec<String> = std::iter::once(key_warning(self.format, &key, "the secret key"))
            .chain(
                self.fallbacks
                    .iter()
                    .enumerate()
                    .map(|(i, k)| key_warning(self.format, k, &format!("fallback key {i}"))),
            )
            .flatten()
            .collect();
        let csrf = self.csrf.unwrap_or_else(|| Csrf::new(&key));
        let keys = 1 + self.fallbacks.len();
        let keyring = Keyring::new(key).with_fallbacks(self.fallbacks);
        let lifetime = match self.lifetime {
            Some(secs) => secs,
            // Starlette's `max_age=None` reads cookies of any age.
            None if self.format == Format::Starlette && self.expire_at_browser_close => u64::MAX,
            None => defaults.lifetime,
        };
        // Every format's codec is built here, once: a bad key (a `cookie::Key` that is not 64 bytes, a digest
        // Rails does not use) is refused at start-up.
        let path = quote_path(&self.path);
        let attributes = Attributes {
            domain: domain.as_deref(),
            path: &path,
            secure,
            http_only,
            same_site,
            partitioned: self.partitioned,
        };
        let settings = Settings {
            keyring: &keyring,
            signer: &signer,
            compression: self.compression.unwrap_or(defaults.compression),
            cookie_name: &cookie_name,
            key_ids: self.key_ids.as_deref(),
            max_chunks: self.cookie_chunks,
            attributes: Some(attributes),
            encryption_keys: &self.encryption_keys,
        };
        let codec = CookieCodec::from_settings(self.format, &settings, lifetime)?;
        let migrate_from = match self.migrate_from {
            None => None,
            Some((from, keys)) => {
                let d = from.defaults();
                warnings.extend(
                    keys.verification_order()
                        .filter_map(|(id, k)| key_warning(from, k, &format!("the migration's {id} key"))),
                );
                warnings.extend(migration_changes(
                    from,
                    self.format,
                    secure,
                    same_site,
                    browser_session(self.format, lifetime, self.expire_at_browser_close),
                ));
                // The old format's own cookie name (actix-session's `id`, Django's `sessionid`), unless set.
                let name = self
                    .migrate_cookie_name
                    .or_else(|| (!d.cookie_name.is_empty()).then(|| d.cookie_name.to_owned()))
                    .unwrap_or_else(|| cookie_name.clone());
                let lifetime = self.migrate_lifetime.unwrap_or(d.lifetime);
                let options = self.migrate_signer.unwrap_or(d.signer);
                let codec = CookieCodec::build(from, &keys, &options, &name, lifetime)?;
                Some(Migration {
                    codec: codec
                        .with_max_decompressed(self.max_decompressed)
                        .with_max_values(self.max_values),
                    lifetime,
                })
            }
        };
        let codec = codec
            .with_max_decompressed(self.max_decompressed)
            .with_max_values(self.max_values);
        Ok(SessionConfig(Arc::new(Inner {
            cookie_name,
            domain,
            path,
            http_only,
            secure,
            same_site,
            partitioned: self.partitioned,
            lifetime,
            refresh_each_request: self.refresh_each_request.unwrap_or(defaults.refresh_each_request),
            max_cookie_size: self.max_cookie_size,
            resign_fallback: self.resign_fallback,
            oversize: self.oversize,
            codec,
            format: self.format,
            expire_at_browser_close: self.expire_at_browser_close,
            migrate_from,
            login_lifetime: self.login_lifetime,
            csrf,
            warnings: log_warnings(warnings),
            keys,
        })))
    }
}

/// Logs each of `build`'s warnings once, at `warn`, and keeps them for [`SessionConfig::warnings`].
fn log_warnings(warnings: Vec<String>) -> Vec<String> {
    for warning in &warnings {
        tracing::warn!(%warning, "session configuration");
    }
    warnings
}

/// What a migration from `from` changes in the cookie users had: `Secure`, `SameSite`, and whether it ends with
/// the browser session, each with the setting that keeps the old behaviour.
fn migration_changes(
    from: Format,
    to: Format,
    secure: bool,
    same_site: Option<SameSite>,
    browser_session_now: bool,
) -> Vec<String> {
    let d = from.defaults();
    let old = from.framework();
    let mut out = Vec::new();
    // actix-session's builder sets `Secure` by default (our format's default leaves it to the configuration).
    let old_secure = d.secure || matches!(from, Format::ActixPrivate | Format::ActixSigned);
    if old_secure && !secure {
        out.push(format!(
            "migrating from {old}: its cookie was Secure by default and the new {to} cookie is not; set \
            secure(true) to keep it (or ignore this if the old app turned Secure off)"
        ));
    }
    if d.same_site != same_site {
        let show = |s: Option<SameSite>| s.map_or_else(|| "none".to_owned(), |s| format!("{s:?}"));
        out.push(format!(
            "migrating from {old}: its cookie had SameSite {} and the new {to} cookie has {}; set same_site(...) \
            to keep it",
            show(d.same_site),
            show(same_site)
        ));
    }
    if browser_session(from, d.lifetime, false) && !browser_session_now {
        out.push(format!(
            "migrating from {old}: its cookie ended with the browser session and the new {to} cookie outlives it; \
            set expire_at_browser_close(true) (or lifetime_secs(0) where the format has no such setting) to \
            keep that"
        ));
    }
    out
}

/// The `Domain` attribute for a configured domain: Werkzeug drops a `:port` and leading dots; the rest must be
/// an ASCII host name, so that nothing can be injected into `Set-Cookie` (`;`), break the header (CR, LF,
/// control characters) or be ignored by browsers (spaces, non-ASCII). `None` when nothing is left.
fn cookie_domain(configured: &str) -> Result<Option<String>> {
    let d = configured.split(':').next().unwrap_or_default().trim_start_matches('.');
    if !d.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(SessionError::Config(format!(
            "cookie domain {configured:?} must be a host name: letters, digits, '-', '.' and '_' only (no ';', \
             spaces or control characters; write international names in their xn-- form)"
        )));
    }
    Ok((!d.is_empty()).then(|| d.to_owned()))
}

/// Werkzeug's `quote(path, safe="%!$&'()*+,/:=@")`.
fn quote_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~%!$&'()*+,/:=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::parse("0123456789abcdef").unwrap()
    }

    #[test]
    fn no_key_gives_flasks_message() {
        let err = SessionConfig::builder().build().unwrap_err().to_string();
        assert!(
            err.starts_with("The session is unavailable because no secret key was set."),
            "{err}"
        );
    }

    #[test]
    fn bad_combinations_are_refused_with_a_fix() {
        let err = SessionConfig::builder()
            .secret_key(key())
            .same_site(Some(SameSite::None))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("set secure(true)"), "{err}");
        assert!(
            SessionConfig::builder()
                .secret_key(key())
                .cookie_name("a b")
                .build()
                .is_err()
        );
        assert!(
            SessionConfig::builder()
                .secret_key(key())
                .cookie_name("__Host-s")
                .build()
                .is_err()
        );
        assert!(
            SessionConfig::builder()
                .secret_key(key())
                .same_site(Some(SameSite::None))
                .partitioned(true)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn domain_is_normalised_like_werkzeug() {
        let c = SessionConfig::builder()
            .secret_key(key())
            .domain(Some(".Example.com:8080".into()))
            .build()
            .unwrap();
        assert_eq!(c.0.domain.as_deref(), Some("Example.com"));
    }
}
