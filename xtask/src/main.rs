//! `cargo xtask <command>`: the project's automation (matklad's xtask pattern).
//!
//! - `ci`: everything the README's test command promises (fmt, clippy, tests, docs, conformance, vectors, interop,
//!   browser).
//! - `conformance [--json PATH]`: the shared Flask vectors against the core and every adapter, as a matrix.
//! - `vectors [--check]`: regenerate the vectors with pinned real Flask, Starlette and Django, Express with
//!   cookie-session, iron-session 8 and 9, Auth.js and next-auth 4, real Rails, real actix-session and real
//!   gorilla/sessions (or check the committed ones, and that the Node packages, Rails, actix-session and
//!   gorilla read our cookies).
//! - `interop [PROFILE]`: live logins across Flask, Starlette, Django, Express (cookie-session, iron-session,
//!   Auth.js), gorilla/sessions (Go), axum, actix-web and hyper servers on loopback (or one profile).
//! - `browser`: the demo driven by headless chromium (WebDriver): log in on axum, out on hyper.
//! - `bench [--quick] [--json PATH] [--http]`: codec benchmarks against Flask, the raw floor and the `cookie`
//!   crate; with `--http`, HTTP load (wrk) against actix-session, tower-sessions and Flask on gunicorn; with
//!   `--instructions`, instructions per request under callgrind against the peers and the floors.
//! - `soak [--seconds N]`: a bounded mixed load on each login example (not part of `ci`).
//! - `mutants [--timeout SECS] [--iterate] [--out DIR] [FILE...]`: cargo-mutants over the given files
//!   (default: the core's cookie-reading and cookie-rendering files) with the conformance vectors among the tests
//!   (not part of `ci`).

