//! The live cross-framework test: the seed app on Flask, Starlette (uvicorn) and Django, and on axum, actix-web
//! and hyper in each of their profiles; one key, loopback only.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::http::{form_encode, request};
pub(crate) use crate::server::Server;
use crate::server::{Stop, free_port};

pub(crate) const KEY: &str = "interop-shared-secret-key-0001";
const USER: &str = "Zoë <b>&\"x'</b>";
/// MarkupSafe's escape of `USER` (what every server must show).
pub(crate) const USER_ESCAPED: &str = "Zoë &lt;b&gt;&amp;&#34;x&#39;&lt;/b&gt;";
pub(crate) const NOT_LOGGED_IN: &str = "You are not logged in";

/// Starts a server on a free loopback port (with `KEY` as `SECRET_KEY` unless the command sets its own), its
/// output in `target/interop/NAME.log`.
pub(crate) fn start(root: &Path, name: &'static str, mut cmd: Command) -> Result<Server> {
    let port = free_port()?;
    if !cmd.get_envs().any(|(k, _)| k == "SECRET_KEY") {
        cmd.env("SECRET_KEY", KEY);
    }
    cmd.env("PORT", port.to_string()).env("RUST_LOG", "info");
    let log = root.join(format!("target/interop/{name}.log"));
    Server::start(name, port, cmd, log, Stop::Kill, Duration::from_secs(60))
}

/// One profile: the Python app that speaks it, its cookie name, and the Rust examples run in it.
struct Profile {
    format: &'static str,
    python: &'static str,
    cookie: &'static str,
}

const PROFILES: [Profile; 3] = [
    Profile {
        format: "flask",
        python: "interop/flask_app.py",
        cookie: "session",
    },
    Profile {
        format: "starlette",
        python: "interop/starlette_app.py",
        cookie: "session",
    },
    Profile {
        format: "django",
        python: "interop/django_app.py",
        cookie: "sessionid",
    },
];

/// Builds the examples; for each profile starts its Python app (Flask; Starlette under uvicorn; Django) and the
/// three Rust examples with `SESSION_FORMAT` set, and checks logins across every pair.
pub(crate) fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let py = crate::python::venv(root)?;
    let st = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "-p", "login-axum", "-p", "login-actix", "-p", "login-hyper"])
        .status()?;
    if !st.success() {
        bail!("building the login examples failed");
    }
    let mut failures = Vec::new();
    let mut total = 0;
    for profile in &PROFILES {
        let bin = |n: &str| {
            let mut c = Command::new(root.join("target/debug").join(n));
            c.env("SESSION_FORMAT", profile.format);
            c
        };
        let mut python = Command::new(&py);
        python.arg(root.join(profile.python));
        let servers = vec![
            start(root, profile.format, python)?,
            start(root, "axum", bin("login-axum"))?,
            start(root, "actix", bin("login-actix"))?,
            start(root, "hyper", bin("login-hyper"))?,
        ];
        total += servers.len();
        failures.extend(
            matrix(profile, &servers)
                .into_iter()
                .map(|f| format!("[{}] {f}", profile.format)),
        );
        if profile.format == "flask" {
            // Flash messages and CSRF tokens are Flask's (and Flask-WTF's): checked on the Flask servers.
            let ports: Vec<(&'static str, u16)> = servers.iter().map(|s| (s.name, s.port)).collect();
            if let Err(e) = crate::interop_flash_csrf::run(&ports) {
                failures.push(format!("[flask] {e:#}"));
            }
        }
    }
    match crate::encrypted::interop(root, &py) {
        Ok(f) => failures.extend(f),
        Err(e) => failures.push(format!("[actix-session] {e:#}")),
    }
    println!(
        "interop: {} profiles (and actix-session), {total} servers, {:.1} s",
        PROFILES.len(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        for f in &failures {
            println!("FAIL {f}");
        }
        bail!("{} interop failures", failures.len());
    }
    Ok(())
}

/// Logs in on each server, reads the page on every server with that cookie, sends it tampered to all, and
/// logs out; prints the profile's table and returns the failures.
fn matrix(profile: &Profile, servers: &[Server]) -> Vec<String> {
    let name = profile.cookie;
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for from in servers {
        let mut row = Vec::new();
        let cookie = match login(from, name) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("login on {}: {e:#}", from.name));
                rows.push((
                    from.name,
                    vec!["no login".to_owned(); servers.len()],
                    "-".to_owned(),
                    "-".to_owned(),
                ));
                continue;
            }
        };
        for to in servers {
            let cell = match check_page(
                to,
                Some(&format!("{name}={cookie}")),
                &format!("Logged in as {USER_ESCAPED}"),
            ) {
                Ok(()) => "ok".to_owned(),
                Err(e) => {
                    failures.push(format!("{} -> {}: {e:#}", from.name, to.name));
                    "FAIL".to_owned()
                }
            };
            row.push(cell);
        }
        let tampered = tamper(&cookie);
        let tamper_cell = match servers.iter().try_for_each(|to| {
            check_page(to, Some(&format!("{name}={tampered}")), NOT_LOGGED_IN).with_context(|| to.name)
        }) {
            Ok(()) => "refused".to_owned(),
            Err(e) => {
                failures.push(format!("tampered cookie from {}: {e:#}", from.name));
                "FAIL".to_owned()
            }
        };
        let logout_cell = match logout(from, name, &cookie) {
            Ok(()) => "deleted".to_owned(),
            Err(e) => {
                failures.push(format!("logout on {}: {e:#}", from.name));
                "FAIL".to_owned()
            }
        };
        rows.push((from.name, row, tamper_cell, logout_cell));
    }

    print!("\n{:<18}", format!("{} profile", profile.format));
    for s in servers {
        print!(" {:>9}", s.name);
    }
    println!(" {:>9} {:>9}", "tampered", "logout");
    for (name, row, t, l) in &rows {
        print!("{name:<18}");
        for c in row {
            print!(" {c:>9}");
        }
        println!(" {t:>9} {l:>9}");
    }
    failures
}

