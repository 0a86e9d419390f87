//! The shared conformance harness: loads `testdata/vectors/*.json` (produced by real Flask) and runs every
//! vector against a [`Target`]: the core itself, or an adapter driving one request through its framework.
//!
//! An adapter's `tests/conformance.rs` implements [`Target::exchange`] (build the app with the given config
//! and a fixed clock, send one request with the given `Cookie` headers, run [`apply_actions`] in the handler
//! through the adapter's session, return status and headers) and calls [`assert_conformance`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod flash_csrf;

pub use flash_csrf::{CsrfRequest, FlashCsrf, csrf_requests};
use serde::Deserialize;
use serde_json::Value as J;
use session_core::wire::pyjson::{self, Separators};
use session_core::{
    CookieCodec, Digest, Format, KeyDerivation, Keyring, SameSite, SecretKey, SessionConfig, SessionHandle,
    SignerOptions, wire::json,
};

/// One view action from a scenario vector.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Action {
    /// `session.get(key)`; `expect` is the tagged JSON of what Flask saw (null when missing).
    Get {
        /// The key.
        key: String,
        /// What Flask's view observed.
        #[serde(default)]
        expect: J,
    },
    /// `key in session`.
    Contains {
        /// The key.
        key: String,
        /// What Flask's view observed.
        #[serde(default)]
        expect: J,
    },
    /// `session[key] = value` (value in tagged JSON form).
    Set {
        /// The key.
        key: String,
        /// The value, tagged.
        value: J,
    },
    /// `session.pop(key, None)`.
    Pop {
        /// The key.
        key: String,
    },
    /// `session.clear()`.
    Clear,
    /// `session.permanent = value`.
    SetPermanent {
        /// The new value.
        value: bool,
    },
    /// `sorted(session.keys())`.
    Keys {
        /// What Flask's view observed.
        #[serde(default)]
        expect: J,
    },
    /// The whole session as tagged JSON (used when replaying wire vectors through an adapter).
    Dump {
        /// Expected tagged JSON text of the session.
        #[serde(default)]
        expect: J,
    },
    /// Flash-message and Flask-WTF CSRF operations (`flask_flash.json`, `flask_wtf_csrf.json`).
    #[serde(untagged)]
    FlashCsrf(FlashCsrf),
}

/// One request to drive through a target.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The session configuration (build the adapter's layer/middleware from it).
    pub config: SessionConfig,
    /// Raw `Cookie` header values to send (zero or more headers).
    pub cookie_headers: Vec<String>,
    /// The fixed clock reading (Unix seconds) the adapter must use.
    pub now: u64,
    /// What the handler does, through the adapter's session ([`apply_actions`]).
    pub actions: Vec<Action>,
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// HTTP status.
    pub status: u16,
    /// Every `Set-Cookie` header value, in order.
    pub set_cookie: Vec<String>,
    /// Every `Vary` header value, in order (comma lists are split by the harness).
    pub vary: Vec<String>,
    /// The handler's observations (the response body parsed as a JSON array); empty when the status is not 200.
    pub observations: Vec<J>,
}

impl Outcome {
    /// The outcome of a framework's response: its status, every header as `(name, value)` (only `Set-Cookie`
    /// and `Vary` are kept), and its body (parsed as the handler's observations when the status is 200).
    pub fn from_response<'a>(status: u16, headers: impl IntoIterator<Item = (&'a str, &'a str)>, body: &[u8]) -> Self {
        let mut out = Self {
            status,
            ..Self::default()
        };
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                out.set_cookie.push(value.to_owned());
            } else if name.eq_ignore_ascii_case("vary") {
                out.vary.push(value.to_owned());
            }
        }
        if status == 200 {
            out.observations = serde_json::from_slice(body)
                .unwrap_or_else(|e| vec![J::String(format!("the body is not a JSON array: {e}"))]);
        }
        out
    }
}

/// Text of `len` printable ASCII characters that zlib cannot shrink much: a session holding it really is too
/// large for a cookie (adapters' oversize tests use it).
pub fn incompressible(len: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect()
}

/// Something the vectors can be run against.
pub trait Target {
    /// Short name for reports (`core`, `axum`, `actix`, `hyper`).
    fn name(&self) -> &'static str;
    /// Drives one request and returns what the client would see.
    fn exchange(&self, ex: &Exchange) -> Outcome;
}

/// Runs `actions` on a session handle (call this inside the handler) and returns the observations, which the
/// handler sends back as a JSON array body (`serde_json::to_string(&observations)`).
pub fn apply_actions(session: &SessionHandle, actions: &[Action]) -> Vec<J> {
    let mut out = Vec::new();
    for a in actions {
        match a {
            Action::Get { key, .. } => out.push(
                session
                    .get_value(key)
                    .map_or(J::Null, |v| parse_json(&json::to_tagged_json(&v))),
            ),
            // Values of the plain-JSON formats are plain JSON, which tagged JSON writes unchanged.
            Action::Contains { key, .. } => out.push(J::Bool(session.contains_key(key))),
            Action::Set { key, value } => match json::from_tagged_json(value.to_string().as_bytes()) {
                Ok(v) => {
                    session.insert_value(key.clone(), v);
                }
                Err(e) => out.push(J::String(format!("bad vector value: {e}"))),
            },
            Action::Pop { key } => {
                session.remove(key);
            }
            Action::Clear => session.clear(),
            Action::SetPermanent { value } => session.set_permanent(*value),
            Action::Keys { .. } => out.push(J::Array(session.keys().into_iter().map(J::String).collect())),
            Action::Dump { .. } => {
                let format = session.config().format();
                out.push(J::String(session.with(|s| session_json(format, s.data()))));
            }
            Action::FlashCsrf(op) => op.apply(session, &mut out),
        }
    }
    out
}

