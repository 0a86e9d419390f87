//! The pinned npm packages (Express, cookie-session, iron-session 8 and 9, @auth/core, next-auth 4 from
//! `interop/node/package-lock.json`) under `target/node`, never in the source tree: the Node vector generators
//! and seed apps load them from there (`NODE_PATH`). Also the cookies our formats make for each generator's
//! `--read-ours` (the real package must open them).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value as J, json};
use session_core::{Format, SecretKey, SessionConfig, SessionConfigBuilder, SessionHandle};

/// The clock reading every cookie of ours is made at (the generators' `NOW`).
const NOW: u64 = 1_700_000_000;

/// The installed `node_modules` folder, running `npm ci` in `target/node` on a copy of `interop/node`'s
/// `package.json`, lockfile and `.npmrc` when nothing is installed yet or one of them changed since.
/// (`.npmrc` sets `legacy-peer-deps`: next-auth 4 names Next.js, React and an older @auth/core as peers,
/// which the generators do not need and which would conflict with the pinned @auth/core.)
///
/// # Errors
/// When node or npm is missing (the message says how to install them), or `npm ci` fails.
pub(crate) fn install(root: &Path) -> Result<PathBuf> {
    let src = root.join("interop/node");
    let dir = root.join("target/node");
    let modules = dir.join("node_modules");
    let read = |p: PathBuf| std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()));
    let manifest = read(src.join("package.json"))?;
    let lock = read(src.join("package-lock.json"))?;
    let npmrc = read(src.join(".npmrc"))?;
    // The stamp holds the manifest, lockfile and npmrc of the last install that finished; npm writes
    // node_modules/.package-lock.json (the installed tree) at the end of every successful install.
    let stamp = dir.join(".installed");
    let wanted = format!("{manifest}\n{lock}\n{npmrc}");
    if modules.join(".package-lock.json").exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(modules);
    }
    for tool in ["node", "npm"] {
        let works = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !works {
            bail!(
                "{tool} is required for the Node vectors and interop (Node 20 with npm; on Debian: apt-get install \
                 nodejs npm)"
            );
        }
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _ = std::fs::remove_file(&stamp);
    std::fs::write(dir.join("package.json"), &manifest)?;
    std::fs::write(dir.join("package-lock.json"), &lock)?;
    std::fs::write(dir.join(".npmrc"), &npmrc)?;
    eprintln!(
        "xtask: installing the pinned npm packages from interop/node/package-lock.json into {}",
        dir.display()
    );
    let st = Command::new("npm")
        .current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .status()
        .context("cannot start npm")?;
    if !st.success() {
        bail!("npm ci in {} failed ({st})", dir.display());
    }
    std::fs::write(&stamp, wanted)?;
    Ok(modules)
}

/// `node SCRIPT` run from the workspace root with `NODE_PATH` set to the installed packages.
pub(crate) fn command(root: &Path, modules: &Path, script: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(root).arg(root.join(script)).env("NODE_PATH", modules);
    cmd
}

/// Cookies our Express format makes, as `scripts/express_vectors.js --read-ours` takes them: a `Cookie` header
/// per session, the keys it was made with (the current one first, as keygrip lists them) and the session
/// cookie-session must read from it. Sessions with non-ASCII text, nesting, numbers, a custom name, a rotated
/// key list, and integer-like keys (JavaScript lists those first, so cookie-session writes the cookie again on a
/// read: `expect_rewrite`).
pub(crate) fn our_express_cookies() -> Result<String> {
    let cases = [
        (
            "plain",
            "session",
            vec!["express-key-current-0001"],
            json!({"user": "alice"}),
            false,
        ),
        (
            "unicode",
            "session",
            vec!["express-key-current-0001"],
            json!({"name": "Zo\u{eb} <b>&\"x'</b> \u{65e5}\u{672c} \u{1f600}", "ctl": "\u{1}\u{1f}\u{7f}\u{2028}"}),
            false,
        ),
        (
            "nested-numbers",
            "session",
            vec!["express-key-current-0001"],
            json!({"a": {"b": [1, 2.5, -0.1, 1e21, 1.5e-7, null, true]}, "n": 9_007_199_254_740_991_i64}),
            false,
        ),
        (
            "custom-name",
            "sid",
            vec!["express-key-current-0001"],
            json!({"user": "bob"}),
            false,
        ),
        (
            "rotated",
            "session",
            vec!["express-key-new-0002", "express-key-current-0001"],
            json!({"user": "carol"}),
            false,
        ),
        (
            "integer-keys",
            "session",
            vec!["express-key-current-0001"],
            json!({"b": 1, "10": 2}),
            true,
        ),
    ];
    let mut out = Vec::new();
    for (id, name, keys, session, rewrite) in cases {
        let (header, _) = our_cookie_header(Format::Express, name, &keys, &session, NOW)?;
        out.push(json!({
            "id": id,
            "keys": keys,
            "name": name,
            "cookie_header": header,
            "expect_session": session,
            "expect_rewrite": J::Bool(rewrite),
        }));
    }
    Ok(serde_json::to_string_pretty(&out)?)
}

