//! `cargo xtask bench --http [--quick] [--json PATH] [--port-base N] [--rounds N] [--seconds S]`: the HTTP
//! load benchmark.
//!
//! 1. Builds `benches-http` (its own Cargo workspace, not built by the main one) in release mode into
//!    `<target>/benches-http`, and makes sure `wrk` is installed (Debian package; installed with apt-get when
//!    missing).
//! 2. Starts every stack on 127.0.0.1, port `--port-base` (18600) + index: `bench-servers --stack NAME` for the
//!    Rust ones, Flask's `scripts/flask_bench_app.py` on gunicorn with 2 sync workers. For each, calls
//!    `GET /login-setup` once to get a cookie made by that stack, checks that `/bare`, `/plain`, `/read` and
//!    `/write` answer what they should, and warms up (1 s of wrk). `/bare` is outside the session middleware,
//!    `/plain` behind it but never touches the session; Flask has no `/bare` (it opens the session on every
//!    request).
//! 3. Rounds (default 3; `--quick` 1): in each, every stack in turn (a different one first each round) gets
//!    `wrk -t2 -c32 -d4s` (`--quick`: 3 s; `--seconds`) on each of its routes, with its cookie on every
//!    request. Interleaving matters on a shared machine: the background load changes within minutes, and one
//!    block per stack would hand that change to whichever stack ran then. `--rounds 1 --seconds 10` is one
//!    10-second block per route instead.
//! 4. Prints the median req/s per stack and route, every run, the ratios (each the median of the per-round
//!    ratios) and the targets; `--json PATH` writes the same.
//!
//! `--pinned` (needs at least 8 CPUs): every server runs under `taskset -c 0-3` with 4 worker threads
//! (gunicorn: 4 workers) and wrk under `taskset -c 4-11` with `-t8 -c128` (`4-7`, `-t4`, with fewer than 12
//! CPUs), 2 rounds by default, so the load generator never competes with the server for a core.
//! `scripts/bench-pinned.sh` does the same without cargo or Python (prebuilt binaries, Rust stacks only). A missed target is reported, not an
//!    error; a non-2xx response or a socket error in any wrk run, a wrong answer, or a server that does not
//!    start fails the command. Every server is stopped at the end and on any error (a drop guard).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use crate::http::request;
use crate::server::{Server, Stop, listening};

/// One key for every stack: 64 bytes of text, the length `cookie::Key` (actix-session, tower-sessions) needs.
const KEY: &str = "benches-http-shared-secret-key-not-for-production-0123456789abcd";
/// The routes, in run order. `bare` is outside the session middleware (Flask has no such route: it opens the
/// session on every request); `plain` is behind it but never touches the session; `read-anon` is `/read` sent
/// without the cookie (the same request without a session: it answers `anon`).
const ROUTES: [&str; 5] = ["bare", "plain", "read", "read-anon", "write"];
/// The target: a read-only request with a session at least this fraction of the same request without one.
const TARGET_READ_OVER_ANON: f64 = 0.95;
/// wrk's threads and connections (unpinned).
const WRK_THREADS: u32 = 2;
const WRK_CONNECTIONS: u32 = 32;

/// Where the servers and wrk run: CPU lists for `taskset` (none: unpinned), the servers' worker threads and
/// wrk's threads and connections.
struct Placement {
    server_cpus: Option<&'static str>,
    wrk_cpus: Option<&'static str>,
    server_threads: u32,
    wrk_threads: u32,
    wrk_connections: u32,
}

