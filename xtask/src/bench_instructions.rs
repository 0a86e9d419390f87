//! `cargo xtask bench --instructions [--requests N] [--warmup N] [--stacks A,B] [--no-cells] [--no-http]
//! [--chart-only]`: server-side instructions per request, counted by valgrind's callgrind, so the figures are the
//! same on a busy two-core machine as on a quiet one.
//!
//! 1. Builds `benches-http` in release mode (as `--http` does) and makes sure valgrind is installed (Debian
//!    package, through `crate::apt`).
//! 2. HTTP: every stack of `bench-servers` runs under `valgrind --tool=callgrind` with one worker thread. For
//!    each, one keep-alive connection gets the stack's own `/login-setup` cookie; then for each route: 50
//!    warm-up requests (`--warmup`), `callgrind_control -z` (counters to zero), 200 requests (`--requests`),
//!    `callgrind_control -d` (a dump); the dump's total ÷ the requests is the route's instructions per request.
//!    Only the server is counted; the client is this process.
//! 3. In process (`codec-cells`): for every registered format (`session_core::Format::ALL`, listed by
//!    `codec-cells --list`), a handle from the format's own login cookie that stays untouched (`plain`), reads
//!    `username` (`read`) or adds one to `counter` (`write`), and the format's floor (`floor-read`,
//!    `floor-write`) where one is written; each cell `--requests` times under callgrind, counting only the loop.
//! 4. Prints the counts and the ratios (ours ÷ peer, session work ÷ the floor's session work, where session work
//!    is a route's count less `/bare`'s), checks the targets, and writes the raw run to
//!    `docs/bench-runs/instructions-DATE-COMMIT.json`, the latest results to `docs/bench-results.json` and the
//!    chart drawn from them to `docs/benchmarks.svg`. `--chart-only` redraws the chart from the results file.
//!
//! A missed target is reported, not an error; so is a format whose cells cannot run (the others are still
//! measured). A wrong answer, a server that does not start or a failed callgrind dump fails the command.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use crate::server::{Server, Stop, listening};

/// The key every stack and cell gets (64 bytes: `cookie::Key`'s length).
const KEY: &str = "benches-http-shared-secret-key-not-for-production-0123456789abcd";
/// A server under valgrind starts slowly.
const STARTUP: Duration = Duration::from_secs(120);

/// A stack of `bench-servers`: its name, the peer it is compared with (for ours), and whether it serves the
/// floors (`/floor`, `/floor-write`) beside `bare`, `plain`, `read`, `read-anon` and `write`.
struct Stack {
    name: &'static str,
    peer: Option<&'static str>,
    floors: bool,
}

const STACKS: [Stack; 8] = [
    Stack {
        name: "ours-axum",
        peer: Some("tower-sessions"),
        floors: true,
    },
    Stack {
        name: "tower-sessions",
        peer: None,
        floors: false,
    },
    Stack {
        name: "ours-actix",
        peer: Some("actix-session"),
        floors: true,
    },
    Stack {
        name: "actix-session",
        peer: None,
        floors: false,
    },
    Stack {
        name: "ours-hyper",
        peer: None,
        floors: true,
    },
    Stack {
        name: "ours-actix-signed",
        peer: Some("actix-session"),
        floors: false,
    },
    Stack {
        name: "ours-actix-private",
        peer: Some("actix-session-private"),
        floors: false,
    },
    Stack {
        name: "actix-session-private",
        peer: None,
        floors: false,
    },
];

/// Targets: a read's session work at most this many times the floor's, a write's the write floor's.
const READ_OVER_FLOOR: f64 = 1.15;
const WRITE_OVER_FLOOR: f64 = 1.3;
/// Ours at most this fraction of the peer on read and write.
const OVER_PEER: f64 = 0.8;
/// A format whose session work is above this many times its floor says why in docs/benchmarks.md.
const FORMAT_OVER_FLOOR: f64 = 1.3;

struct Options {
    requests: u64,
    warmup: u64,
    stacks: Option<Vec<String>>,
    http: bool,
    cells: bool,
    chart_only: bool,
    port: u16,
}