/// The session as the vectors of its format record it: Flask's tagged JSON; for the plain-JSON formats,
/// compact JSON with sorted keys (`json.dumps(s, separators=(",", ":"), sort_keys=True)`); of a `Map` or a
/// decoded `SessionData`.
pub fn session_json(format: Format, data: &impl session_core::Entries) -> String {
    match format {
        Format::Flask => json::map_to_tagged_json(data),
        // PHP's `serialize()` of the session, keys sorted: objects are compared byte for byte.
        Format::Laravel | Format::LaravelGcm => {
            let mut out = Vec::new();
            let len = data.entries().count();
            if let Err(e) = session_core::wire::php::write_map(data.entries(), len, &mut out) {
                return format!("unwritable session: {e}");
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => pyjson::dumps_map(data, Separators::COMPACT),
    }
}

fn parse_json(text: &str) -> J {
    serde_json::from_str(text).unwrap_or(J::String(text.to_owned()))
}

/// The expected observations of a list of actions (the `expect` fields, in order).
fn expected_observations(actions: &[Action]) -> Vec<J> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Get { expect, .. }
            | Action::Contains { expect, .. }
            | Action::Keys { expect, .. }
            | Action::Dump { expect, .. } => Some(expect.clone()),
            Action::FlashCsrf(op) => op.expect().cloned(),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Vector files

#[derive(Debug, Deserialize)]
struct VectorFile {
    file: String,
    /// The wire format of every case.
    #[allow(dead_code, reason = "read from the document before the cases are parsed")]
    format: String,
    cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Case {
    Wire(WireCase),
    Scenario(ScenarioCase),
    /// Rails and actix-session (made from their own vector schema, not read with serde).
    #[serde(skip)]
    Encrypted(EncryptedCase),
}

#[derive(Debug, Clone)]
struct EncryptedCase {
    id: String,
    comment: String,
    secret: String,
    fallbacks: Vec<String>,
    digest: Option<String>,
    /// Our `only_configured_digest`: a codec setting, not a `SessionConfig` one.
    only_configured_digest: bool,
    cookie_name: String,
    cookie: String,
    /// The whole `Cookie` header, for a session of several cookies (Laravel's id and payload cookies); else
    /// the request carries `cookie_name=cookie`.
    cookie_header: Option<String>,
    now: u64,
    /// The session the framework read, or `None` for a refusal.
    session: Option<J>,
    /// The session as the format's own dump writes it (Laravel: PHP `serialize()` with sorted keys), when the
    /// vector records it that way instead of as JSON.
    session_text: Option<String>,
    /// The framework's `Set-Cookie` headers after reading the session (`[{name, attributes}]`, attribute names
    /// as the framework spells them; `<id>` for a cookie named by the session id): ours must carry the same.
    set_cookie: Option<J>,
    rewrite: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Keys {
    secret_key: String,
    #[serde(default)]
    fallbacks: Vec<String>,
}

/// Signer settings; any left out are the format's defaults.
#[derive(Debug, Clone, Default, Deserialize)]
struct Signer {
    digest: Option<String>,
    key_derivation: Option<String>,
    salt: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Sign {
    /// The exact serialized text inside the cookie (Flask: tagged JSON).
    #[serde(alias = "json")]
    tagged_json: String,
    timestamp: u64,
    compressed: bool,
    key: String,
}

#[derive(Debug, Clone, Deserialize)]
struct WireExpected {
    result: String,
    #[serde(alias = "json")]
    tagged_json: Option<String>,
    key: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct WireCase {
    id: String,
    comment: String,
    keys: Keys,
    #[serde(default)]
    signer: Signer,
    now: u64,
    max_age: u64,
    cookie: String,
    sign: Option<Sign>,
    expected: WireExpected,
}

#[derive(Debug, Clone, Deserialize)]
struct ExpectedCookie {
    name: String,
    value: String,
    attributes: BTreeMap<String, J>,
    #[serde(alias = "json")]
    tagged_json: Option<String>,
    timestamp: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
struct ScenarioExpected {
    status: u16,
    vary: Vec<String>,
    set_cookie: Vec<ExpectedCookie>,
}

#[derive(Debug, Clone, Deserialize)]
struct ScenarioCase {
    id: String,
    comment: String,
    /// The framework's own settings (its names); read for the formats that predate `ours`.
    config: BTreeMap<String, J>,
    /// The same settings in our builder's names (`secret_key`, `fallbacks`, `cookie_name`, `lifetime_secs`,
    /// `path`, `domain`, `secure`, `http_only`, `same_site`, `max_cookie_size`, `refresh_each_request`,
    /// `expire_at_browser_close`, `encryption_keys`): a format whose vectors carry them needs no code here.
    #[serde(default)]
    ours: Option<BTreeMap<String, J>>,
    now: u64,
    request_cookies: Vec<String>,
    actions: Vec<Action>,
    expected: ScenarioExpected,
}

/// The directory holding the vector files (`testdata/vectors` at the workspace root).
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors")
}

fn load_cases() -> Result<Vec<(String, Format, Case)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .map_err(|e| format!("cannot read {}: {e}", vectors_dir().display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let doc: J = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        // Every file names its format; the encrypted formats' files have their own case schema (no `kind`).
        let format = Format::from_name(
            doc["format"]
                .as_str()
                .ok_or_else(|| format!("{name}: no format field"))?,
        )
        .map_err(|e| format!("{name}: {e}"))?;
        let own_schema = doc["cases"]
            .as_array()
            .is_some_and(|cases| cases.iter().all(|c| c.get("kind").is_none()));
        if own_schema {
            out.extend(encrypted_cases(name, format, &doc)?);
            continue;
        }
        let file: VectorFile = serde_json::from_value(doc).map_err(|e| format!("{}: {e}", f.display()))?;
        let group = file.file.trim_end_matches(".json").to_owned();
        out.extend(file.cases.into_iter().map(|c| (group.clone(), format, c)));
    }
    Ok(out)
}

/// The Rails and actix-session vectors (their own schema: `scripts/rails_vectors.rb`,
/// `interop/actix-session-ref`) as cases: the cookie real Rails or actix-session made, our settings, and the
/// session the framework read from it (or a refusal).
fn encrypted_cases(name: &str, file_format: Format, doc: &J) -> Result<Vec<(String, Format, Case)>, String> {
    let group = name.trim_end_matches(".json").to_owned();
    let str_of = |v: &J, k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{name}: {k} missing"))
    };
    let mut out = Vec::new();
    for c in doc["cases"].as_array().ok_or_else(|| format!("{name}: no cases"))? {
        let ours = &c["ours"];
        if matches!(file_format, Format::Laravel | Format::LaravelGcm) {
            let (format, case) = laravel_case(name, c)?;
            out.push((group.clone(), format, case));
            continue;
        }
        let (format, secret, digest) = match (file_format, c["mode"].as_str()) {
            (Format::Rails, _) => (
                Format::Rails,
                str_of(ours, "secret_key_base")?,
                Some(str_of(ours, "digest")?),
            ),
            // actix-session's files hold both jars: each case's `mode` says which made it.
            (_, Some("signed")) => (Format::ActixSigned, str_of(ours, "key")?, None),
            (other, _) => (other, str_of(ours, "key")?, None),
        };
        let expected = &c["expected"];
        out.push((
            group.clone(),
            format,
            Case::Encrypted(EncryptedCase {
                id: str_of(c, "id")?,
                comment: str_of(c, "comment")?,
                secret,
                fallbacks: ours["fallbacks"]
                    .as_array()
                    .map(|a| a.iter().filter_map(J::as_str).map(str::to_owned).collect())
                    .unwrap_or_default(),
                digest,
                only_configured_digest: ours["only_configured_digest"] == true,
                cookie_name: str_of(ours, "cookie_name")?,
                cookie: str_of(c, "cookie")?,
                cookie_header: None,
                now: c["now"].as_u64().unwrap_or(1_700_000_000),
                session: (expected["result"] == "valid").then(|| expected["session"].clone()),
                session_text: None,
                set_cookie: None,
                rewrite: expected["rewrite"] == true,
            }),
        ));
    }
    Ok(out)
}

/// A Laravel case (`scripts/laravel_vectors.php`): the request's whole `Cookie` header, our settings, and the
/// session as PHP `serialize()` writes it (keys sorted), or a refusal. Laravel writes its cookies on every
/// request, so a session that opens is always written again.
fn laravel_case(name: &str, c: &J) -> Result<(Format, Case), String> {
    let str_of = |v: &J, k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{name}: {k} missing"))
    };
    let ours = &c["ours"];
    let format = Format::from_name(&str_of(ours, "format")?).map_err(|e| format!("{name}: {e}"))?;
    let expected = &c["expected"];
    let valid = expected["result"] == "valid";
    Ok((
        format,
        Case::Encrypted(EncryptedCase {
            id: str_of(c, "id")?,
            comment: str_of(c, "comment")?,
            secret: str_of(ours, "secret_key")?,
            fallbacks: ours["fallbacks"]
                .as_array()
                .map(|a| a.iter().filter_map(J::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            digest: None,
            only_configured_digest: false,
            cookie_name: str_of(ours, "cookie_name")?,
            cookie: String::new(),
            cookie_header: Some(str_of(c, "cookie_header")?),
            now: c["now"].as_u64().unwrap_or(1_700_000_000),
            session: None,
            session_text: if valid {
                Some(str_of(expected, "serialized")?)
            } else {
                None
            },
            // Laravel's own attributes where we read what it read.
            set_cookie: (valid && c["laravel"] == *expected).then(|| c["laravel_set_cookie"].clone()),
            rewrite: valid,
        }),
    ))
}

/// An encrypted-format case replayed as a request: the session must be what the framework read, or empty.
fn check_encrypted_exchange(target: &dyn Target, format: Format, c: &EncryptedCase) -> Result<(), String> {
    let mut builder = SessionConfig::builder()
        .format(format)
        .secret_key(SecretKey::parse(&c.secret).map_err(|e| e.to_string())?)
        .fallbacks(
            c.fallbacks
                .iter()
                .map(|f| SecretKey::parse(f).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?,
        )
        .cookie_name(c.cookie_name.clone());
    if let Some(d) = &c.digest {
        builder = builder.digest(Digest::from_name(d).map_err(|e| e.to_string())?);
    }
    let config = builder.build().map_err(|e| e.to_string())?;
    let expect = match (&c.session_text, &c.session) {
        (Some(text), _) => text.clone(),
        (None, Some(J::Object(_))) => match session_core::Value::from(c.session.clone().unwrap_or_default()) {
            session_core::Value::Dict(m) => session_json(format, &m),
            _ => return Err("the expected session is not an object".into()),
        },
        _ => session_json(format, &session_core::Map::new()),
    };
    let header = c
        .cookie_header
        .clone()
        .unwrap_or_else(|| format!("{}={}", c.cookie_name, c.cookie));
    let out = replay_dump(target, config, header, c.now, &expect)?;
    // Re-encrypted with the current key and digest exactly when the vector says so.
    if out.set_cookie.is_empty() == c.rewrite {
        return Err(format!(
            "Set-Cookie {:?}, expected a rewrite: {}",
            out.set_cookie, c.rewrite
        ));
    }
    if let Some(J::Array(want)) = &c.set_cookie {
        let written: Vec<J> = out
            .set_cookie
            .iter()
            .filter(|h| !h.split(';').next().unwrap_or_default().ends_with("=deleted"))
            .map(|h| {
                let mut parts = h.split(';').map(str::trim);
                let name = parts.next().unwrap_or_default().split('=').next().unwrap_or_default();
                let name = if name == c.cookie_name { name } else { "<id>" };
                let attributes: serde_json::Map<String, J> = parts
                    .map(|p| match p.split_once('=') {
                        Some((k, v)) => (k.to_owned(), J::String(v.to_owned())),
                        None => (p.to_owned(), J::Bool(true)),
                    })
                    .collect();
                serde_json::json!({"name": name, "attributes": attributes})
            })
            .collect();
        if written != *want {
            return Err(format!("Set-Cookie {written:?}, the framework's {want:?}"));
        }
    }
    Ok(())
}

fn key(text: &str) -> Result<SecretKey, String> {
    SecretKey::parse_insecure_short(text).map_err(|e| e.to_string())
}

fn keyring(k: &Keys) -> Result<Keyring, String> {
    Ok(Keyring::new(key(&k.secret_key)?)
        .with_fallbacks(k.fallbacks.iter().map(|f| key(f)).collect::<Result<Vec<_>, _>>()?))
}

fn signer_options(format: Format, s: &Signer) -> Result<SignerOptions, String> {
    let d = format.defaults().signer;
    Ok(SignerOptions {
        digest: match &s.digest {
            Some(n) => Digest::from_name(n).map_err(|e| e.to_string())?,
            None => d.digest,
        },
        key_derivation: match &s.key_derivation {
            Some(n) => KeyDerivation::from_name(n).map_err(|e| e.to_string())?,
            None => d.key_derivation,
        },
        salt: s.salt.clone().unwrap_or(d.salt),
    })
}

fn wire_config(format: Format, c: &WireCase) -> Result<SessionConfig, String> {
    let opts = signer_options(format, &c.signer)?;
    let ring = keyring(&c.keys)?;
    SessionConfig::builder()
        .format(format)
        .secret_key(ring.current().clone())
        .fallbacks(ring.fallbacks().to_vec())
        .digest(opts.digest)
        .key_derivation(opts.key_derivation)
        .salt(opts.salt)
        .lifetime_secs(c.max_age)
        .build()
        .map_err(|e| e.to_string())
}

fn flask_config(cfg: &BTreeMap<String, J>) -> Result<SessionConfig, String> {
    let s = |k: &str| cfg.get(k).and_then(J::as_str).map(str::to_owned);
    let b = |k: &str, d: bool| cfg.get(k).and_then(J::as_bool).unwrap_or(d);
    let n = |k: &str, d: u64| cfg.get(k).and_then(J::as_u64).unwrap_or(d);
    let mut builder = SessionConfig::builder()
        .secret_key(key(&s("SECRET_KEY").ok_or("SECRET_KEY missing")?)?)
        .cookie_name(s("SESSION_COOKIE_NAME").unwrap_or_else(|| "session".into()))
        .domain(s("SESSION_COOKIE_DOMAIN"))
        .path(s("SESSION_COOKIE_PATH").unwrap_or_else(|| "/".into()))
        .http_only(b("SESSION_COOKIE_HTTPONLY", true))
        .secure(b("SESSION_COOKIE_SECURE", false))
        .partitioned(b("SESSION_COOKIE_PARTITIONED", false))
        .refresh_each_request(b("SESSION_REFRESH_EACH_REQUEST", true))
        .lifetime_secs(n("PERMANENT_SESSION_LIFETIME", session_core::DEFAULT_LIFETIME_SECS))
        .max_cookie_size(n("MAX_COOKIE_SIZE", 4093) as usize);
    if let Some(ss) = s("SESSION_COOKIE_SAMESITE") {
        builder = builder.same_site(Some(SameSite::from_name(&ss).map_err(|e| e.to_string())?));
    }
    if let Some(J::Array(fb)) = cfg.get("SECRET_KEY_FALLBACKS") {
        for f in fb {
            builder = builder.fallback(key(f.as_str().ok_or("fallback key is not a string")?)?);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

fn starlette_config(cfg: &BTreeMap<String, J>) -> Result<SessionConfig, String> {
    let s = |k: &str| cfg.get(k).and_then(J::as_str).map(str::to_owned);
    let b = |k: &str, d: bool| cfg.get(k).and_then(J::as_bool).unwrap_or(d);
    let d = Format::Starlette.defaults();
    let mut builder = SessionConfig::builder()
        .format(Format::Starlette)
        .secret_key(key(&s("secret_key").ok_or("secret_key missing")?)?)
        .cookie_name(s("session_cookie").unwrap_or_else(|| d.cookie_name.into()))
        .path(s("path").unwrap_or_else(|| "/".into()))
        .domain(s("domain"))
        .secure(b("https_only", false))
        .partitioned(b("partitioned", false));
    builder = match cfg.get("max_age") {
        // `max_age=None`: browser-session cookies, read at any age.
        Some(J::Null) => builder.expire_at_browser_close(true),
        max_age => builder.lifetime_secs(max_age.and_then(J::as_u64).unwrap_or(d.lifetime)),
    };
    if let Some(ss) = s("same_site") {
        builder = builder.same_site(Some(SameSite::from_name(&ss).map_err(|e| e.to_string())?));
    }
    builder.build().map_err(|e| e.to_string())
}

fn django_config(cfg: &BTreeMap<String, J>) -> Result<SessionConfig, String> {
    let s = |k: &str| cfg.get(k).and_then(J::as_str).map(str::to_owned);
    let b = |k: &str, d: bool| cfg.get(k).and_then(J::as_bool).unwrap_or(d);
    let d = Format::Django.defaults();
    let mut builder = SessionConfig::builder()
        .format(Format::Django)
        .secret_key(key(&s("SECRET_KEY").ok_or("SECRET_KEY missing")?)?)
        .cookie_name(s("SESSION_COOKIE_NAME").unwrap_or_else(|| d.cookie_name.into()))
        .domain(s("SESSION_COOKIE_DOMAIN"))
        .path(s("SESSION_COOKIE_PATH").unwrap_or_else(|| "/".into()))
        .http_only(b("SESSION_COOKIE_HTTPONLY", true))
        .secure(b("SESSION_COOKIE_SECURE", false))
        .refresh_each_request(b("SESSION_SAVE_EVERY_REQUEST", false))
        .expire_at_browser_close(b("SESSION_EXPIRE_AT_BROWSER_CLOSE", false))
        .lifetime_secs(cfg.get("SESSION_COOKIE_AGE").and_then(J::as_u64).unwrap_or(d.lifetime))
        .same_site(match s("SESSION_COOKIE_SAMESITE") {
            Some(ss) => Some(SameSite::from_name(&ss).map_err(|e| e.to_string())?),
            None => None,
        });
    if let Some(J::Array(fb)) = cfg.get("SECRET_KEY_FALLBACKS") {
        for f in fb {
            builder = builder.fallback(key(f.as_str().ok_or("fallback key is not a string")?)?);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------------------
// Checks

/// The result of one vector on one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseResult {
    /// The wire format (profile) of the vector: `flask`, `starlette`, `django`.
    pub format: &'static str,
    /// Vector file (without `.json`).
    pub group: String,
    /// Vector id.
    pub id: String,
    /// `pass`, `fail` or `skip`.
    pub status: &'static str,
    /// Why it failed or was skipped.
    pub reason: String,
}

/// All results of one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The target's name.
    pub target: String,
    /// One entry per vector.
    pub cases: Vec<CaseResult>,
}

impl Report {
    /// Count of results with the given status.
    pub fn count(&self, status: &str) -> usize {
        self.cases.iter().filter(|c| c.status == status).count()
    }
}

fn check_wire_codec(format: Format, c: &WireCase) -> Result<(), String> {
    let codec = CookieCodec::for_format(format, &keyring(&c.keys)?, signer_options(format, &c.signer)?);
    if let Some(sign) = &c.sign {
        // Flask signed with `sign.key`; sign with that key as our current key.
        let signing_key = match sign.key.strip_prefix("fallback:") {
            Some(i) => c
                .keys
                .fallbacks
                .get(i.parse::<usize>().map_err(|e| e.to_string())?)
                .ok_or("no such fallback")?,
            None => &c.keys.secret_key,
        };
        let signing = CookieCodec::for_format(
            format,
            &Keyring::new(key(signing_key)?),
            signer_options(format, &c.signer)?,
        );
        let ours = signing.encode_json(&sign.tagged_json, sign.timestamp);
        if sign.compressed {
            let back = codec
                .decode(&ours, sign.timestamp, None)
                .map_err(|e| format!("our compressed cookie does not decode: {e}"))?;
            let ours_json = session_json(format, &back.data);
            let theirs = match format {
                Format::Flask => json::from_tagged_json(sign.tagged_json.as_bytes()),
                _ => json::from_plain_json(sign.tagged_json.as_bytes()),
            }
            .map_err(|e| e.to_string())?;
            let session_core::Value::Dict(theirs) = theirs else {
                return Err("the signed text is not an object".into());
            };
            if ours_json != session_json(format, &theirs) {
                return Err(format!("compressed round trip differs: {ours_json}"));
            }
            // The re-encoding of what the framework wrote must also be compressed (its rule decided so).
            if !ours.starts_with('.') {
                return Err(format!("{format} compressed this payload but we did not"));
            }
        } else if ours != c.cookie {
            return Err(format!("signing differs:\n   ours  {ours}\n   {format} {}", c.cookie));
        }
    }
    let got = codec.decode(&c.cookie, c.now, Some(c.max_age));
    match (c.expected.result.as_str(), got) {
        ("valid", Ok(d)) => {
            let ours = session_json(format, &d.data);
            if Some(&ours) != c.expected.tagged_json.as_ref() {
                return Err(format!("decoded to {ours}, expected {:?}", c.expected.tagged_json));
            }
            let k = d.key.to_string();
            if c.expected.key.as_deref().is_some_and(|e| e != k) {
                return Err(format!("verified by {k}, expected {:?}", c.expected.key));
            }
            Ok(())
        }
        ("valid", Err(e)) => Err(format!("refused ({}): {e}", e.kind())),
        ("invalid", Ok(d)) => Err(format!("accepted as {}", session_json(format, &d.data))),
        ("invalid", Err(e)) => {
            if Some(e.kind().as_str()) == c.expected.error.as_deref() {
                Ok(())
            } else {
                Err(format!(
                    "refused as {} ({e}), expected {:?}",
                    e.kind(),
                    c.expected.error
                ))
            }
        }
        (other, _) => Err(format!("unknown expected result {other:?}")),
    }
}

/// A wire vector replayed as a request: the session must contain what Flask decoded, or be empty.
fn check_wire_exchange(target: &dyn Target, format: Format, c: &WireCase) -> Result<(), String> {
    let config = wire_config(format, c)?;
    let expect = match c.expected.result.as_str() {
        "valid" => c.expected.tagged_json.clone().unwrap_or_default(),
        _ => "{}".to_owned(),
    };
    let cookie = format!("{}={}", config.cookie_name(), c.cookie);
    let out = replay_dump(target, config, cookie, c.now, &expect)?;
    let refreshed = (format == Format::Flask && expect.contains(r#""_permanent":true"#))
        || c.expected.key.as_deref().is_some_and(|k| k != "current");
    if !refreshed && !out.set_cookie.is_empty() {
        return Err(format!("unexpected Set-Cookie {:?}", out.set_cookie));
    }
    Ok(())
}

/// Sends one request carrying `cookie_header` through `target` with a handler that dumps the session, and checks
/// that it answered 200 and saw exactly `expect`; the response is returned for the caller's `Set-Cookie` checks.
fn replay_dump(
    target: &dyn Target,
    config: SessionConfig,
    cookie_header: String,
    now: u64,
    expect: &str,
) -> Result<Outcome, String> {
    let ex = Exchange {
        cookie_headers: vec![cookie_header],
        config,
        now,
        actions: vec![Action::Dump {
            expect: J::String(expect.to_owned()),
        }],
    };
    let out = target.exchange(&ex);
    if out.status != 200 {
        return Err(format!("status {}", out.status));
    }
    if out.observations != [J::String(expect.to_owned())] {
        return Err(format!("session {:?}, expected {expect}", out.observations));
    }
    Ok(out)
}

fn parse_set_cookie(header: &str) -> (String, String, BTreeMap<String, J>) {
    let mut parts = header.split(';').map(str::trim);
    let (name, value) = parts.next().unwrap_or_default().split_once('=').unwrap_or_default();
    let attrs = parts
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (canonical_attr(k), J::String(v.to_owned())),
            None => (canonical_attr(p), J::Bool(true)),
        })
        .collect();
    (name.to_owned(), value.to_owned(), attrs)
}

fn canonical_attr(name: &str) -> String {
    const NAMES: [&str; 8] = [
        "Domain",
        "Expires",
        "Max-Age",
        "Secure",
        "HttpOnly",
        "Path",
        "SameSite",
        "Partitioned",
    ];
    NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_owned(), |n| (*n).to_owned())
}

/// A configuration from settings in our builder's names (a scenario's `ours`), for any format.
fn our_config(format: Format, cfg: &BTreeMap<String, J>) -> Result<SessionConfig, String> {
    let s = |k: &str| cfg.get(k).and_then(J::as_str).map(str::to_owned);
    let b = |k: &str| cfg.get(k).and_then(J::as_bool);
    let n = |k: &str| cfg.get(k).and_then(J::as_u64);
    let mut builder = SessionConfig::builder()
        .format(format)
        .secret_key(key(&s("secret_key").ok_or("secret_key missing")?)?)
        .domain(s("domain"));
    for f in cfg.get("fallbacks").and_then(J::as_array).into_iter().flatten() {
        builder = builder.fallback(key(f.as_str().ok_or("a fallback key is not a string")?)?);
    }
    for k in cfg.get("encryption_keys").and_then(J::as_array).into_iter().flatten() {
        builder = builder.encryption_key(key(k.as_str().ok_or("an encryption key is not a string")?)?);
    }
    if let Some(v) = s("cookie_name") {
        builder = builder.cookie_name(v);
    }
    if let Some(v) = s("path") {
        builder = builder.path(v);
    }
    if let Some(v) = n("lifetime_secs") {
        builder = builder.lifetime_secs(v);
    }
    if let Some(v) = n("max_cookie_size") {
        builder = builder.max_cookie_size(usize::try_from(v).map_err(|e| e.to_string())?);
    }
    if let Some(v) = b("secure") {
        builder = builder.secure(v);
    }
    if let Some(v) = b("http_only") {
        builder = builder.http_only(v);
    }
    if let Some(v) = b("refresh_each_request") {
        builder = builder.refresh_each_request(v);
    }
    if let Some(v) = b("expire_at_browser_close") {
        builder = builder.expire_at_browser_close(v);
    }
    if let Some(ids) = cfg.get("key_ids").and_then(J::as_array) {
        builder = builder.key_ids(ids.iter().filter_map(J::as_str));
    }
    if let Some(v) = n("cookie_chunks") {
        builder = builder.cookie_chunks(usize::try_from(v).map_err(|e| e.to_string())?);
    }
    match cfg.get("same_site") {
        Some(J::String(v)) => builder = builder.same_site(Some(SameSite::from_name(v).map_err(|e| e.to_string())?)),
        Some(J::Null) => builder = builder.same_site(None),
        _ => {}
    }
    builder.build().map_err(|e| e.to_string())
}

/// Two sessions' JSON texts without a `jti` claim (a JWT's random id) when the expected one has it.
fn without_jti(ours: String, theirs: Option<String>) -> (String, Option<String>) {
    let strip = |text: &str| -> Option<String> {
        let mut v: J = serde_json::from_str(text).ok()?;
        v.as_object_mut()?.remove("jti")?;
        Some(v.to_string())
    };
    match theirs.as_deref().and_then(strip) {
        Some(t) => (strip(&ours).unwrap_or(ours), Some(t)),
        None => (ours, theirs),
    }
}

fn check_scenario(target: &dyn Target, format: Format, c: &ScenarioCase) -> Result<(), String> {
    let config = match (&c.ours, format) {
        (Some(ours), _) => our_config(format, ours)?,
        (None, Format::Starlette) => starlette_config(&c.config)?,
        (None, Format::Django) => django_config(&c.config)?,
        (None, _) => flask_config(&c.config)?,
    };
    let ex = Exchange {
        config: config.clone(),
        cookie_headers: c.request_cookies.clone(),
        now: c.now,
        actions: c.actions.clone(),
    };
    let out = target.exchange(&ex);
    let mut errs = Vec::new();
    if out.status != c.expected.status {
        errs.push(format!("status {} (expected {})", out.status, c.expected.status));
    }
    let norm = |v: &[String]| {
        let mut v: Vec<String> = v
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if norm(&out.vary) != norm(&c.expected.vary) {
        errs.push(format!("Vary {:?} (expected {:?})", out.vary, c.expected.vary));
    }
    if out.set_cookie.len() != c.expected.set_cookie.len() {
        errs.push(format!(
            "Set-Cookie {:?} (expected {} header(s))",
            out.set_cookie,
            c.expected.set_cookie.len()
        ));
    } else {
        // The response's cookies as the next request would carry them, for decoding a session that spans
        // several (a `.sig` companion).
        let parsed: Vec<_> = out.set_cookie.iter().map(|h| parse_set_cookie(h)).collect();
        let next_request = parsed
            .iter()
            .filter(|(_, v, _)| !v.is_empty())
            .map(|(n, v, _)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        for ((name, value, attrs), exp) in parsed.iter().zip(&c.expected.set_cookie) {
            if *name != exp.name {
                errs.push(format!("cookie name {name:?} (expected {:?})", exp.name));
            }
            if *attrs != exp.attributes {
                errs.push(format!("attributes {attrs:?} (expected {:?})", exp.attributes));
            }
            let deletion = exp.tagged_json.is_none();
            // A companion (a `.sig`) carries no session of its own: it is right when the whole response decodes.
            let companion = deletion && !exp.value.is_empty() && format != Format::Flask;
            let by_decoding = exp.value.starts_with('.') || value.starts_with('.') || format != Format::Flask;
            if by_decoding && (!deletion || companion) && *value != exp.value {
                // Compressed: compare by decoding (deflate output may differ between zlib builds). Plain-JSON
                // formats: Python and JavaScript write keys in insertion order, we in code-point order; compare
                // the sessions.
                let claimed = config.codec().claim(&[next_request.as_str()]);
                match config.codec().decode_claimed(&claimed, c.now, None) {
                    Ok(_) if companion => {}
                    Ok(d) => {
                        // A token's `jti` is random on every write: compared without it.
                        let (ours, theirs) = without_jti(session_json(format, &d.data), exp.tagged_json.clone());
                        if Some(&ours) != theirs.as_ref() || d.timestamp != exp.timestamp {
                            errs.push(format!(
                                "cookie decodes to {ours} @{:?} (expected {:?} @{:?})",
                                d.timestamp, exp.tagged_json, exp.timestamp
                            ));
                        }
                    }
                    Err(e) => errs.push(format!("our cookies do not decode: {e}")),
                }
            } else if *value != exp.value {
                errs.push(format!("cookie value {value} (expected {})", exp.value));
            }
        }
    }
    if out.status == 200 {
        let want = expected_observations(&c.actions);
        if out.observations != want {
            errs.push(format!("view saw {:?} (expected {want:?})", out.observations));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs.join("; ")) }
}

/// Runs every vector against `target`.
///
/// # Errors
/// When the vector files cannot be read or parsed.
pub fn run(target: &dyn Target) -> Result<Report, String> {
    let mut cases = Vec::new();
    for (group, format, case) in load_cases()? {
        let (id, comment, result) = match &case {
            Case::Wire(w) => {
                let r = if target.name() == "core" {
                    check_wire_codec(format, w).and_then(|()| check_wire_exchange(target, format, w))
                } else {
                    check_wire_exchange(target, format, w)
                };
                (w.id.clone(), w.comment.clone(), r)
            }
            Case::Scenario(s) => (s.id.clone(), s.comment.clone(), check_scenario(target, format, s)),
            Case::Encrypted(e) if e.only_configured_digest => (
                e.id.clone(),
                e.comment.clone(),
                Err(
                    "skip: reading only the configured Rails digest is a codec setting (session-core's tests run it)"
                        .to_owned(),
                ),
            ),
            Case::Encrypted(e) => (
                e.id.clone(),
                e.comment.clone(),
                check_encrypted_exchange(target, format, e),
            ),
        };
        let (status, reason) = match result {
            Ok(()) => ("pass", String::new()),
            Err(e) if e.starts_with("skip: ") => ("skip", e),
            Err(e) => ("fail", format!("{comment}: {e}")),
        };
        cases.push(CaseResult {
            format: format.name(),
            group: group.clone(),
            id,
            status,
            reason,
        });
    }
    Ok(Report {
        target: target.name().to_owned(),
        cases,
    })
}

/// Runs every vector, prints failures and skips, writes `$CONFORMANCE_REPORT_DIR/<target>.json` when that
/// variable is set, and panics if anything failed. This is what each `tests/conformance.rs` calls.
///
/// # Panics
/// When a vector fails or the vectors cannot be loaded.
pub fn assert_conformance(target: &dyn Target) {
    let report = match run(target) {
        Ok(r) => r,
        Err(e) => panic!("cannot load vectors: {e}"),
    };
    if let Some(dir) = std::env::var_os("CONFORMANCE_REPORT_DIR") {
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{}.json", report.target));
        if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap_or_default()) {
            eprintln!("cannot write {}: {e}", path.display());
        }
    }
    let mut msg = String::new();
    for c in report.cases.iter().filter(|c| c.status != "pass") {
        let _ = writeln!(
            msg,
            "[{}] {} {}/{}: {}",
            report.target, c.status, c.group, c.id, c.reason
        );
    }
    eprint!("{msg}");
    let (p, f, s) = (report.count("pass"), report.count("fail"), report.count("skip"));
    eprintln!(
        "[{}] {} vectors: {p} passed, {f} failed, {s} skipped",
        report.target,
        report.cases.len()
    );
    assert!(f == 0, "{f} conformance vector(s) failed for {}", report.target);
}

/// The core itself as a target: no framework, the [`SessionHandle`] every adapter wraps.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreTarget;

impl Target for CoreTarget {
    fn name(&self) -> &'static str {
        "core"
    }

    fn exchange(&self, ex: &Exchange) -> Outcome {
        let handle = SessionHandle::new(ex.config.clone(), ex.cookie_headers.clone(), ex.now);
        let observations = apply_actions(&handle, &ex.actions);
        match handle.finish() {
            Ok(out) => Outcome {
                status: 200,
                vary: if out.vary_cookie { vec!["Cookie".into()] } else { vec![] },
                set_cookie: out.into_set_cookies().collect(),
                observations,
            },
            Err(_) => Outcome {
                status: 500,
                vary: vec!["Cookie".into()],
                ..Outcome::default()
            },
        }
    }
}