mod apt;
mod bench;
mod bench_chart;
mod bench_formats;
mod bench_http;
mod bench_instructions;
mod browser;
mod encrypted;
mod gorilla;
mod http;
mod interop;
mod interop_common;
mod interop_flash_csrf;
mod laravel;
mod mutants;
mod node;
mod package;
mod python;
mod server;
mod soak;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("conformance") => json_path(&args[1..]).and_then(|p| conformance(p.as_deref()).map(|_| ())),
        Some("vectors") if args.iter().any(|a| a == "laravel") => {
            laravel::vectors(&root(), args.iter().any(|a| a == "--check"))
        }
        Some("vectors") => vectors(args.iter().any(|a| a == "--check")),
        Some("interop") => interop::run(&root(), args.get(1).map(String::as_str)),
        Some("browser") => browser::run(&root()),
        Some("bench") if args.iter().any(|a| a == "--http") => bench_http::run(&root(), &args[1..]),
        Some("bench") if args.iter().any(|a| a == "--instructions") => bench_instructions::run(&root(), &args[1..]),
        Some("bench") => bench::run(&root(), &args[1..]),
        Some("soak") => soak::run(&root(), &args[1..]),
        Some("mutants") => mutants::run(&root(), &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  ci                    fmt, clippy, tests, docs, deny, package, conformance, npm packages, vectors --check, interop, browser\n  conformance [--json PATH]\n                        run every profile's vectors against core, axum, actix and hyper; print the matrix\n  vectors [--check]     regenerate testdata/vectors with pinned Flask, Starlette, Django, Express (cookie-session), iron-session, Auth.js, next-auth 4, and real Rails, actix-session, gorilla/sessions and Laravel (or fail if they differ); `vectors [--check] laravel`: Laravel's alone\n  interop [PROFILE]     live login test across Flask, Starlette, Django, Express (cookie-session, iron-session, Auth.js), gorilla/sessions (Go), Laravel (PHP), axum, actix-web and hyper on loopback (one profile: its name)\n  browser               the demo in headless chromium: log in on axum, out on hyper, seen on all\n  bench [--quick] [--json PATH] [--http]\n                        codec benchmarks vs Flask, the raw floor and the cookie crate;\n                        --http: req/s of the examples vs actix-session, tower-sessions and Flask (wrk)\n  bench --instructions  instructions per request (callgrind) of every stack, route and format vs the peers and floors\n  soak [--seconds N]    bounded mixed load on each login example; fails on errors or memory growth\n  mutants [--timeout SECS] [--iterate] [--out DIR] [FILE...] [-- CARGO_MUTANTS_ARGS...]\n                        cargo-mutants on FILE (from the root or crates/session-core/src/; default: the core's\n                        cookie-reading and -rendering files), tests of the package and the conformance vectors;\n                        caught/missed/timeout/unviable per file, every missed mutant (minutes per file)"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn json_path(args: &[String]) -> Result<Option<PathBuf>, anyhow::Error> {
    match args {
        [] => Ok(None),
        [flag, path] if flag == "--json" => Ok(Some(PathBuf::from(path))),
        _ => bail!("usage: cargo xtask conformance [--json PATH]"),
    }
}

/// The workspace root, found from this crate's manifest directory.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run_status(mut cmd: Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn ci() -> Result<()> {
    type Step = (&'static str, Box<dyn Fn() -> Result<()>>);
    let steps: Vec<Step> = vec![
        (
            "fmt",
            Box::new(|| {
                run_status({
                    let mut c = cargo();
                    c.args(["fmt", "--all", "--", "--check"]);
                    c
                })
            }),
        ),
        (
            "clippy",
            Box::new(|| {
                run_status({
                    let mut c = cargo();
                    c.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
                    c
                })
            }),
        ),
        (
            "test",
            Box::new(|| {
                run_status({
                    let mut c = cargo();
                    c.args(["test", "--workspace"]);
                    c
                })
            }),
        ),
        (
            "doc",
            Box::new(|| {
                run_status({
                    let mut c = cargo();
                    c.args(["doc", "--workspace", "--no-deps"])
                        .env("RUSTDOCFLAGS", "-D warnings");
                    c
                })
            }),
        ),
        ("deny", Box::new(deny)),
        ("package", Box::new(|| package::run(&root()))),
        ("conformance", Box::new(|| conformance(None).map(|_| ()))),
        // The pinned npm packages the Node vectors and seed apps load (under target/node).
        ("npm packages", Box::new(|| node::install(&root()).map(|_| ()))),
        ("vectors --check", Box::new(|| vectors(true))),
        ("interop", Box::new(|| interop::run(&root(), None))),
        ("browser", Box::new(|| browser::run(&root()))),
    ];
    let mut table = Vec::new();
    let mut failed = false;
    for (name, step) in &steps {
        eprintln!("\n==> xtask ci: {name}");
        let t = Instant::now();
        let r = step();
        let secs = t.elapsed().as_secs_f64();
        if let Err(e) = &r {
            eprintln!("xtask ci: {name} failed: {e:#}");
            failed = true;
        }
        table.push((name, r.is_ok(), secs));
    }
    println!("\n{:<18} {:<6} {:>8}", "step", "result", "seconds");
    for (name, ok, secs) in &table {
        println!("{:<18} {:<6} {:>8.1}", name, if *ok { "ok" } else { "FAILED" }, secs);
    }
    if failed {
        bail!("ci failed");
    }
    println!("ci: all steps passed");
    Ok(())
}

/// cargo-deny (licenses, bans, sources) when it is installed; otherwise a printed skip (the GitHub workflow
/// always runs it; installing it here would add minutes of compiling to every fresh machine).
fn deny() -> Result<()> {
    let installed = cargo()
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        println!("deny: skipped: cargo-deny is not installed (`cargo install cargo-deny` to run it here)");
        return Ok(());
    }
    let mut c = cargo();
    c.args(["deny", "check", "licenses", "bans", "sources"]);
    run_status(c)
}

/// The targets of the matrix: (name, cargo package holding its `tests/conformance.rs`).
const TARGETS: [(&str, &str); 4] = [
    ("core", "session-conformance"),
    ("axum", "session-axum"),
    ("actix", "session-actix"),
    ("hyper", "session-hyper"),
];

