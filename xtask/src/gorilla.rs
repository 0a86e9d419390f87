//! gorilla/sessions (Go) for the vectors and the interop test: Debian's Go 1.19 with gorilla/sessions 1.2 and
//! securecookie 1.1 (apt), the Go programs built in GOPATH mode (no module proxy) under `target/gorilla`.
//!
//! - `scripts/gorilla_vectors`: writes or checks `testdata/vectors/gorilla_*.json`, and `--read-ours` opens
//!   cookies our gorilla format made in the real store ([`our_cookies`]).
//! - `scripts/gob_corpus`: writes or checks `testdata/gob/decode.json`, gob streams (most of them damaged) with
//!   Go's own decoder's answer for each, which the gob reader's tests compare with ours.
//! - `interop/gorilla`: the seed app on `net/http` and gorilla's `CookieStore`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value as J, json};
use session_core::{Format, SecretKey, SessionConfig, SessionHandle, Value};

/// The Debian packages.
const PACKAGES: [&str; 3] = [
    "golang-go",
    "golang-github-gorilla-sessions-dev",
    "golang-github-gorilla-securecookie-dev",
];

/// Where Debian puts Go sources for GOPATH mode.
const GOCODE: &str = "/usr/share/gocode";

/// The vectors' clock and keys (as in `scripts/gorilla_vectors/main.go`).
const NOW: u64 = 1_700_000_000;
const HASH_KEY: &str = "gorilla-hash-key-current-0001";
const OLD_HASH_KEY: &str = "gorilla-hash-key-old-0000";
const BLOCK_KEY: &str = "gorilla-block-key-32-bytes-00001";
const NAME: &str = "session-name";

/// Installs Go and the gorilla packages when missing.
pub(crate) fn ensure() -> Result<()> {
    crate::apt::ensure("the gorilla vectors and interop", &PACKAGES, || {
        crate::apt::runs("go", &["version"])
            && Path::new(GOCODE).join("src/github.com/gorilla/sessions").is_dir()
            && Path::new(GOCODE).join("src/github.com/gorilla/securecookie").is_dir()
    })
}

/// Builds the Go program in `dir` (relative to the root) into `target/gorilla/<name>`, in GOPATH mode.
pub(crate) fn build(root: &Path, dir: &str, name: &str) -> Result<PathBuf> {
    ensure()?;
    let target = root.join("target/gorilla");
    let out = target.join(name);
    let status = Command::new("go")
        .current_dir(root)
        .args(["build", "-o"])
        .arg(&out)
        .arg(format!("./{dir}"))
        .env("GO111MODULE", "off")
        .env("GOPATH", format!("{}:{GOCODE}", target.join("gopath").display()))
        .env("GOCACHE", target.join("cache"))
        .env("GOFLAGS", "")
        .status()
        .context("cannot run go build")?;
    if !status.success() {
        bail!("go build ./{dir} failed ({status})");
    }
    Ok(out)
}

/// Regenerates (`check` false) or checks the gorilla vectors, then has gorilla read our cookies.
pub(crate) fn vectors(root: &Path, check: bool) -> Result<()> {
    let bin = build(root, "scripts/gorilla_vectors", "gorilla_vectors")?;
    let mode = if check { "--check" } else { "--out" };
    run(
        root,
        &bin,
        [mode.as_ref(), "testdata/vectors".as_ref()],
        &format!("scripts/gorilla_vectors {mode}"),
    )?;
    let file = root.join("target/gorilla/ours.json");
    std::fs::write(&file, our_cookies(root)?)?;
    run(
        root,
        &bin,
        ["--read-ours".as_ref(), file.as_os_str()],
        "gorilla reading our cookies",
    )?;
    let bin = build(root, "scripts/gob_corpus", "gob_corpus")?;
    std::fs::create_dir_all(root.join("testdata/gob"))?;
    run(
        root,
        &bin,
        [mode.as_ref(), "testdata/gob/decode.json".as_ref()],
        &format!("scripts/gob_corpus {mode}"),
    )
}