impl Placement {
    fn new(pinned: bool) -> Result<Self> {
        if !pinned {
            return Ok(Self {
                server_cpus: None,
                wrk_cpus: None,
                server_threads: 2,
                wrk_threads: WRK_THREADS,
                wrk_connections: WRK_CONNECTIONS,
            });
        }
        let cpus = std::thread::available_parallelism().map_or(0, usize::from);
        if cpus < 8 {
            bail!("--pinned needs at least 8 CPUs (4 for the server, 4 or more for wrk); this machine has {cpus}");
        }
        if which("taskset").is_none() {
            bail!("--pinned needs taskset (Debian package util-linux)");
        }
        let (wrk_cpus, wrk_threads) = if cpus >= 12 { ("4-11", 8) } else { ("4-7", 4) };
        Ok(Self {
            server_cpus: Some("0-3"),
            wrk_cpus: Some(wrk_cpus),
            server_threads: 4,
            wrk_threads,
            wrk_connections: 128,
        })
    }

    /// `program` itself, or `taskset -c CPUS program` when pinned.
    fn command(cpus: Option<&str>, program: &Path) -> Command {
        match cpus {
            Some(cpus) => {
                let mut c = Command::new("taskset");
                c.args(["-c", cpus]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }
}
/// The target: a read-only request at least this fraction of the plain route's req/s.
const TARGET_READ_OVER_PLAIN: f64 = 0.75;
/// The target: a read-only request at least this many times Flask on gunicorn.
const TARGET_VS_FLASK: f64 = 15.0;
/// How long a server may take to accept connections.
const STARTUP: Duration = Duration::from_secs(30);
/// The whole run may not take longer than this (build and venv excluded).
const BUDGET: Duration = Duration::from_secs(20 * 60);

/// A stack: its name, whether it is ours, and what it is.
struct Stack {
    name: &'static str,
    ours: bool,
    what: &'static str,
}

const STACKS: [Stack; 6] = [
    Stack {
        name: "ours-axum",
        ours: true,
        what: "session-axum SessionLayer + Session extractor, axum 0.8",
    },
    Stack {
        name: "ours-actix",
        ours: true,
        what: "session-actix SessionMiddleware + Session extractor, actix-web 4",
    },
    Stack {
        name: "ours-hyper",
        ours: true,
        what: "session-hyper SessionLayer on a hyper 1 service_fn",
    },
    Stack {
        name: "actix-session",
        ours: false,
        what: "actix-session 0.11 CookieSessionStore, signed cookies, actix-web 4",
    },
    Stack {
        name: "tower-sessions",
        ours: false,
        what: "tower-sessions-core 0.14 + tower-sessions-cookie-store 0.5 (signed cookies), axum 0.8",
    },
    Stack {
        name: "flask",
        ours: false,
        what: "Flask 3.1.3 default session, gunicorn 23.0.0, 2 sync workers",
    },
];

struct Options {
    quick: bool,
    json: Option<PathBuf>,
    port_base: u16,
    rounds: Option<usize>,
    secs: Option<u64>,
    pinned: bool,
}

const USAGE: &str = "usage: cargo xtask bench --http [--quick] [--pinned] [--json PATH] [--port-base N] [--rounds N] \
                     [--seconds S]";

fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        quick: false,
        json: None,
        port_base: 18_600,
        rounds: None,
        secs: None,
        pinned: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--http" => {}
            "--quick" => opts.quick = true,
            "--pinned" => opts.pinned = true,
            "--json" => opts.json = Some(PathBuf::from(it.next().context("--json needs a path")?)),
            "--port-base" => {
                opts.port_base = it
                    .next()
                    .context("--port-base needs a port")?
                    .parse()
                    .context("--port-base needs a port number")?;
            }
            "--rounds" => opts.rounds = Some(it.next().context("--rounds needs a number")?.parse()?),
            "--seconds" => opts.secs = Some(it.next().context("--seconds needs a number")?.parse()?),
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    if opts.rounds == Some(0) || opts.secs == Some(0) {
        bail!("--rounds and --seconds must be at least 1");
    }
    if opts.port_base.checked_add(STACKS.len() as u16).is_none() {
        bail!("--port-base {} is too high", opts.port_base);
    }
    Ok(opts)
}

/// One stack's results: the stack, the cookie sent, and every wrk run (one per round) of each route.
type Measured = (&'static Stack, String, Vec<(&'static str, Vec<WrkResult>)>);

/// The median req/s over the rounds of a stack's route, NaN when not measured.
fn rps(results: &[Measured], name: &str, route: &str) -> f64 {
    results
        .iter()
        .find(|(s, _, _)| s.name == name)
        .and_then(|(_, _, rs)| rs.iter().find(|(r, _)| *r == route))
        .map_or(f64::NAN, |(_, runs)| {
            median(runs.iter().map(|r| r.req_per_sec).collect())
        })
}

/// The median over rounds of `a / b`, each ratio taken within one round (the two runs closer in time than
/// across rounds, so a change in the machine's background load cancels out more). NaN when not measured.
fn ratio_of(results: &[Measured], (a, a_route): (&str, &str), (b, b_route): (&str, &str)) -> f64 {
    let runs = |name: &str, route: &str| -> Vec<f64> {
        results
            .iter()
            .find(|(s, _, _)| s.name == name)
            .and_then(|(_, _, rs)| rs.iter().find(|(r, _)| *r == route))
            .map(|(_, runs)| runs.iter().map(|r| r.req_per_sec).collect())
            .unwrap_or_default()
    };
    let (xs, ys) = (runs(a, a_route), runs(b, b_route));
    median(xs.iter().zip(&ys).map(|(x, y)| x / y).collect())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Numbers from one wrk run.
struct WrkResult {
    req_per_sec: f64,
    requests: u64,
    non_2xx_3xx: u64,
    socket_errors: u64,
    latency_avg: String,
}

/// Runs the HTTP load benchmark.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let place = Placement::new(opts.pinned)?;
    let (rounds, secs) = (
        opts.rounds.unwrap_or(if opts.quick {
            1
        } else if opts.pinned {
            2
        } else {
            3
        }),
        opts.secs.unwrap_or(if opts.quick { 3 } else { 4 }),
    );
    let started = SystemTime::now();
    let load_start = loadavg();

    let wrk = ensure_wrk()?;
    let servers_bin = build_servers(root)?;
    eprintln!("==> xtask bench --http: the Flask venv (gunicorn)");
    let python = crate::python::venv(root)?;
    let log_dir = root.join("target/bench-http");
    std::fs::create_dir_all(&log_dir)?;

    // Every server runs for the whole measurement (an idle one costs nothing), so that rounds can interleave the
    // stacks: on a shared machine the background load changes within minutes, and one block per stack would
    // hand that change to whichever stack ran then.
    let clock = Instant::now();
    let mut servers = Vec::new();
    let mut results: Vec<Measured> = Vec::new();
    for (stack, port) in STACKS.iter().zip(opts.port_base..) {
        eprintln!("==> xtask bench --http: starting {} on 127.0.0.1:{port}", stack.name);
        let server = start(stack, port, &servers_bin, &python, root, &log_dir, &place)?;
        let cookie = setup(stack.name, port)
            .with_context(|| format!("{} did not behave (log: {})", stack.name, server.log().display()))?;
        // Warm-up: connections, caches, gunicorn's workers; not recorded.
        wrk_run(&wrk, &place, port, "read", &cookie, 1, &log_dir, stack.name)?;
        let routes = ROUTES
            .iter()
            .filter(|r| !(**r == "bare" && stack.name == "flask"))
            .map(|r| (*r, Vec::new()))
            .collect();
        servers.push((port, server));
        results.push((stack, cookie, routes));
    }
    for round in 0..rounds {
        eprintln!(
            "==> xtask bench --http: round {} of {rounds}, {secs} s per route",
            round + 1
        );
        // Each round starts with a different stack, so no stack always runs first or last.
        for k in 0..results.len() {
            let i = (k + round) % results.len();
            let (stack, cookie, routes) = &mut results[i];
            let port = servers[i].0;
            for (route, runs) in routes.iter_mut() {
                if clock.elapsed() > BUDGET {
                    bail!(
                        "the run took longer than {BUDGET:?}; stopped at {} /{route}",
                        stack.name
                    );
                }
                let r = wrk_run(&wrk, &place, port, route, cookie, secs, &log_dir, stack.name)?;
                eprintln!(
                    "    {:<15} /{route:<9} {:>8.0} req/s  ({} requests, latency avg {}, non-2xx/3xx {}, socket errors {})",
                    stack.name, r.req_per_sec, r.requests, r.latency_avg, r.non_2xx_3xx, r.socket_errors
                );
                runs.push(r);
            }
        }
    }
    drop(servers);
    let load_end = loadavg();

    let rps = |name: &str, route: &str| rps(&results, name, route);
    let over = |a: (&str, &str), b: (&str, &str)| ratio_of(&results, a, b);
    let mut ratios = Vec::new();
    let mut ratio = |what: String, x: f64| ratios.push(json!({ "ratio": what, "value": x }));
    for s in STACKS.iter().filter(|s| s.name != "flask") {
        ratio(
            format!("{} plain / bare", s.name),
            over((s.name, "plain"), (s.name, "bare")),
        );
        ratio(
            format!("{} read / bare", s.name),
            over((s.name, "read"), (s.name, "bare")),
        );
        ratio(
            format!("{} read / read-anon", s.name),
            over((s.name, "read"), (s.name, "read-anon")),
        );
    }
    for s in &STACKS {
        ratio(
            format!("{} read / plain", s.name),
            over((s.name, "read"), (s.name, "plain")),
        );
        ratio(
            format!("{} write / plain", s.name),
            over((s.name, "write"), (s.name, "plain")),
        );
    }
    for s in STACKS.iter().filter(|s| s.ours) {
        ratio(
            format!("{} read / flask read", s.name),
            over((s.name, "read"), ("flask", "read")),
        );
    }
    for (ours, peer) in [("ours-actix", "actix-session"), ("ours-axum", "tower-sessions")] {
        for route in ROUTES {
            ratio(
                format!("{ours} {route} / {peer} {route}"),
                over((ours, route), (peer, route)),
            );
        }
    }

    let mut targets = Vec::new();
    let mut target = |what: String, measured: f64, met: bool| {
        targets.push(json!({ "target": what, "measured": measured, "met": met }));
    };
    // "Plain" both ways: behind the middleware (session untouched) and outside it (the framework alone).
    for s in STACKS.iter().filter(|s| s.ours) {
        for base in ["plain", "bare"] {
            let x = over((s.name, "read"), (s.name, base));
            target(
                format!("{}: read >= {TARGET_READ_OVER_PLAIN}x {base}", s.name),
                x,
                x >= TARGET_READ_OVER_PLAIN,
            );
        }
    }
    for s in STACKS.iter().filter(|s| s.ours) {
        let x = over((s.name, "read"), (s.name, "read-anon"));
        target(
            format!("{}: read >= {TARGET_READ_OVER_ANON}x read-anon", s.name),
            x,
            x >= TARGET_READ_OVER_ANON,
        );
    }
    for s in STACKS.iter().filter(|s| s.ours) {
        let x = over((s.name, "read"), ("flask", "read"));
        target(
            format!("{}: read >= {TARGET_VS_FLASK}x Flask read", s.name),
            x,
            x >= TARGET_VS_FLASK,
        );
    }
    let x = over(("ours-actix", "read"), ("actix-session", "read"));
    target("ours-actix: read >= actix-session read".to_owned(), x, x >= 1.0);

    let mut flags = Vec::new();
    for (stack, _, rs) in &results {
        for (route, r) in rs.iter().flat_map(|(route, runs)| runs.iter().map(move |r| (route, r))) {
            if r.non_2xx_3xx > 0 || r.socket_errors > 0 || r.requests == 0 {
                flags.push(format!(
                    "{} /{route}: {} non-2xx/3xx responses, {} socket errors, {} requests",
                    stack.name, r.non_2xx_3xx, r.socket_errors, r.requests
                ));
            }
        }
    }

    let pinning = match (place.server_cpus, place.wrk_cpus) {
        (Some(s), Some(w)) => format!(
            "; pinned: servers on CPUs {s} ({} threads), wrk on CPUs {w}",
            place.server_threads
        ),
        _ => String::new(),
    };
    let wrk_args = format!(
        "wrk -t{} -c{} -d{secs}s -H 'Cookie: <the stack's cookie>', {rounds} round(s), median{pinning}",
        place.wrk_threads, place.wrk_connections
    );
    print_table(&results, &ratios, &targets, &flags, &wrk_args, &load_start, &load_end);

    if let Some(path) = &opts.json {
        let stacks: Vec<Value> = results
            .iter()
            .map(|(s, cookie, rs)| {
                let routes: serde_json::Map<String, Value> = rs
                    .iter()
                    .map(|(route, runs)| {
                        let runs: Vec<Value> = runs
                            .iter()
                            .map(|r| {
                                json!({ "req_per_sec": r.req_per_sec, "requests": r.requests,
                                        "latency_avg": r.latency_avg, "non_2xx_3xx": r.non_2xx_3xx,
                                        "socket_errors": r.socket_errors })
                            })
                            .collect();
                        let key = (*route).to_owned();
                        (key, json!({ "median_req_per_sec": rps(s.name, route), "runs": runs }))
                    })
                    .collect();
                let cookie_name = cookie.split_once('=').map_or("", |(n, _)| n);
                json!({ "stack": s.name, "ours": s.ours, "what": s.what, "cookie_name": cookie_name,
                        "cookie_bytes": cookie.len(), "routes": routes })
            })
            .collect();
        let doc = json!({
            "command": format!("cargo xtask bench --http {}", args.join(" ")).trim_end().to_owned(),
            "date_utc": crate::bench::utc_date(started),
            "machine": { "nproc": std::thread::available_parallelism().map_or(0, usize::from), "cpu": crate::bench::cpu(),
                         "loadavg_at_start": load_start, "loadavg_at_end": load_end },
            "wrk": wrk_args,
            "unit": "requests per second (median of the rounds)",
            "rounds": rounds,
            "seconds_per_run": secs,
            "stacks": stacks,
            "ratios": ratios,
            "targets": targets,
            "flags": flags,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("xtask bench --http: wrote {}", path.display());
    }
    if !flags.is_empty() {
        bail!("{} wrk run(s) saw errors; the numbers above are not valid", flags.len());
    }
    Ok(())
}

/// `wrk` on PATH, or installs the Debian package.
fn ensure_wrk() -> Result<PathBuf> {
    crate::apt::ensure("the HTTP benchmark", &["wrk"], || which("wrk").is_some())?;
    which("wrk").context("apt-get installed wrk but it is not on PATH")
}

fn which(exe: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(exe))
        .find(|p| p.is_file())
}

/// Builds `bench-servers` in release mode; returns the binary's path.
pub(crate) fn build_servers(root: &Path) -> Result<PathBuf> {
    eprintln!("==> xtask bench --http: cargo build --release (benches-http, a separate workspace)");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
    .join("benches-http");
    let mut cmd = crate::cargo();
    cmd.args([
        "build",
        "--release",
        "--manifest-path",
        "benches-http/Cargo.toml",
        "--target-dir",
    ])
    .arg(&target);
    crate::run_status(cmd)?;
    let bin = target.join("release/bench-servers");
    if !bin.is_file() {
        bail!("the build did not produce {}", bin.display());
    }
    Ok(bin)
}

fn start(
    stack: &Stack,
    port: u16,
    servers_bin: &Path,
    python: &Path,
    root: &Path,
    log_dir: &Path,
    place: &Placement,
) -> Result<Server> {
    if listening(port) {
        bail!("127.0.0.1:{port} is already in use; pass --port-base N");
    }
    let mut cmd = if stack.name == "flask" {
        let mut c = Placement::command(place.server_cpus, python);
        c.args(["-m", "gunicorn", "--workers", &place.server_threads.to_string()])
            .args(["--worker-class", "sync", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--chdir")
            .arg(root.join("scripts"))
            .args(["--log-level", "warning", "flask_bench_app:app"]);
        c
    } else {
        let mut c = Placement::command(place.server_cpus, servers_bin);
        c.args(["--stack", stack.name, "--port", &port.to_string()])
            .args(["--threads", &place.server_threads.to_string()]);
        c
    };
    cmd.env("SECRET_KEY", KEY).current_dir(root);
    let log = log_dir.join(format!("{}.log", stack.name));
    Server::start(stack.name, port, cmd, log, Stop::Term(Duration::from_secs(3)), STARTUP)
}

/// Gets the stack's own cookie from `/login-setup`, then checks what the three measured routes answer with it.
fn setup(name: &str, port: u16) -> Result<String> {
    let login = request(port, "GET", "/login-setup", None, None)?;
    let set_cookie = login
        .all("set-cookie")
        .first()
        .map(|h| h.split(';').next().unwrap_or("").trim().to_owned())
        .filter(|c| c.contains('='))
        .with_context(|| format!("{name}: GET /login-setup set no cookie (status {})", login.status))?;
    let check = |route: &str, want: &str, wants_cookie: bool| -> Result<()> {
        let (path, with_cookie) = target(route);
        let cookie = with_cookie.then_some(set_cookie.as_str());
        let r = request(port, "GET", &format!("/{path}"), cookie, None)?;
        if r.status != 200 || r.body.trim() != want {
            bail!(
                "{name}: GET /{route} answered {} {:?}, expected 200 {want:?}",
                r.status,
                r.body
            );
        }
        if wants_cookie && r.all("set-cookie").is_empty() {
            bail!("{name}: GET /{route} did not set a cookie");
        }
        Ok(())
    };
    if name != "flask" {
        check("bare", "ok", false)?;
    }
    check("plain", "ok", false)?;
    check("read", "5", false)?;
    check("write", "1", true)?;
    check("read-anon", "anon", false)?;
    Ok(set_cookie)
}

/// The path a route name asks for and whether the cookie goes with it: `NAME-anon` is `/NAME` without it.
fn target(route: &str) -> (&str, bool) {
    route.strip_suffix("-anon").map_or((route, true), |path| (path, false))
}

#[allow(clippy::too_many_arguments)] // reason: one call site per use, each argument a plain fact of the run
fn wrk_run(
    wrk: &Path,
    place: &Placement,
    port: u16,
    route: &str,
    cookie: &str,
    secs: u64,
    log_dir: &Path,
    name: &str,
) -> Result<WrkResult> {
    let out_path = log_dir.join(format!("wrk-{name}-{route}.txt"));
    let out = std::fs::File::create(&out_path)?;
    let mut command = Placement::command(place.wrk_cpus, wrk);
    command
        .arg(format!("-t{}", place.wrk_threads))
        .arg(format!("-c{}", place.wrk_connections))
        .arg(format!("-d{secs}s"))
        .args(["--timeout", "5s"]);
    let (path, with_cookie) = target(route);
    if with_cookie {
        command.arg("-H").arg(format!("Cookie: {cookie}"));
    }
    let mut child = command
        .arg(format!("http://127.0.0.1:{port}/{path}"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", wrk.display()))?;
    let deadline = Instant::now() + Duration::from_secs(secs + 20);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("wrk on {name} /{route} did not finish in {}s", secs + 20);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&out_path)?;
    if !status.success() {
        bail!("wrk on {name} /{route} failed ({status}):\n{text}");
    }
    parse_wrk(&text).with_context(|| format!("cannot read wrk's output ({}):\n{text}", out_path.display()))
}

/// Reads wrk 4's summary: `Requests/sec:`, `N requests in`, `Non-2xx or 3xx responses:`, `Socket errors:`.
fn parse_wrk(text: &str) -> Result<WrkResult> {
    let mut r = WrkResult {
        req_per_sec: f64::NAN,
        requests: 0,
        non_2xx_3xx: 0,
        socket_errors: 0,
        latency_avg: String::new(),
    };
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            r.req_per_sec = v.trim().parse().context("Requests/sec")?;
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            r.non_2xx_3xx = v.trim().parse().context("Non-2xx or 3xx responses")?;
        } else if let Some(v) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            r.socket_errors = v
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
        } else if let Some((n, _)) = line.split_once(" requests in ") {
            r.requests = n.trim().parse().context("N requests in")?;
        } else if let Some(v) = line.strip_prefix("Latency") {
            r.latency_avg = v.split_whitespace().next().unwrap_or("").to_owned();
        }
    }
    if r.req_per_sec.is_nan() {
        bail!("no Requests/sec line");
    }
    Ok(r)
}

fn print_table(
    results: &[Measured],
    ratios: &[Value],
    targets: &[Value],
    flags: &[String],
    wrk_args: &str,
    load_start: &str,
    load_end: &str,
) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\nHTTP load, req/s ({wrk_args}); 127.0.0.1; {} CPU(s), {}; load average at start {load_start}, at end {load_end}",
        std::thread::available_parallelism().map_or(0, usize::from),
        crate::bench::cpu()
    );
    let _ = writeln!(
        out,
        "{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10} {:>11} {:>12} {:>7}",
        "stack",
        "bare",
        "plain",
        "read",
        "read-anon",
        "write",
        "read/plain",
        "read/anon",
        "read/bare",
        "write/plain",
        "cookie"
    );
    let num = |x: f64, digits: usize| {
        if x.is_nan() {
            "-".to_owned()
        } else {
            format!("{x:.digits$}")
        }
    };
    for (stack, cookie, _) in results {
        let r = |route: &str| rps(results, stack.name, route);
        let over = |a: &str, b: &str| ratio_of(results, (stack.name, a), (stack.name, b));
        let _ = writeln!(
            out,
            "{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>10} {:>11} {:>12} {:>7}",
            stack.name,
            num(r("bare"), 0),
            num(r("plain"), 0),
            num(r("read"), 0),
            num(r("read-anon"), 0),
            num(r("write"), 0),
            num(over("read", "plain"), 2),
            num(over("read", "read-anon"), 2),
            num(over("read", "bare"), 2),
            num(over("write", "plain"), 2),
            cookie.len()
        );
    }
    let _ = writeln!(
        out,
        "(req/s: median of the rounds; ratios: median of the per-round ratios)"
    );
    let _ = writeln!(out, "\nevery run, req/s in round order:");
    for (stack, _, rs) in results {
        for (route, runs) in rs {
            let xs: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.req_per_sec)).collect();
            let _ = writeln!(out, "  {:<16} /{route:<9} {}", stack.name, xs.join(" "));
        }
    }
    let _ = writeln!(out, "\nratios:");
    for r in ratios {
        let _ = writeln!(
            out,
            "  {:<50} {:>7.2}",
            r["ratio"].as_str().unwrap_or(""),
            r["value"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(out, "\ntargets (HTTP):");
    for t in targets {
        let _ = writeln!(
            out,
            "  {:<5} {:<44} measured {:.2}",
            if t["met"] == true { "MET" } else { "MISS" },
            t["target"].as_str().unwrap_or(""),
            t["measured"].as_f64().unwrap_or(f64::NAN)
        );
    }
    for f in flags {
        let _ = writeln!(out, "  FLAG  {f}");
    }
}

/// The 1-, 5- and 15-minute load averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}
