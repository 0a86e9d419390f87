//! The encrypted profiles' vectors, proved by the real implementations:
//!
//! - Rails: `scripts/rails_vectors.rb` on Debian's `ruby-actionpack` (installed here with apt-get when missing)
//!   writes or checks `testdata/vectors/rails_*.json`, then reads cookies made by our `RailsCodec`;
//! - actix-session: `interop/actix-session-ref` (its own Cargo workspace, built into `target/actix-session-ref`)
//!   writes or checks `testdata/vectors/actix_session_*.json`, then reads cookies made by our `CookieJarCodec`.
//!
//! The expected results of our cookies are written out below as the frameworks store them (Rails' session
//! hash, actix-session's entries as its `Session::insert` writes them), not taken from our encoder.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value as Json, json};
use session_core::wire::encrypted::{CookieJarCodec, JarMode, RailsCodec, RailsDigest};
use session_core::{Keyring, Map, SecretKey, Value};

use crate::run_status;

const NOW: u64 = 1_700_000_000;

/// Rails' and actix-session's vectors: regenerate (`check` false) or check, then our cookies in both.
pub(crate) fn vectors(root: &Path, check: bool) -> Result<()> {
    let mode = if check { "--check" } else { "--out" };
    let work = root.join("target/encrypted-vectors");
    std::fs::create_dir_all(&work)?;

    if ensure_rails()? {
        let mut cmd = Command::new("ruby");
        cmd.current_dir(root)
            .args(["scripts/rails_vectors.rb", mode, "testdata/vectors"]);
        run_status(cmd)?;
        let file = work.join("rails_ours.json");
        write_json(&file, &rails_ours(root)?)?;
        let mut cmd = Command::new("ruby");
        cmd.current_dir(root)
            .arg("scripts/rails_vectors.rb")
            .arg("--read")
            .arg(&file);
        run_status(cmd)?;
    }

    let bin = build_actix_ref(root)?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root).args(["vectors", mode, "testdata/vectors"]);
    run_status(cmd)?;
    let file = work.join("actix_ours.json");
    write_json(&file, &actix_ours(root)?)?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root).arg("read").arg(&file);
    run_status(cmd)
}

fn write_json(path: &Path, doc: &Json) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(doc)?).with_context(|| format!("cannot write {}", path.display()))
}

/// Ruby with actionpack, installing Debian's `ruby-actionpack` when it is missing. `false` (with a printed line)
/// only where apt-get is unavailable.
fn ensure_rails() -> Result<bool> {
    let have = || crate::apt::runs("ruby", &["-e", "require 'action_dispatch'"]);
    if !have() && !crate::apt::available() {
        println!(
            "rails vectors: skipped: Ruby with actionpack is not installed and apt-get is unavailable \
             (install Debian's ruby-actionpack, or Ruby with the actionpack 6.1 gem)"
        );
        return Ok(false);
    }
    crate::apt::ensure("the Rails vectors", &["ruby-actionpack"], have)?;
    Ok(true)
}

/// Builds the actix-session reference (its own workspace and target directory).
fn build_actix_ref(root: &Path) -> Result<PathBuf> {
    let target = root.join("target/actix-session-ref");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root)
        .args([
            "build",
            "--quiet",
            "--manifest-path",
            "interop/actix-session-ref/Cargo.toml",
            "--target-dir",
        ])
        .arg(&target);
    run_status(cmd)?;
    Ok(target.join("debug/actix-session-ref"))
}

fn key(text: &str) -> Result<SecretKey> {
    SecretKey::parse(text).map_err(|e| anyhow::anyhow!("{e}"))
}

fn map(json: Json) -> Map {
    match Value::from(json) {
        Value::Dict(m) => m,
        _ => Map::new(),
    }
}

fn committed_case(root: &Path, file: &str, id: &str) -> Result<Json> {
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(root.join("testdata/vectors").join(file))?)?;
    doc["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .cloned()
        .with_context(|| format!("{file} has no case {id}"))
}