/// The `Cookie` header carrying every cookie our `format` sets for a new `session` written at `now` under the
/// cookie `name` with `keys` (the current one first, then fallbacks), and the lifetime its configuration has.
fn our_cookie_header(format: Format, name: &str, keys: &[&str], session: &J, now: u64) -> Result<(String, u64)> {
    our_cookie_header_with(format, name, keys, session, now, |b| b)
}

/// [`our_cookie_header`] with more settings (`settings` gets the builder before it is built).
fn our_cookie_header_with(
    format: Format,
    name: &str,
    keys: &[&str],
    session: &J,
    now: u64,
    settings: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
) -> Result<(String, u64)> {
    let (first, rest) = keys.split_first().context("no key")?;
    let mut builder = SessionConfig::builder()
        .format(format)
        .cookie_name(name)
        .secret_key(SecretKey::parse_insecure_short(first)?);
    // A `__Secure-` or `__Host-` cookie must be Secure (browsers drop it otherwise); the builder insists.
    if name.starts_with("__Secure-") || name.starts_with("__Host-") {
        builder = builder.secure(true);
    }
    for k in rest {
        builder = builder.fallback(SecretKey::parse_insecure_short(k)?);
    }
    let config = settings(builder).build()?;
    let lifetime = config.lifetime_secs();
    let handle = SessionHandle::new(config, vec![], now);
    for (k, v) in session.as_object().into_iter().flatten() {
        handle.insert_value(k.clone(), session_core::Value::from(v.clone()));
    }
    let header: Vec<String> = handle
        .finish()?
        .set_cookies()
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect();
    Ok((header.join("; "), lifetime))
}

/// A format by its registry name (an error naming it while the format is not registered).
fn format_named(name: &str) -> Result<Format> {
    Format::from_name(name).with_context(|| format!("our {name} format"))
}

/// Cookies our iron-session format makes, as `scripts/iron_vectors.js --read-ours` takes them: a `Cookie`
/// header per session, iron-session's password (a string, which iron-session looks up as password id one, or
/// a map of ids), the majors that read it, and the session they must find. Non-ASCII text, nesting, numbers, a
/// custom cookie name, rotated passwords (our default ids, and ids of our choosing), a session chunked the way
/// iron-session 9 chunks (which iron-session 8 does not read), and a cookie of another password (refused: `{}`).
pub(crate) fn our_iron_cookies() -> Result<String> {
    const PW: &str = "iron-password-current-0001-abcdefgh";
    const NEW: &str = "iron-password-next-0002-abcdefghijk";
    const OTHER: &str = "iron-password-unknown-0001-abcdefgh";
    let format = format_named("iron-session")?;
    let alice = json!({"user": "alice"});
    let big = json!({"user": "alice", "big": "x".repeat(6000)});
    let iron = |id, name, keys, key_ids, chunks, session: &J, password: J, versions: J, opens| IronCase {
        id,
        name,
        keys,
        key_ids,
        chunks,
        session: session.clone(),
        password,
        versions,
        opens,
    };
    let both = json!([8, 9]);
    let unicode =
        json!({"name": "Zo\u{eb} <b>&\"x'</b> \u{65e5}\u{672c} \u{1f600}", "ctl": "\u{1}\u{1f}\u{7f}\u{2028}"});
    let numbers = json!({"a": {"b": [1, 2.5, -0.1, 1e21, 1.5e-7, null, true]}, "n": 9_007_199_254_740_991_i64});
    let cases = [
        iron(
            "plain",
            "iron_session",
            &[PW],
            None,
            1,
            &alice,
            json!(PW),
            both.clone(),
            true,
        ),
        iron(
            "unicode",
            "iron_session",
            &[PW],
            None,
            1,
            &unicode,
            json!(PW),
            both.clone(),
            true,
        ),
        iron(
            "nested-numbers",
            "iron_session",
            &[PW],
            None,
            1,
            &numbers,
            json!(PW),
            both.clone(),
            true,
        ),
        iron(
            "custom-name",
            "sid",
            &[PW],
            None,
            1,
            &alice,
            json!(PW),
            both.clone(),
            true,
        ),
        iron(
            "rotated",
            "iron_session",
            &[NEW, PW],
            None,
            1,
            &alice,
            json!({"1": PW, "2": NEW}),
            both.clone(),
            true,
        ),
        iron(
            "rotated-key-ids",
            "iron_session",
            &[NEW, PW],
            Some(&["7", "3"]),
            1,
            &alice,
            json!({"3": PW, "7": NEW}),
            both.clone(),
            true,
        ),
        iron(
            "chunked",
            "iron_session",
            &[PW],
            None,
            4,
            &big,
            json!(PW),
            json!([9]),
            true,
        ),
        iron(
            "chunked-unread-by-8",
            "iron_session",
            &[PW],
            None,
            4,
            &big,
            json!(PW),
            json!([8]),
            false,
        ),
        iron(
            "other-password",
            "iron_session",
            &[OTHER],
            None,
            1,
            &alice,
            json!(PW),
            both,
            false,
        ),
    ];
    let mut out = Vec::new();
    for c in cases {
        let (header, _) = our_cookie_header_with(format, c.name, c.keys, &c.session, NOW, |b| {
            let b = b.cookie_chunks(c.chunks);
            match c.key_ids {
                Some(ids) => b.key_ids(ids.iter().copied()),
                None => b,
            }
        })?;
        out.push(json!({
            "id": c.id,
            "password": c.password,
            "versions": c.versions,
            "name": c.name,
            "cookie_header": header,
            "now": NOW,
            "expect_session": if c.opens { c.session } else { json!({}) },
        }));
    }
    Ok(serde_json::to_string_pretty(&out)?)
}