fn conformance(json: Option<&Path>) -> Result<serde_json::Value> {
    let dir = root().join("target/conformance");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut cmd = cargo();
    // --no-fail-fast: a failing target must not keep the others from running and reporting.
    cmd.args(["test", "--no-fail-fast", "--test", "conformance"])
        .env("CONFORMANCE_REPORT_DIR", &dir);
    for (_, pkg) in TARGETS {
        cmd.args(["-p", pkg]);
    }
    let test_result = run_status(cmd);

    let mut reports = Vec::new();
    let mut missing = Vec::new();
    for (name, _) in TARGETS {
        let path = dir.join(format!("{name}.json"));
        match std::fs::read_to_string(&path) {
            Ok(text) => reports.push(serde_json::from_str::<serde_json::Value>(&text)?),
            Err(_) => {
                println!("FAIL [{name}] no report: its conformance test did not run to the end (see the output above)");
                missing.push(name);
            }
        }
    }
    // group -> target -> [passed, failed, skipped]; format -> the same; target -> failing ids.
    let mut matrix: BTreeMap<String, BTreeMap<String, [usize; 3]>> = BTreeMap::new();
    let mut profiles: BTreeMap<String, BTreeMap<String, [usize; 3]>> = BTreeMap::new();
    let mut failing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut p, mut f, mut s) = (0, 0, 0);
    let mut vectors = 0;
    for r in &reports {
        let target = r["target"].as_str().unwrap_or("?").to_owned();
        let cases = r["cases"].as_array().cloned().unwrap_or_default();
        vectors = vectors.max(cases.len());
        for c in cases {
            let slot = match c["status"].as_str() {
                Some("pass") => 0,
                Some("skip") => 2,
                _ => 1,
            };
            for (table, key) in [(&mut matrix, "group"), (&mut profiles, "format")] {
                table
                    .entry(c[key].as_str().unwrap_or("flask").to_owned())
                    .or_default()
                    .entry(target.clone())
                    .or_default()[slot] += 1;
            }
            match slot {
                0 => p += 1,
                2 => {
                    s += 1;
                    println!("skip [{target}] {}: {}", c["id"], c["reason"]);
                }
                _ => {
                    f += 1;
                    println!("FAIL [{target}] {}: {}", c["id"], c["reason"]);
                    failing
                        .entry(target.clone())
                        .or_default()
                        .push(c["id"].as_str().unwrap_or("?").to_owned());
                }
            }
        }
    }
    let print_table = |title: &str, table: &BTreeMap<String, BTreeMap<String, [usize; 3]>>| {
        print!("\n{title:<24}");
        for (name, _) in TARGETS {
            print!(" {name:>12}");
        }
        println!();
        for (row_name, row) in table {
            print!("{row_name:<24}");
            for (name, _) in TARGETS {
                let cell = match row.get(name) {
                    None if missing.contains(&name) => "no report".to_owned(),
                    None => "-".to_owned(),
                    Some(&[cp, cf, cs]) if cf > 0 => format!("{cp}/{} FAIL", cp + cf + cs),
                    Some(&[cp, cf, cs]) => format!("{cp}/{}", cp + cf + cs),
                };
                print!(" {cell:>12}");
            }
            println!();
        }
    };
    print_table("vectors \\ target", &matrix);
    print_table("profile \\ target", &profiles);
    for (target, ids) in &failing {
        println!("failing on {target}: {}", ids.join(", "));
    }
    println!(
        "conformance: {} targets x {vectors} vectors: {p} passed, {f} failed, {s} skipped",
        TARGETS.len()
    );
    let summary = serde_json::json!({ "targets": TARGETS.len(), "vectors": vectors, "passed": p, "failed": f, "skipped": s, "reports": reports });
    if let Some(path) = json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)?;
    }
    if !missing.is_empty() {
        bail!("no conformance report for {}", missing.join(", "));
    }
    if f > 0 {
        bail!("{f} conformance failures");
    }
    test_result?;
    Ok(summary)
}

/// The Python generator of each profile's vectors (each runs the real framework from `scripts/requirements.txt`).
const GENERATORS: [&str; 4] = [
    "scripts/flask_vectors.py",
    // Flash messages (Flask) and CSRF tokens (Flask-WTF).
    "scripts/flask_flash_csrf_vectors.py",
    "scripts/starlette_vectors.py",
    "scripts/django_vectors.py",
];

/// Makes the `--read-ours` input of a Node generator: cookies of ours, as JSON.
type OurCookies = fn() -> Result<String>;