/// Runs a Go program built by [`build`] from the root with `args`; an error names it as `what`.
fn run<'a>(root: &Path, bin: &Path, args: impl IntoIterator<Item = &'a OsStr>, what: &str) -> Result<()> {
    let status = Command::new(bin)
        .current_dir(root)
        .args(args)
        .status()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// A cookie our gorilla format writes for `session` at the vectors' clock.
fn our_cookie(keys: &[&str], encrypted: bool, session: &[(String, Value)]) -> Result<String> {
    let (first, rest) = keys.split_first().context("no key")?;
    let mut builder = SessionConfig::builder()
        .format(Format::Gorilla)
        .cookie_name(NAME)
        .secret_key(SecretKey::parse_insecure_short(first)?);
    for k in rest {
        builder = builder.fallback(SecretKey::parse_insecure_short(k)?);
    }
    if encrypted {
        builder = builder.encryption_key(SecretKey::parse_insecure_short(BLOCK_KEY)?);
    }
    let handle = SessionHandle::new(builder.build()?, vec![], NOW);
    for (k, v) in session {
        handle.insert_value(k.clone(), v.clone());
    }
    let set = handle.finish()?;
    let first = set.set_cookies().first().context("no Set-Cookie")?.clone();
    let value = first.split(';').next().unwrap_or_default();
    Ok(value.split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default())
}

/// The session the committed vector `id` sends (its first request cookie, opened by our codec).
fn committed_session(root: &Path, id: &str) -> Result<Vec<(String, Value)>> {
    let text = std::fs::read_to_string(root.join("testdata/vectors/gorilla_scenarios.json"))?;
    let doc: J = serde_json::from_str(&text)?;
    let case = doc["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .with_context(|| format!("no vector {id}"))?;
    let cookie = case["request_cookies"][0].as_str().context("no request cookie")?;
    let value = cookie.split_once('=').map(|(_, v)| v).unwrap_or_default();
    let codec = session_core::CookieCodec::encrypted(
        Format::Gorilla,
        &session_core::Keyring::new(SecretKey::parse_insecure_short(HASH_KEY)?),
        Format::Gorilla.defaults().signer,
        NAME,
        0,
    )?;
    Ok(codec.decode(value, NOW, None)?.data.into_iter().collect())
}

/// Cookies our gorilla format makes, as `scripts/gorilla_vectors --read-ours` takes them: the keys, the cookie,
/// the session gorilla must read (plain JSON as our model shows it) and each value's Go type. The model's own
/// values; every Go kind of the vectors read from gorilla's cookie, one key added and written back (each must
/// keep its Go type: `int64`, `float32`, `[]string`, `time.Time`, an app's `main.User`); a block key; rotation.
pub(crate) fn our_cookies(root: &Path) -> Result<String> {
    let plain: Vec<(String, Value)> = vec![
        ("user".into(), Value::Str("alice".into())),
        ("n".into(), Value::Int(42)),
        ("f".into(), Value::Float(2.5)),
        ("ok".into(), Value::Bool(true)),
        ("none".into(), Value::Null),
        ("list".into(), Value::List(vec![Value::Int(1), Value::Str("a".into())])),
        (
            "map".into(),
            Value::Dict([("k".to_owned(), Value::Str("v".into()))].into_iter().collect()),
        ),
        ("bytes".into(), Value::Bytes(b"hi".to_vec())),
        ("when".into(), Value::DateTime(1_699_996_400)),
    ];
    let plain_types = json!({
        "user": "string", "n": "int", "f": "float64", "ok": "bool", "none": "<nil>", "list": "[]interface {}",
        "map": "map[string]interface {}", "bytes": "[]uint8", "when": "time.Time",
    });
    let mut kinds = committed_session(root, "gorilla-kinds-read")?;
    kinds.push(("extra".into(), Value::Str("x".into())));
    let kinds_types = json!({
        "user": "string", "i": "int", "i64": "int64", "i8": "int8", "u8": "uint8", "u64": "uint64",
        "f32": "float32", "f64": "float64", "ok": "bool", "none": "<nil>", "bytes": "[]uint8", "tags": "[]string",
        "list": "[]interface {}", "when": "time.Time", "local": "time.Time", "profile": "main.User", "extra": "string",
    });
    let alice: Vec<(String, Value)> = vec![("user".into(), Value::Str("alice".into()))];
    let view = |session: &[(String, Value)]| {
        let map: session_core::Map = session.iter().cloned().collect();
        session_core::wire::pyjson::dumps_map(&map, session_core::wire::pyjson::Separators::COMPACT)
    };
    let cases = [
        ("model-values", vec![HASH_KEY], false, &plain, plain_types),
        ("go-kinds-written-back", vec![HASH_KEY], false, &kinds, kinds_types),
        ("block-key", vec![HASH_KEY], true, &alice, json!({"user": "string"})),
        (
            "rotated-current-writes",
            vec![HASH_KEY, OLD_HASH_KEY],
            false,
            &alice,
            json!({"user": "string"}),
        ),
    ];
    let mut out = Vec::new();
    for (id, keys, encrypted, session, types) in cases {
        out.push(json!({
            "id": id,
            "name": NAME,
            "hash_keys": keys,
            "encrypted": encrypted,
            "now": NOW,
            "cookie": our_cookie(&keys, encrypted, session)?,
            "expect_session": view(session),
            "expect_go_types": types,
        }));
    }
    Ok(serde_json::to_string_pretty(&out)?)
}