const USAGE: &str = "usage: cargo xtask bench --instructions [--requests N] [--warmup N] [--stacks A,B] [--no-http] \
                     [--no-cells] [--chart-only] [--port N]";

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        requests: 200,
        warmup: 50,
        stacks: None,
        http: true,
        cells: true,
        chart_only: false,
        port: 18_700,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value; {USAGE}"));
        match a.as_str() {
            "--instructions" => {}
            "--requests" => o.requests = value()?.parse().context("--requests")?,
            "--warmup" => o.warmup = value()?.parse().context("--warmup")?,
            "--stacks" => o.stacks = Some(value()?.split(',').map(str::to_owned).collect()),
            "--port" => o.port = value()?.parse().context("--port")?,
            "--no-http" => o.http = false,
            "--no-cells" => o.cells = false,
            "--chart-only" => o.chart_only = true,
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    if o.requests == 0 {
        bail!("--requests must be at least 1");
    }
    Ok(o)
}

/// Runs the instruction counts.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let results_path = root.join("docs/bench-results.json");
    if opts.chart_only {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&results_path)?)?;
        return crate::bench_chart::draw(&doc, &root.join("docs/benchmarks.svg"));
    }
    crate::apt::ensure("instruction counts", &["valgrind"], || {
        crate::apt::runs("valgrind", &["--version"]) && crate::apt::runs("callgrind_control", &["-h"])
    })?;
    let servers = crate::bench_http::build_servers(root)?;
    let out_dir = crate::bench::target_dir(root).join("bench-instructions");
    std::fs::create_dir_all(&out_dir)?;
    let started = SystemTime::now();
    let clock = Instant::now();

    let mut http: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    if opts.http {
        for stack in STACKS
            .iter()
            .filter(|s| opts.stacks.as_ref().is_none_or(|l| l.iter().any(|n| n == s.name)))
        {
            let counts = measure_stack(stack, &servers, &out_dir, &opts)
                .with_context(|| format!("{}: instruction counts failed", stack.name))?;
            http.push((stack.name.to_owned(), counts));
        }
    }
    let mut cells: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    if opts.cells {
        cells = measure_cells(&servers.with_file_name("codec-cells"), &out_dir, opts.requests)?;
    }

    let commit = git(root, &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(root, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let to_json = |rows: &[(String, BTreeMap<String, f64>)]| -> Value {
        rows.iter()
            .map(|(name, counts)| (name.clone(), json!(counts)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let mut doc = json!({
        "command": format!("cargo xtask bench {}", args.join(" ")),
        "unit": "instructions per request (callgrind, server side)",
        "date_utc": crate::bench::utc_date(started),
        "commit": if dirty { format!("{commit}+changes") } else { commit.clone() },
        "machine": { "cpu": crate::bench::cpu(), "nproc": std::thread::available_parallelism().map_or(0, usize::from),
                     "valgrind": version("valgrind") },
        "requests": opts.requests,
        "warmup": opts.warmup,
        "seconds": clock.elapsed().as_secs(),
        "http": to_json(&http),
        "cells": to_json(&cells),
    });
    let (ratios, targets) = analyse(&doc);
    doc["ratios"] = ratios;
    doc["targets"] = targets;
    print(&doc);

    let runs = root.join("docs/bench-runs");
    std::fs::create_dir_all(&runs)?;
    let raw = runs.join(format!(
        "instructions-{}-{}.json",
        doc["date_utc"].as_str().unwrap_or("date"),
        commit
    ));
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    std::fs::write(&raw, &text)?;
    if opts.http && opts.cells && opts.stacks.is_none() {
        std::fs::write(&results_path, &text)?;
        crate::bench_chart::draw(&doc, &root.join("docs/benchmarks.svg"))?;
        eprintln!(
            "xtask bench --instructions: wrote {}, {} and docs/benchmarks.svg",
            raw.display(),
            results_path.display()
        );
    } else {
        eprintln!(
            "xtask bench --instructions: wrote {} (a partial run: the results file and chart are kept)",
            raw.display()
        );
    }
    Ok(())
}

fn version(program: &str) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(root).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The routes a stack is measured on, in order.
fn routes(stack: &Stack) -> Vec<&'static str> {
    let mut r = vec!["bare", "plain", "read", "read-anon", "write"];
    if stack.floors {
        r.extend(["floor", "floor-write"]);
    }
    r
}

/// What a route answers with the login cookie (the `/write` counter goes up: any number).
fn expected(route: &str) -> Option<&'static str> {
    match route {
        "bare" | "plain" => Some("ok"),
        "read" | "floor" => Some("5"),
        "read-anon" => Some("anon"),
        _ => None,
    }
}

fn measure_stack(stack: &Stack, bin: &Path, out_dir: &Path, opts: &Options) -> Result<BTreeMap<String, f64>> {
    let port = opts.port;
    if listening(port) {
        bail!("127.0.0.1:{port} is already in use; pass --port N");
    }
    eprintln!("==> xtask bench --instructions: {} under callgrind", stack.name);
    let prefix = out_dir.join(format!("callgrind.{}", stack.name));
    for old in dumps(&prefix)? {
        std::fs::remove_file(old)?;
    }
    let mut cmd = Command::new("valgrind");
    cmd.args(["--tool=callgrind", "--dump-instr=no", "--collect-atstart=yes"])
        .arg(format!("--callgrind-out-file={}", prefix.display()))
        .arg(bin)
        .args(["--stack", stack.name, "--port", &port.to_string(), "--threads", "1"])
        .env("SECRET_KEY", KEY);
    let log = out_dir.join(format!("{}.log", stack.name));
    let server = Server::start(stack.name, port, cmd, log, Stop::Term(Duration::from_secs(10)), STARTUP)?;
    let pid = server.pid();

    let mut conn = Conn::open(port)?;
    let login = conn.get("/login-setup", None)?;
    let cookie = login
        .set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or("").trim())
        .filter(|c| c.contains('='))
        .collect::<Vec<_>>()
        .join("; ");
    if cookie.is_empty() {
        bail!("GET /login-setup set no cookie");
    }
    let mut counts = BTreeMap::new();
    for route in routes(stack) {
        let (path, with_cookie) = match route.strip_suffix("-anon") {
            Some(p) => (format!("/{p}"), false),
            None => (format!("/{route}"), true),
        };
        let cookie = with_cookie.then_some(cookie.as_str());
        let first = conn.get(&path, cookie)?;
        if first.status != 200 || expected(route).is_some_and(|want| first.body != want) {
            bail!("GET {path} answered {} {:?}", first.status, first.body);
        }
        if route.ends_with("write") && first.set_cookies.is_empty() {
            bail!("GET {path} set no cookie");
        }
        for _ in 1..opts.warmup {
            conn.get(&path, cookie)?;
        }
        let before = dumps(&prefix)?.len();
        callgrind_control(&["-z"], pid)?;
        for _ in 0..opts.requests {
            let r = conn.get(&path, cookie)?;
            if r.status != 200 {
                bail!("GET {path} answered {}", r.status);
            }
        }
        callgrind_control(&["-d", route], pid)?;
        let file = wait_for_dump(&prefix, before)?;
        let total = total_instructions(&file)?;
        let per = total as f64 / opts.requests as f64;
        eprintln!(
            "    {:<22} /{route:<12} {per:>10.0} instructions per request",
            stack.name
        );
        let named = out_dir.join(format!("{}.{route}.callgrind", stack.name));
        std::fs::rename(&file, &named)?;
        counts.insert(route.to_owned(), per);
    }
    drop(conn);
    drop(server);
    Ok(counts)
}

/// The numbered dump files of a callgrind output prefix (`PREFIX.1`, `PREFIX.2`, ...).
fn dumps(prefix: &Path) -> Result<Vec<PathBuf>> {
    let dir = prefix.parent().context("no folder")?;
    let stem = prefix.file_name().and_then(|n| n.to_str()).context("no name")?;
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(rest) = name.strip_prefix(stem) {
            if rest
                .strip_prefix('.')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            {
                found.push(path);
            }
        }
    }
    Ok(found)
}