/// The Node generators (the pinned packages from `interop/node/package-lock.json`), each with the cookies of
/// ours its `--read-ours` has the real package open: Express with cookie-session; iron-session 8 and 9;
/// Auth.js (@auth/core) and next-auth 4.
const NODE_GENERATORS: [(&str, OurCookies); 3] = [
    ("scripts/express_vectors.js", node::our_express_cookies),
    ("scripts/iron_vectors.js", node::our_iron_cookies),
    ("scripts/authjs_vectors.js", node::our_jwt_cookies),
];

/// The Cookie-header parsers' generator (Python, with the pinned npm `cookies` for Node's answers and a Go
/// program for Go's).
const COOKIE_HEADER_GENERATOR: &str = "scripts/cookie_header_vectors.py";

/// Go's answers for that generator: `r.Cookie(name)` (Go 1.19's net/http, built in GOPATH mode).
const COOKIE_HEADER_GO: &str = "scripts/cookie_header_go";

/// Regenerates (`check` false) or checks every profile's vectors: the Python generators, the Cookie-header
/// parsers, the Node ones (each also reading our cookies with the real package), then Rails', actix-session's,
/// gorilla/sessions' and Laravel's (which also read ours).
fn vectors(check: bool) -> Result<()> {
    let py = python::venv(&root())?;
    let mode = if check { "--check" } else { "--out" };
    let mut failed = Vec::new();
    for script in GENERATORS {
        let mut cmd = Command::new(&py);
        cmd.current_dir(root()).arg(script);
        cmd.args([mode, "testdata/vectors"]);
        if let Err(e) = run_status(cmd) {
            eprintln!("xtask: {e:#}");
            failed.push(script);
        }
    }
    match node::install(&root()) {
        Ok(modules) => {
            // Every Cookie-header parser against the real ones (Werkzeug, Django, Starlette, npm cookies, Go's
            // net/http) on the same lines: testdata/cookie_headers/parsers.json.
            let run = || -> Result<()> {
                let go = gorilla::build(&root(), COOKIE_HEADER_GO, "cookie_header_go")?;
                let mut cmd = Command::new(&py);
                cmd.current_dir(root()).arg(COOKIE_HEADER_GENERATOR);
                cmd.args([mode, "testdata/cookie_headers"])
                    .arg("--node-modules")
                    .arg(&modules)
                    .arg("--go")
                    .arg(go);
                run_status(cmd)
            };
            if let Err(e) = run() {
                eprintln!("xtask: {e:#}");
                failed.push(COOKIE_HEADER_GENERATOR);
            }
            for (script, ours) in NODE_GENERATORS {
                let run = || -> Result<()> {
                    let mut cmd = node::command(&root(), &modules, script);
                    cmd.args([mode, "testdata/vectors"]);
                    run_status(cmd)?;
                    // The real package reads cookies our codec made.
                    let stem = Path::new(script).file_stem().and_then(|s| s.to_str()).unwrap_or("node");
                    let file = root().join(format!("target/{stem}-ours.json"));
                    std::fs::write(&file, ours()?)?;
                    let mut cmd = node::command(&root(), &modules, script);
                    cmd.arg("--read-ours").arg(&file);
                    run_status(cmd)
                };
                if let Err(e) = run() {
                    eprintln!("xtask: {script}: {e:#}");
                    failed.push(script);
                }
            }
        }
        Err(e) => {
            eprintln!("xtask: {e:#}");
            failed.push(COOKIE_HEADER_GENERATOR);
            failed.extend(NODE_GENERATORS.iter().map(|(s, _)| *s));
        }
    }
    if let Err(e) = encrypted::vectors(&root(), check) {
        eprintln!("xtask: {e:#}");
        failed.push("Rails and actix-session (xtask/src/encrypted.rs)");
    }
    if let Err(e) = gorilla::vectors(&root(), check) {
        eprintln!("xtask: {e:#}");
        failed.push("gorilla/sessions (scripts/gorilla_vectors, xtask/src/gorilla.rs)");
    }
    if let Err(e) = laravel::vectors(&root(), check) {
        eprintln!("xtask: {e:#}");
        failed.push("Laravel (scripts/laravel_vectors.php)");
    }
    if !failed.is_empty() {
        bail!("vectors differ or could not be generated: {}", failed.join(", "));
    }
    Ok(())
}