/// Cookies made by our `RailsCodec`, with what real Rails must make of them.
fn rails_ours(root: &Path) -> Result<Json> {
    let secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0ours";
    let ring = Keyring::new(key(secret)?);
    let session = json!({
        "session_id": "0123456789abcdef0123456789abcdef",
        "_csrf_token": "vG1Qk3mFz0Q2y4Jb1m3vHq2l1mC3oY7t0c9VQ2kX8aE=",
        "user_id": 42,
        "name": "Zoë <b>&\"x'</b> 日本 😀 \u{2028}",
        "roles": ["admin", "user"],
        "prefs": {"size": 1.5, "beta": true, "none": null},
    });
    let data = map(session.clone());
    let codec = |name: &str, digest| RailsCodec::new(&ring, name, digest);
    let err = |e: session_core::SessionError| anyhow::anyhow!("{e}");
    let case = |id: &str, digest: RailsDigest, name: &str, now: u64, cookie: String, want: Json| {
        json!({"id": id, "secret_key_base": secret, "digest": digest.name(), "cookie_name": name, "now": now,
               "cookie": cookie, "rails_expected": want})
    };
    let valid = json!({"result": "valid", "session": session});
    let refused = json!({"result": "refused"});
    let exp_ms = i64::try_from(NOW + 3600)? * 1000;
    let with_exp = codec("_app_session", RailsDigest::Sha256)
        .encode(&data, Some(exp_ms))
        .map_err(err)?;

    // A real Rails 6.1 cookie our Rails 7 settings open (other digest) and write again: Rails 7 without the
    // rotation must read the new one.
    let old = committed_case(root, "rails_known_answers.json", "rails-rotation-sha1-to-sha256")?;
    let ours = &old["ours"];
    let rails7 = RailsCodec::new(
        &Keyring::new(key(s(ours, "secret_key_base")?)?),
        "_app_session",
        RailsDigest::Sha256,
    );
    let opened = rails7.decode(s(&old, "cookie")?, NOW).map_err(err)?;
    if !opened.needs_rewrite {
        bail!("the SHA-1 cookie did not ask for a rewrite");
    }
    let rewritten = rails7.encode(&opened.data, None).map_err(err)?;

    Ok(json!({"cases": [
        case("ours-rails-sha256", RailsDigest::Sha256, "_app_session", NOW,
             codec("_app_session", RailsDigest::Sha256).encode(&data, None).map_err(err)?, valid.clone()),
        case("ours-rails-sha1", RailsDigest::Sha1, "_app_session", NOW,
             codec("_app_session", RailsDigest::Sha1).encode(&data, None).map_err(err)?, valid.clone()),
        case("ours-rails-custom-name", RailsDigest::Sha256, "_shop_session", NOW,
             codec("_shop_session", RailsDigest::Sha256).encode(&data, None).map_err(err)?, valid.clone()),
        case("ours-rails-exp-ahead", RailsDigest::Sha256, "_app_session", NOW + 3599, with_exp.clone(), valid.clone()),
        case("ours-rails-exp-passed", RailsDigest::Sha256, "_app_session", NOW + 3600, with_exp, refused.clone()),
        case("ours-rails-other-name", RailsDigest::Sha256, "_app_session", NOW,
             codec("_other_session", RailsDigest::Sha256).encode(&data, None).map_err(err)?, refused.clone()),
        case("ours-rails-sha1-read-as-sha256", RailsDigest::Sha256, "_app_session", NOW,
             codec("_app_session", RailsDigest::Sha1).encode(&data, None).map_err(err)?, refused),
        json!({"id": "ours-rails-rotated-from-rails-6.1", "secret_key_base": s(ours, "secret_key_base")?,
               "digest": "sha256", "cookie_name": "_app_session", "now": NOW, "cookie": rewritten,
               "rails_expected": {"result": "valid", "session": old["expected"]["session"]}}),
    ]}))
}