/// One cookie of ours for iron-session: made by our format with `keys` (and `key_ids`, else our default ids)
/// and up to `chunks` cookies under the cookie `name`, read by the iron-session majors `versions` with
/// `password`; `opens` says whether they must find `session` (else an empty session).
struct IronCase {
    id: &'static str,
    name: &'static str,
    keys: &'static [&'static str],
    key_ids: Option<&'static [&'static str]>,
    chunks: usize,
    session: J,
    password: J,
    versions: J,
    opens: bool,
}

/// Cookies our authjs and next-auth-v4 formats make, as `scripts/authjs_vectors.js --read-ours` takes them:
/// the `Cookie` header, the secret(s) the package reads with, the cookie name (Auth.js' key salt), and the
/// claims it must find besides iat = now and exp = now + our lifetime (`null`: refused). Auth.js: non-ASCII
/// claims, the `__Secure-` and a custom cookie name, a rotated secret read with the list in another order
/// (found by kid) and with the new secret alone, a session large enough for chunks, and a cookie of another
/// secret; next-auth 4: the same without rotation (it has one secret).
pub(crate) fn our_jwt_cookies() -> Result<String> {
    const S1: &str = "authjs-secret-current-0001";
    const S2: &str = "authjs-secret-next-0002";
    const OTHER: &str = "authjs-secret-unknown-0001";
    let unicode = json!({"name": "Zo\u{eb} <b>&\"x'</b> \u{65e5}\u{672c} \u{1f600}", "ctl": "\u{1}\u{1f}\u{7f}\u{2028}", "n": [1, 2.5, null]});
    let big = json!({"name": "alice", "big": "x".repeat(6000)});
    let alice = json!({"name": "alice"});
    let authjs = "authjs.session-token";
    let v4 = "next-auth.session-token";
    let case = |format, id, name, keys: &'static [&'static str], secret: J, session: &J, opens| JwtCase {
        format,
        id,
        name,
        keys,
        secret,
        session: session.clone(),
        opens,
    };
    let cases = [
        case("authjs", "plain", authjs, &[S1], json!([S1]), &alice, true),
        case("authjs", "unicode", authjs, &[S1], json!([S1]), &unicode, true),
        case(
            "authjs",
            "secure-name",
            "__Secure-authjs.session-token",
            &[S1],
            json!([S1]),
            &alice,
            true,
        ),
        case("authjs", "custom-name", "my-session", &[S1], json!([S1]), &alice, true),
        case(
            "authjs",
            "rotated-kid",
            authjs,
            &[S2, S1],
            json!([S1, S2]),
            &alice,
            true,
        ),
        case(
            "authjs",
            "rotated-new-only",
            authjs,
            &[S2, S1],
            json!([S2]),
            &alice,
            true,
        ),
        case("authjs", "chunked", authjs, &[S1], json!([S1]), &big, true),
        case("authjs", "other-secret", authjs, &[OTHER], json!([S1]), &alice, false),
        case("next-auth-v4", "plain", v4, &[S1], json!(S1), &alice, true),
        case("next-auth-v4", "unicode", v4, &[S1], json!(S1), &unicode, true),
        case(
            "next-auth-v4",
            "secure-name",
            "__Secure-next-auth.session-token",
            &[S1],
            json!(S1),
            &alice,
            true,
        ),
        case("next-auth-v4", "chunked", v4, &[S1], json!(S1), &big, true),
    ];
    let mut out = Vec::new();
    for c in cases {
        let (header, lifetime) = our_cookie_header(format_named(c.format)?, c.name, c.keys, &c.session, NOW)?;
        let mut entry = json!({
            "id": c.id,
            "format": c.format,
            "secret": c.secret,
            "name": c.name,
            "cookie_header": header,
            "now": NOW,
            "expect_session": if c.opens { c.session } else { J::Null },
        });
        if c.opens {
            entry["expect_iat"] = json!(NOW);
            entry["expect_exp"] = json!(NOW + lifetime);
        }
        out.push(entry);
    }
    Ok(serde_json::to_string_pretty(&out)?)
}

/// One cookie of ours for the JWT readers: made by our `format` with `keys` under the cookie `name`, read by
/// the package with `secret`; `opens` says whether it must open to `session`.
struct JwtCase {
    format: &'static str,
    id: &'static str,
    name: &'static str,
    keys: &'static [&'static str],
    secret: J,
    session: J,
    opens: bool,
}