pub(crate) fn login(s: &Server, name: &str) -> Result<String> {
    let r = request(
        s.port,
        "POST",
        "/login",
        None,
        Some(&format!("username={}", form_encode(USER))),
    )?;
    if r.status != 302 {
        bail!("POST /login answered {} (expected 302): {}", r.status, r.body);
    }
    r.set_cookie_value(name)
        .filter(|v| !v.is_empty())
        .with_context(|| format!("POST /login set no {name} cookie"))
}

pub(crate) fn check_page(s: &Server, cookie: Option<&str>, want: &str) -> Result<()> {
    let r = request(s.port, "GET", "/", cookie, None)?;
    if r.status != 200 || !r.body.contains(want) {
        bail!("GET / answered {} {:?}, expected {want:?}", r.status, r.body.trim());
    }
    Ok(())
}

fn logout(s: &Server, name: &str, cookie: &str) -> Result<()> {
    let r = request(s.port, "GET", "/logout", Some(&format!("{name}={cookie}")), None)?;
    if r.status != 302 {
        bail!("GET /logout answered {}", r.status);
    }
    // Flask: `session=; Expires=Thu, 01 Jan 1970 ...`; Starlette: `session=null; ... expires=Thu, 01 Jan 1970
    // ...`; Django: `sessionid=""; expires=Thu, 01 Jan 1970 ...; Max-Age=0`.
    let deletion = r.all("set-cookie").into_iter().any(|h| {
        let value = h
            .strip_prefix(&format!("{name}="))
            .and_then(|rest| rest.split(';').next());
        matches!(value, Some("" | "null" | "\"\"")) && h.contains("01 Jan 1970 00:00:00 GMT")
    });
    if !deletion {
        bail!("GET /logout sent no deletion cookie: {:?}", r.all("set-cookie"));
    }
    Ok(())
}

/// Changes one character in the middle of the payload (Flask, Starlette: before the first `.`; Django: `:`).
pub(crate) fn tamper(cookie: &str) -> String {
    let mut bytes = cookie.as_bytes().to_vec();
    let i = cookie.find(['.', ':']).unwrap_or(cookie.len()) / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}