fn s<'a>(v: &'a Json, k: &str) -> Result<&'a str> {
    v[k].as_str().with_context(|| format!("{k} missing"))
}

/// Cookies made by our `CookieJarCodec`, with the entries real actix-session must read from them.
fn actix_ours(root: &Path) -> Result<Json> {
    let key_hex = "hex:".to_owned() + &"8f".repeat(32) + &"3c".repeat(32);
    let ring = Keyring::new(key(&key_hex)?);
    let data = map(
        json!({"user_id": 42, "name": "Zoë <b>&\"x'</b> 日本 😀", "roles": ["admin", "user"],
                          "prefs": {"size": 1.5, "beta": true, "none": null}}),
    );
    // What actix-session's `Session::insert` (serde_json::to_string) stores for the same values.
    let entries = json!({"user_id": "42", "name": "\"Zoë <b>&\\\"x'</b> 日本 😀\"", "roles": "[\"admin\",\"user\"]",
                         "prefs": "{\"beta\":true,\"none\":null,\"size\":1.5}"});
    let err = |e: session_core::SessionError| anyhow::anyhow!("{e}");
    let codec = |mode, name: &str| CookieJarCodec::new(&ring, mode, name).map_err(err);
    let case = |id: &str, mode: &str, k: &str, name: &str, cookie: String, want: &Json| json!({"id": id, "mode": mode, "key": k, "cookie_name": name, "cookie": cookie, "actix_expected": want});
    let none = json!({});

    // A real actix-session cookie under key A, opened by ours as a fallback and written again with key B:
    // actix-session with key B must read the new one.
    let old = committed_case(root, "actix_session_known_answers.json", "actix-private-fallback-key")?;
    let ours = &old["ours"];
    let fallback_ring = Keyring::new(key(s(ours, "key")?)?).with_fallbacks(
        ours["fallbacks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .map(key)
            .collect::<Result<Vec<_>>>()?,
    );
    let rotating = CookieJarCodec::new(&fallback_ring, JarMode::Private, "id").map_err(err)?;
    let opened = rotating.decode(s(&old, "cookie")?).map_err(err)?;
    if !opened.needs_rewrite {
        bail!("the fallback-key cookie did not ask for a rewrite");
    }
    let rewritten = rotating.encode(&opened.data).map_err(err)?;

    Ok(json!({"cases": [
        case("ours-actix-private", "private", &key_hex, "id", codec(JarMode::Private, "id")?.encode(&data).map_err(err)?, &entries),
        case("ours-actix-signed", "signed", &key_hex, "id", codec(JarMode::Signed, "id")?.encode(&data).map_err(err)?, &entries),
        case("ours-actix-private-custom-name", "private", &key_hex, "session",
             codec(JarMode::Private, "session")?.encode(&data).map_err(err)?, &entries),
        case("ours-actix-private-other-name", "private", &key_hex, "id",
             codec(JarMode::Private, "other")?.encode(&data).map_err(err)?, &none),
        case("ours-actix-private-rotated", "private", s(ours, "key")?, "id", rewritten, &old["actix"]["entries"]),
    ]}))
}

/// The actix-session profile live: the seed app on real actix-session (`actix-session-ref serve`) next to the
/// three Rust examples in `actix-private`, logins crossing every pair and tampered cookies refused; then a
/// migration: a login on actix-session, our axum example in Flask's format reading actix-session's cookie
/// (`SESSION_MIGRATE_FROM=actix-private`) answers with a Flask cookie, which real Flask reads as logged in.
/// Returns the failures (each prefixed `[actix-session]`).
pub(crate) fn interop(root: &Path, py: &Path) -> Result<Vec<String>> {
    use crate::interop_common::{KEY, NOT_LOGGED_IN, USER_ESCAPED, check_page, login, start};

    let bin = build_actix_ref(root)?;
    let key = "hex:".to_owned() + &"a5".repeat(32) + &"3c".repeat(32);
    let ours = |n: &str, format: &str| {
        let mut c = Command::new(root.join("target/debug").join(n));
        c.env("SESSION_FORMAT", format).env("SECRET_KEY", &key);
        c
    };
    let mut actix = Command::new(&bin);
    actix
        .arg("serve")
        .env("SECRET_KEY", &key)
        .env("SESSION_FORMAT", "actix-private");
    let servers = vec![
        start(root, "actix-session", actix)?,
        start(root, "axum", ours("login-axum", "actix-private"))?,
        start(root, "actix", ours("login-actix", "actix-private"))?,
        start(root, "hyper", ours("login-hyper", "actix-private"))?,
    ];
    let mut failures = Vec::new();
    let logged_in = format!("Logged in as {USER_ESCAPED}");
    print!("\n{:<18}", "actix-private");
    for s in &servers {
        print!(" {:>13}", s.name);
    }
    println!(" {:>9}", "tampered");
    for from in &servers {
        print!("{:<18}", from.name);
        let jar = match login(from, "id") {
            Ok(j) => j,
            Err(e) => {
                failures.push(format!("[actix-session] login on {}: {e:#}", from.name));
                println!(" no login");
                continue;
            }
        };
        for to in &servers {
            let cell = match check_page(to, Some(&jar.header()), &logged_in) {
                Ok(()) => "ok",
                Err(e) => {
                    failures.push(format!("[actix-session] {} -> {}: {e:#}", from.name, to.name));
                    "FAIL"
                }
            };
            print!(" {cell:>13}");
        }
        let tampered = jar.tampered("id").header();
        let cell = match servers
            .iter()
            .try_for_each(|to| check_page(to, Some(&tampered), NOT_LOGGED_IN).with_context(|| to.name))
        {
            Ok(()) => "refused",
            Err(e) => {
                failures.push(format!("[actix-session] tampered cookie from {}: {e:#}", from.name));
                "FAIL"
            }
        };
        println!(" {cell:>9}");
    }

    // The migration: actix-session's cookie in, Flask's out, read by real Flask.
    let mut migrating = ours("login-axum", "flask");
    migrating
        .env("SECRET_KEY", KEY)
        .env("SESSION_MIGRATE_FROM", "actix-private")
        .env("SESSION_MIGRATE_KEY", &key)
        .env("SESSION_MIGRATE_COOKIE_NAME", "id");
    let mut flask = Command::new(py);
    flask.arg(root.join("interop/flask_app.py"));
    let migrating = start(root, "axum-migrating", migrating)?;
    let flask = start(root, "flask", flask)?;
    let step = || -> Result<String> {
        let actix_cookies = login(&servers[0], "id")?;
        let r = crate::http::request(migrating.port, "GET", "/", Some(&actix_cookies.header()), None)?;
        if r.status != 200 || !r.body.contains(&logged_in) {
            bail!("the migrating server answered {} {:?}", r.status, r.body.trim());
        }
        let flask_cookie = r
            .set_cookie_value("session")
            .context("the migrating server wrote no Flask `session` cookie")?;
        check_page(&flask, Some(&format!("session={flask_cookie}")), &logged_in).context("real Flask")?;
        check_page(&migrating, Some(&format!("session={flask_cookie}")), &logged_in).context("our server")?;
        Ok(format!("{} bytes", flask_cookie.len()))
    };
    match step() {
        Ok(size) => println!(
            "migration: login on actix-session, our axum example (flask, migrating from actix-private) re-issues \
             the session as a Flask cookie ({size}); real Flask and our server read it: ok"
        ),
        Err(e) => {
            println!("migration: FAIL");
            failures.push(format!("[actix-session] migration: {e:#}"));
        }
    }
    Ok(failures)
}
