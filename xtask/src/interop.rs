//! The live cross-framework test: the seed app on Flask, Starlette (uvicorn), Django, Express (cookie-session,
//! iron-session and Auth.js' JWT cookie), Go's net/http with gorilla/sessions, and on axum, actix-web and hyper in each of their profiles; one key
//! per profile, loopback only.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::interop_common::{Jar, NOT_LOGGED_IN, USER_ESCAPED, check_page, login, logout, logout_to_page, start};
use crate::server::Server;

/// How a profile's reference app runs.
enum App {
    /// A script run by the pinned Python venv.
    Python(&'static str),
    /// A script run by node with the pinned npm packages.
    Node(&'static str),
    /// A Go program (a directory) built in GOPATH mode with Debian's packages.
    Go(&'static str),
    /// A router script under PHP's built-in server (`php -S`), with Debian's Laravel.
    Php(&'static str),
}

/// One profile: the reference app that speaks it, its session cookie's name, and the Rust examples run in it;
/// `env` is set on every server of the profile (the reference app and the three examples).
struct Profile {
    format: &'static str,
    app: App,
    cookie: &'static str,
    env: &'static [(&'static str, &'static str)],
}

impl Profile {
    /// The profile's name in the tables and failures: its format, and `+block-key` when it encrypts.
    fn label(&self) -> String {
        if self.env.iter().any(|(k, _)| *k == "SESSION_ENCRYPTION_KEY") {
            format!("{}+block-key", self.format)
        } else {
            self.format.to_owned()
        }
    }
}

/// gorilla's block key in its encrypted profile (32 bytes: AES-256), beside the shared hash key.
const GORILLA_BLOCK_KEY: &str = "interop-gorilla-block-key-32-by!";

/// The iron-session profile's key: iron-session wants a password of at least 32 characters.
const IRON_KEY: &str = "interop-shared-iron-password-0001";

/// The Laravel profile's key: APP_KEY, 32 bytes (`interop-shared-laravel-key-00001`) in Laravel's `base64:` form.
const LARAVEL_KEY: &str = "base64:aW50ZXJvcC1zaGFyZWQtbGFyYXZlbC1rZXktMDAwMDE=";

const PROFILES: [Profile; 9] = [
    Profile {
        format: "flask",
        app: App::Python("interop/flask_app.py"),
        cookie: "session",
        env: &[],
    },
    Profile {
        format: "starlette",
        app: App::Python("interop/starlette_app.py"),
        cookie: "session",
        env: &[],
    },
    Profile {
        format: "django",
        app: App::Python("interop/django_app.py"),
        cookie: "sessionid",
        env: &[],
    },
    // cookie-session: `session` holds the data, `session.sig` its signature; logins carry both.
    Profile {
        format: "express",
        app: App::Node("interop/node/express_app.js"),
        cookie: "session",
        env: &[],
    },
    // iron-session 8 in Express: one sealed cookie; iron-session has no default name, so every server is told.
    Profile {
        format: "iron-session",
        app: App::Node("interop/node/iron_app.js"),
        cookie: "iron_session",
        env: &[("SESSION_COOKIE_NAME", "iron_session"), ("SECRET_KEY", IRON_KEY)],
    },
    // Auth.js' session-token JWE (@auth/core's encode, decode and SessionStore in Express); the user's name is
    // the `name` claim.
    Profile {
        format: "authjs",
        app: App::Node("interop/node/authjs_app.js"),
        cookie: "authjs.session-token",
        env: &[],
    },
    // gorilla/sessions' CookieStore on Go's net/http: the cookie is named by the session name the Go app passes
    // to store.Get, so every server is told.
    Profile {
        format: "gorilla",
        app: App::Go("interop/gorilla"),
        cookie: "gorilla-session",
        env: &[("SESSION_COOKIE_NAME", "gorilla-session")],
    },
    // The same with a block key (`NewCookieStore(hashKey, blockKey)`): the gob is AES-CTR encrypted, then signed.
    Profile {
        format: "gorilla",
        app: App::Go("interop/gorilla"),
        cookie: "gorilla-session",
        env: &[
            ("SESSION_COOKIE_NAME", "gorilla-session"),
            ("SESSION_ENCRYPTION_KEY", GORILLA_BLOCK_KEY),
        ],
    },
    // Laravel 8.83's cookie driver under `php -S`: `laravel_session` names the payload cookie; a login there
    // regenerates the id, a logout invalidates the session.
    Profile {
        format: "laravel",
        app: App::Php("interop/laravel/server.php"),
        cookie: "laravel_session",
        env: &[("SECRET_KEY", LARAVEL_KEY)],
    },
];

/// Builds the examples; for each profile starts its reference app (Flask; Starlette under uvicorn; Django;
/// Express with cookie-session, iron-session or Auth.js) and the three Rust examples with `SESSION_FORMAT` and
/// the profile's `env` set, and checks logins across every pair. A server that does not start is a failure of
/// its profile; the others still run.
/// `only`: run that format's profiles alone (`cargo xtask interop gorilla`: signed only, then with a block
/// key); its reference app's toolchain only.
pub(crate) fn run(root: &Path, only: Option<&str>) -> Result<()> {
    let started = Instant::now();
    let profiles: Vec<&Profile> = PROFILES.iter().filter(|p| only.is_none_or(|o| o == p.format)).collect();
    if profiles.is_empty() {
        bail!(
            "no interop profile {only:?}; use one of: {}",
            PROFILES.iter().map(|p| p.format).collect::<Vec<_>>().join(", ")
        );
    }
    let needs = |f: fn(&App) -> bool| profiles.iter().any(|p| f(&p.app));
    let py = if needs(|a| matches!(a, App::Python(_))) || only.is_none() {
        crate::python::venv(root)?
    } else {
        std::path::PathBuf::new()
    };
    let node_modules = if needs(|a| matches!(a, App::Node(_))) {
        crate::node::install(root)
    } else {
        Err(anyhow::anyhow!("not needed"))
    };
    let st = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "-p", "login-axum", "-p", "login-actix", "-p", "login-hyper"])
        .status()?;
    if !st.success() {
        bail!("building the login examples failed");
    }
    let mut failures = Vec::new();
    let mut total = 0;
    for profile in profiles.iter().copied() {
        let mut reference = match app_command(root, &profile.app, &py, node_modules.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("[{}] {e:#}", profile.label()));
                continue;
            }
        };
        reference.envs(profile.env.iter().copied());
        let bin = |n: &str| {
            let mut c = Command::new(root.join("target/debug").join(n));
            c.env("SESSION_FORMAT", profile.format)
                .envs(profile.env.iter().copied());
            c
        };
        let mut servers = Vec::new();
        let mut not_started = Vec::new();
        for (name, cmd) in [
            (profile.format, reference),
            ("axum", bin("login-axum")),
            ("actix", bin("login-actix")),
            ("hyper", bin("login-hyper")),
        ] {
            match start(root, name, cmd) {
                Ok(s) => servers.push(s),
                Err(e) => {
                    failures.push(format!("[{}] {name} did not start: {e:#}", profile.label()));
                    not_started.push(name);
                }
            }
        }
        total += servers.len();
        failures.extend(
            matrix(profile, &servers, &not_started)
                .into_iter()
                .map(|f| format!("[{}] {f}", profile.label())),
        );
        if profile.format == "flask" {
            // Flash messages and CSRF tokens are Flask's (and Flask-WTF's): checked on the Flask servers.
            let ports: Vec<(&'static str, u16)> = servers.iter().map(|s| (s.name, s.port)).collect();
            if let Err(e) = crate::interop_flash_csrf::run(&ports) {
                failures.push(format!("[flask] {e:#}"));
            }
        }
    }
    if only.is_none() {
        match crate::encrypted::interop(root, &py) {
            Ok(f) => failures.extend(f),
            Err(e) => failures.push(format!("[actix-session] {e:#}")),
        }
    }
    println!(
        "interop: {} profiles{}, {total} servers, {:.1} s",
        profiles.len(),
        if only.is_none() { " (and actix-session)" } else { "" },
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

/// The command running a profile's reference app: the venv's python, or node with `NODE_PATH` on the
/// installed npm packages (an error when they could not be installed).
fn app_command(root: &Path, app: &App, py: &Path, node_modules: Result<&Path, &anyhow::Error>) -> Result<Command> {
    Ok(match app {
        App::Python(script) => {
            let mut c = Command::new(py);
            c.arg(root.join(script));
            c
        }
        App::Node(script) => {
            let modules = node_modules.map_err(|e| anyhow::anyhow!("npm packages: {e:#}"))?;
            crate::node::command(root, modules, script)
        }
        App::Go(dir) => {
            let name = Path::new(dir).file_name().and_then(|n| n.to_str()).unwrap_or("app");
            Command::new(crate::gorilla::build(root, dir, &format!("{name}_app"))?)
        }
        App::Php(script) => {
            if !crate::laravel::ensure_php()? {
                bail!("PHP with Laravel is not installed and apt-get is unavailable");
            }
            // `php -S` takes the address as an argument; the server's port comes in as PORT.
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("exec php -S 127.0.0.1:$PORT {}", root.join(script).display()));
            c
        }
    })
}

/// Logs in on each server, reads the page on every server with the login's cookies, sends them with the
/// session cookie tampered to all, and logs out; prints the profile's table (and the servers that did not
/// start) and returns the failures.
fn matrix(profile: &Profile, servers: &[Server], not_started: &[&str]) -> Vec<String> {
    let name = profile.cookie;
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    for from in servers {
        let mut row = Vec::new();
        let jar: Jar = match login(from, name) {
            Ok(j) => j,
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
            let cell = match check_page(to, Some(&jar.header()), &format!("Logged in as {USER_ESCAPED}")) {
                Ok(()) => "ok".to_owned(),
                Err(e) => {
                    failures.push(format!("{} -> {}: {e:#}", from.name, to.name));
                    "FAIL".to_owned()
                }
            };
            row.push(cell);
        }
        let tampered = jar.tampered(name).header();
        let tamper_cell = match servers
            .iter()
            .try_for_each(|to| check_page(to, Some(&tampered), NOT_LOGGED_IN).with_context(|| to.name))
        {
            Ok(()) => "refused".to_owned(),
            Err(e) => {
                failures.push(format!("tampered cookie from {}: {e:#}", from.name));
                "FAIL".to_owned()
            }
        };
        // Laravel's logout (`invalidate()`) writes a new session rather than deleting the cookie: the page
        // after it says so.
        let logged_out = if profile.format == "laravel" {
            logout_to_page(from, &jar)
        } else {
            logout(from, name, &jar)
        };
        let logout_cell = match logged_out {
            Ok(()) => "deleted".to_owned(),
            Err(e) => {
                failures.push(format!("logout on {}: {e:#}", from.name));
                "FAIL".to_owned()
            }
        };
        rows.push((from.name, row, tamper_cell, logout_cell));
    }

    print!("\n{:<27}", format!("{} profile", profile.label()));
    for s in servers {
        print!(" {:>9}", s.name);
    }
    println!(" {:>9} {:>9}", "tampered", "logout");
    for (name, row, t, l) in &rows {
        print!("{name:<27}");
        for c in row {
            print!(" {c:>9}");
        }
        println!(" {t:>9} {l:>9}");
    }
    for name in not_started {
        println!("{name:<27} did not start (see target/interop/{name}.log)");
    }
    failures
}
