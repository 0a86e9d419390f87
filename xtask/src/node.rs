//! The pinned npm packages (Express, cookie-session, cookies, keygrip from `interop/node/package-lock.json`)
//! under `target/node`, never in the source tree: the express vectors and the Express seed app load them from
//! there (`NODE_PATH`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// The installed `node_modules` folder, running `npm ci` in `target/node` on a copy of `interop/node`'s
/// `package.json` and lockfile when nothing is installed yet or the lockfile changed since.
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
    // The stamp holds the manifest and lockfile of the last install that finished; npm writes
    // node_modules/.package-lock.json (the installed tree) at the end of every successful install.
    let stamp = dir.join(".installed");
    let wanted = format!("{manifest}\n{lock}");
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
                "{tool} is required for the express vectors and interop (Node 20 with npm; on Debian: apt-get \
                 install nodejs npm)"
            );
        }
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _ = std::fs::remove_file(&stamp);
    std::fs::write(dir.join("package.json"), &manifest)?;
    std::fs::write(dir.join("package-lock.json"), &lock)?;
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
    use serde_json::{Value as J, json};
    use session_core::{Format, SecretKey, SessionConfig, SessionHandle};
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
        let mut builder = SessionConfig::builder()
            .format(Format::Express)
            .cookie_name(name)
            .secret_key(SecretKey::parse_insecure_short(keys[0])?);
        for k in &keys[1..] {
            builder = builder.fallback(SecretKey::parse_insecure_short(k)?);
        }
        let config = builder.build()?;
        let handle = SessionHandle::new(config, vec![], 1_700_000_000);
        for (k, v) in session.as_object().into_iter().flatten() {
            handle.insert_value(k.clone(), session_core::Value::from(v.clone()));
        }
        let header: Vec<String> = handle
            .finish()?
            .set_cookies()
            .iter()
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
            .collect();
        out.push(json!({
            "id": id,
            "keys": keys,
            "name": name,
            "cookie_header": header.join("; "),
            "expect_session": session,
            "expect_rewrite": J::Bool(rewrite),
        }));
    }
    Ok(serde_json::to_string_pretty(&out)?)
}