fn wait_for_dump(prefix: &Path, before: usize) -> Result<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut now = dumps(prefix)?;
        if now.len() > before {
            now.sort_by_key(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .and_then(|e| e.parse::<u64>().ok())
                    .unwrap_or(0)
            });
            let file = now.pop().context("a dump")?;
            // Written when callgrind_control returned; make sure the totals line is there.
            if std::fs::read_to_string(&file).is_ok_and(|t| t.contains("\ntotals:") || t.contains("\nsummary:")) {
                return Ok(file);
            }
        }
        if Instant::now() > deadline {
            bail!("callgrind wrote no dump for {}", prefix.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn callgrind_control(args: &[&str], pid: u32) -> Result<()> {
    let out = Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .output()
        .context("cannot run callgrind_control")?;
    if !out.status.success() {
        bail!(
            "callgrind_control {} {pid} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The `totals:` (or `summary:`) instruction count of a callgrind output file.
fn total_instructions(file: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("{} has no totals line", file.display()))
}

/// The in-process cells of every format.
fn measure_cells(bin: &Path, out_dir: &Path, n: u64) -> Result<Vec<(String, BTreeMap<String, f64>)>> {
    let list = Command::new(bin).arg("--list").env("SECRET_KEY", KEY).output()?;
    if !list.status.success() {
        bail!("codec-cells --list failed: {}", String::from_utf8_lossy(&list.stderr));
    }
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for line in String::from_utf8_lossy(&list.stdout).lines() {
        let Some((format, floor)) = line.split_once('\t') else {
            continue;
        };
        eprintln!("==> xtask bench --instructions: {format} in process");
        let mut cells = vec!["plain", "read", "write"];
        if floor == "floor" {
            cells.extend(["floor-read", "floor-write"]);
        }
        let mut counts = BTreeMap::new();
        for cell in cells {
            let file = out_dir.join(format!("cell.{format}.{cell}.callgrind"));
            let out = Command::new("valgrind")
                .args([
                    "--tool=callgrind",
                    "--dump-instr=no",
                    "--collect-atstart=no",
                    "--toggle-collect=*measured*",
                ])
                .arg(format!("--callgrind-out-file={}", file.display()))
                .arg(bin)
                .args([format, cell, &n.to_string()])
                .env("SECRET_KEY", KEY)
                .stdin(Stdio::null())
                .output()?;
            if !out.status.success() {
                // One format that cannot run (a key shape the cells do not try, a new format's bug) is reported
                // and left out; the other formats are still measured.
                let stderr = String::from_utf8_lossy(&out.stderr);
                let why = stderr
                    .lines()
                    .find(|l| !l.starts_with("==") && !l.trim().is_empty())
                    .unwrap_or("(no message)");
                eprintln!("    {format:<14} {cell:<12} FAILED: {why}");
                failed.push(format!("{format} {cell}: {why}"));
                continue;
            }
            let per = total_instructions(&file)? as f64 / n as f64;
            if per < 100.0 {
                bail!("codec-cells {format} {cell}: {per} instructions per request (the toggle missed the loop?)");
            }
            eprintln!("    {format:<14} {cell:<12} {per:>10.0}");
            counts.insert(cell.to_owned(), per);
        }
        rows.push((format.to_owned(), counts));
    }
    if !failed.is_empty() {
        eprintln!("xtask bench --instructions: {} cell(s) could not run:", failed.len());
        for f in &failed {
            eprintln!("  {f}");
        }
    }
    Ok(rows)
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Conn {
    fn open(port: u16) -> Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    fn get(&mut self, path: &str, cookie: Option<&str>) -> Result<Reply> {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if let Some(c) = cookie {
            request.push_str(&format!("Cookie: {c}\r\n"));
        }
        request.push_str("\r\n");
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let (mut length, mut set_cookies, mut chunked) = (None, Vec::new(), false);
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((name, value)) = l.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().ok(),
                "set-cookie" => set_cookies.push(value.to_owned()),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16).context("chunk size")?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            let n = length.context("a response without Content-Length")?;
            body.resize(n, 0);
            self.reader.read_exact(&mut body)?;
        }
        Ok(Reply {
            status,
            set_cookies,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

fn get(doc: &Value, section: &str, row: &str, col: &str) -> f64 {
    doc[section][row][col].as_f64().unwrap_or(f64::NAN)
}

/// The ratios and the targets of a run.
fn analyse(doc: &Value) -> (Value, Value) {
    let mut ratios = Vec::new();
    let mut targets = Vec::new();
    let mut ratio = |what: String, x: f64| {
        if x.is_finite() {
            ratios.push(json!({ "ratio": what, "value": x }));
        }
        x
    };
    let mut target = |what: String, x: f64, limit: f64| {
        if x.is_finite() {
            targets.push(json!({ "target": format!("{what} <= {limit}"), "measured": x, "met": x <= limit }));
        }
    };
    let work = |stack: &str, route: &str| get(doc, "http", stack, route) - get(doc, "http", stack, "bare");
    for s in STACKS.iter().filter(|s| s.floors) {
        let r = ratio(
            format!("{} read work / floor work", s.name),
            work(s.name, "read") / work(s.name, "floor"),
        );
        target(format!("{}: read session work / floor's", s.name), r, READ_OVER_FLOOR);
        let w = ratio(
            format!("{} write work / floor-write work", s.name),
            work(s.name, "write") / work(s.name, "floor-write"),
        );
        target(
            format!("{}: write session work / write floor's", s.name),
            w,
            WRITE_OVER_FLOOR,
        );
        ratio(
            format!("{} plain work / read work", s.name),
            work(s.name, "plain") / work(s.name, "read"),
        );
        ratio(
            format!("{} read-anon work / read work", s.name),
            work(s.name, "read-anon") / work(s.name, "read"),
        );
    }
    for s in &STACKS {
        let Some(peer) = s.peer else { continue };
        for route in ["plain", "read", "write"] {
            let total = ratio(
                format!("{} / {peer}, {route} (whole request)", s.name),
                get(doc, "http", s.name, route) / get(doc, "http", peer, route),
            );
            let w = ratio(
                format!("{} / {peer}, {route} (session work)", s.name),
                work(s.name, route) / work(peer, route),
            );
            // The Flask-format stacks against their framework's peer; actix-session's own formats against
            // actix-session (the same cryptography: at most the format bound).
            let limit = if s.name.ends_with("-signed") || s.name.ends_with("-private") {
                FORMAT_OVER_FLOOR
            } else {
                OVER_PEER
            };
            if route != "plain" {
                target(format!("{}: {route} / {peer} (session work)", s.name), w, limit);
                target(format!("{}: {route} / {peer} (whole request)", s.name), total, limit);
            }
        }
    }
    if let Some(cells) = doc["cells"].as_object() {
        for format in cells.keys() {
            let c = |cell: &str| get(doc, "cells", format, cell);
            let r = ratio(
                format!("{format} read / floor-read (in process)"),
                c("read") / c("floor-read"),
            );
            target(format!("{format}: read / its floor (in process)"), r, FORMAT_OVER_FLOOR);
            let w = ratio(
                format!("{format} write / floor-write (in process)"),
                c("write") / c("floor-write"),
            );
            target(
                format!("{format}: write / its floor (in process)"),
                w,
                FORMAT_OVER_FLOOR,
            );
            ratio(format!("{format} plain / read (in process)"), c("plain") / c("read"));
        }
    }
    (Value::from(ratios), Value::from(targets))
}

fn print(doc: &Value) {
    let mut out = std::io::stdout().lock();
    let n = |x: f64| if x.is_finite() { group(x) } else { "-".to_owned() };
    let _ = writeln!(
        out,
        "\nInstructions per request (callgrind, server side; {} requests after {} warm-up, one worker, keep-alive); \
         commit {}",
        doc["requests"],
        doc["warmup"],
        doc["commit"].as_str().unwrap_or("")
    );
    let cols = ["bare", "plain", "read", "read-anon", "write", "floor", "floor-write"];
    let _ = write!(out, "{:<22}", "stack");
    for c in cols {
        let _ = write!(out, " {c:>11}");
    }
    let _ = writeln!(out);
    if let Some(http) = doc["http"].as_object() {
        for stack in http.keys() {
            let _ = write!(out, "{stack:<22}");
            for c in cols {
                let _ = write!(out, " {:>11}", n(get(doc, "http", stack, c)));
            }
            let _ = writeln!(out);
        }
    }
    let cells = ["plain", "read", "write", "floor-read", "floor-write"];
    let _ = write!(out, "\nin process, per request\n{:<22}", "format");
    for c in cells {
        let _ = write!(out, " {c:>11}");
    }
    let _ = writeln!(out, " {:>11} {:>11}", "read/floor", "write/floor");
    if let Some(formats) = doc["cells"].as_object() {
        for format in formats.keys() {
            let _ = write!(out, "{format:<22}");
            for c in cells {
                let _ = write!(out, " {:>11}", n(get(doc, "cells", format, c)));
            }
            let c = |cell: &str| get(doc, "cells", format, cell);
            let r = |x: f64| {
                if x.is_finite() {
                    format!("{x:.2}")
                } else {
                    "-".to_owned()
                }
            };
            let _ = writeln!(
                out,
                " {:>11} {:>11}",
                r(c("read") / c("floor-read")),
                r(c("write") / c("floor-write"))
            );
        }
    }
    let _ = writeln!(out, "\nratios (session work = the route less /bare):");
    for r in doc["ratios"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  {:<60} {:>6.2}",
            r["ratio"].as_str().unwrap_or(""),
            r["value"].as_f64().unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(out, "\ntargets:");
    for t in doc["targets"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  {:<5} {:<60} measured {:.2}",
            if t["met"] == true { "MET" } else { "MISS" },
            t["target"].as_str().unwrap_or(""),
            t["measured"].as_f64().unwrap_or(f64::NAN)
        );
    }
}

/// `12345.6` → `12,346`.
pub(crate) fn group(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
