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
use session_core::{
    CookieCodec, Digest, KeyDerivation, Keyring, SameSite, SecretKey, SessionConfig, SessionHandle, SignerOptions, json,
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
            Action::Dump { .. } => out.push(J::String(session.with(|s| json::map_to_tagged_json(s.data())))),
            Action::FlashCsrf(op) => op.apply(session, &mut out),
        }
    }
    out
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
    cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Case {
    Wire(WireCase),
    Scenario(ScenarioCase),
}

#[derive(Debug, Clone, Deserialize)]
struct Keys {
    secret_key: String,
    #[serde(default)]
    fallbacks: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Signer {
    digest: String,
    key_derivation: String,
    salt: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Sign {
    tagged_json: String,
    timestamp: u64,
    compressed: bool,
    key: String,
}

#[derive(Debug, Clone, Deserialize)]
struct WireExpected {
    result: String,
    tagged_json: Option<String>,
    key: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct WireCase {
    id: String,
    comment: String,
    keys: Keys,
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
    config: BTreeMap<String, J>,
    now: u64,
    request_cookies: Vec<String>,
    actions: Vec<Action>,
    expected: ScenarioExpected,
}

/// The directory holding the vector files (`testdata/vectors` at the workspace root).
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vectors")
}

fn load_cases() -> Result<Vec<(String, Case)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .map_err(|e| format!("cannot read {}: {e}", vectors_dir().display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let file: VectorFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        let group = file.file.trim_end_matches(".json").to_owned();
        out.extend(file.cases.into_iter().map(|c| (group.clone(), c)));
    }
    Ok(out)
}

fn key(text: &str) -> Result<SecretKey, String> {
    SecretKey::parse_insecure_short(text).map_err(|e| e.to_string())
}

fn keyring(k: &Keys) -> Result<Keyring, String> {
    Ok(Keyring::new(key(&k.secret_key)?)
        .with_fallbacks(k.fallbacks.iter().map(|f| key(f)).collect::<Result<Vec<_>, _>>()?))
}

fn signer_options(s: &Signer) -> Result<SignerOptions, String> {
    Ok(SignerOptions {
        digest: Digest::from_name(&s.digest).map_err(|e| e.to_string())?,
        key_derivation: KeyDerivation::from_name(&s.key_derivation).map_err(|e| e.to_string())?,
        salt: s.salt.clone(),
    })
}

fn wire_config(c: &WireCase) -> Result<SessionConfig, String> {
    let opts = signer_options(&c.signer)?;
    let ring = keyring(&c.keys)?;
    SessionConfig::builder()
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

// ---------------------------------------------------------------------------------------------------------
// Checks

/// The result of one vector on one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseResult {
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

fn check_wire_codec(c: &WireCase) -> Result<(), String> {
    let codec = CookieCodec::new(&keyring(&c.keys)?, signer_options(&c.signer)?);
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
        let signing = CookieCodec::new(&Keyring::new(key(signing_key)?), signer_options(&c.signer)?);
        let ours = signing.encode_json(&sign.tagged_json, sign.timestamp);
        if sign.compressed {
            let back = codec
                .decode(&ours, sign.timestamp, None)
                .map_err(|e| format!("our compressed cookie does not decode: {e}"))?;
            let ours_json = json::map_to_tagged_json(&back.data);
            let value = json::from_tagged_json(sign.tagged_json.as_bytes()).map_err(|e| e.to_string())?;
            if ours_json != json::to_tagged_json(&value) {
                return Err(format!("compressed round trip differs: {ours_json}"));
            }
            // The re-encoding of what Flask wrote must also be compressed (Flask's rule decided so).
            if !ours.starts_with('.') {
                return Err("Flask compressed this payload but we did not".into());
            }
        } else if ours != c.cookie {
            return Err(format!("signing differs:\n   ours  {ours}\n   flask {}", c.cookie));
        }
    }
    let got = codec.decode(&c.cookie, c.now, Some(c.max_age));
    match (c.expected.result.as_str(), got) {
        ("valid", Ok(d)) => {
            let ours = json::map_to_tagged_json(&d.data);
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
        ("invalid", Ok(d)) => Err(format!("accepted as {}", json::map_to_tagged_json(&d.data))),
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
fn check_wire_exchange(target: &dyn Target, c: &WireCase) -> Result<(), String> {
    let config = wire_config(c)?;
    let expect = match c.expected.result.as_str() {
        "valid" => c.expected.tagged_json.clone().unwrap_or_default(),
        _ => "{}".to_owned(),
    };
    let ex = Exchange {
        config,
        cookie_headers: vec![format!("session={}", c.cookie)],
        now: c.now,
        actions: vec![Action::Dump {
            expect: J::String(expect.clone()),
        }],
    };
    let out = target.exchange(&ex);
    if out.status != 200 {
        return Err(format!("status {}", out.status));
    }
    if out.observations != [J::String(expect.clone())] {
        return Err(format!("session {:?}, expected {expect}", out.observations));
    }
    let refreshed =
        expect.contains(r#""_permanent":true"#) || c.expected.key.as_deref().is_some_and(|k| k != "current");
    if !refreshed && !out.set_cookie.is_empty() {
        return Err(format!("unexpected Set-Cookie {:?}", out.set_cookie));
    }
    Ok(())
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

fn check_scenario(target: &dyn Target, c: &ScenarioCase) -> Result<(), String> {
    let config = flask_config(&c.config)?;
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
        for (got, exp) in out.set_cookie.iter().zip(&c.expected.set_cookie) {
            let (name, value, attrs) = parse_set_cookie(got);
            if name != exp.name {
                errs.push(format!("cookie name {name:?} (expected {:?})", exp.name));
            }
            if attrs != exp.attributes {
                errs.push(format!("attributes {attrs:?} (expected {:?})", exp.attributes));
            }
            if exp.value.starts_with('.') || value.starts_with('.') {
                // Compressed: compare by decoding (deflate output may differ between zlib builds).
                match config.codec().decode(&value, c.now, None) {
                    Ok(d) => {
                        let ours = json::map_to_tagged_json(&d.data);
                        if Some(&ours) != exp.tagged_json.as_ref() || d.timestamp != exp.timestamp {
                            errs.push(format!(
                                "cookie decodes to {ours} @{:?} (expected {:?} @{:?})",
                                d.timestamp, exp.tagged_json, exp.timestamp
                            ));
                        }
                    }
                    Err(e) => errs.push(format!("our cookie does not decode: {e}")),
                }
            } else if value != exp.value {
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
    for (group, case) in load_cases()? {
        let (id, comment, result) = match &case {
            Case::Wire(w) => {
                let r = if target.name() == "core" {
                    check_wire_codec(w).and_then(|()| check_wire_exchange(target, w))
                } else {
                    check_wire_exchange(target, w)
                };
                (w.id.clone(), w.comment.clone(), r)
            }
            Case::Scenario(s) => (s.id.clone(), s.comment.clone(), check_scenario(target, s)),
        };
        let (status, reason) = match result {
            Ok(()) => ("pass", String::new()),
            Err(e) => ("fail", format!("{comment}: {e}")),
        };
        cases.push(CaseResult {
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
                set_cookie: out.set_cookie.into_iter().collect(),
                vary: if out.vary_cookie { vec!["Cookie".into()] } else { vec![] },
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
