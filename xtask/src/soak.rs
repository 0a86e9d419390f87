//! `cargo xtask soak [--seconds N] [--threads T]`: a bounded load run on each login example (release build).
//!
//! Each server runs alone (one after the other, so the three never compete with each other) on a free
//! loopback port with a fixed `SECRET_KEY`. `T` client threads (default 4) in this process drive a mix over
//! keep-alive connections, the way `wrk` does, with a tiny pure-Rust HTTP/1.1 client (no `wrk` dependency):
//! per cycle of ten requests, five logged-in reads, two tampered-cookie reads, two logins and one logout.
//!
//! Counted: requests; errors (connection or protocol failures); unexpected statuses (anything but 200 for
//! `GET /`, 302 for login and logout); wrong answers (a logged-in read not showing `"Logged in as <name>"`, a
//! tampered read not showing "You are not logged in", a login without a session cookie, a logout without the
//! deletion cookie). Resident memory (`VmRSS`) is read under load after a warm-up and again at the end. Exits
//! non-zero on any error, unexpected status or wrong answer, when a server dies, or when RSS grew by more than 10%.
//!
//! The servers log at `info`, so every refused (tampered) cookie writes its log line as in production; their
//! logs go to `<target>/soak/<server>.log` (a few hundred MB for a 60-second run; overwritten each run).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::http::form_encode;
use crate::server::{Server, Stop, free_port};

const KEY: &str = "soak-fixed-secret-key-000000001";
const NOT_LOGGED_IN: &str = "You are not logged in";
const SERVERS: [&str; 3] = ["login-axum", "login-actix", "login-hyper"];
/// Largest RSS growth (percent) between the warm-up and the end that still passes.
const MAX_GROWTH_PCT: f64 = 10.0;
/// Per-request socket timeout: a stuck request is an error, and bounds how long stopping can take.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The kinds of request in the mix.
#[derive(Clone, Copy)]
enum Op {
    Read,
    Tampered,
    Login,
    Logout,
}

/// One cycle of the mix; the logout is followed by a login, so reads always carry a live session.
const MIX: [Op; 10] = [
    Op::Read,
    Op::Read,
    Op::Tampered,
    Op::Login,
    Op::Read,
    Op::Read,
    Op::Tampered,
    Op::Logout,
    Op::Login,
    Op::Read,
];

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    errors: AtomicU64,
    unexpected: AtomicU64,
    wrong: AtomicU64,
    retries: AtomicU64,
    by_op: [AtomicU64; 4],
    /// The first few failures, for the report.
    samples: Mutex<Vec<String>>,
}

impl Stats {
    fn sample(&self, what: String) {
        if let Ok(mut v) = self.samples.lock()
            && v.len() < 5
        {
            v.push(what);
        }
    }
}

struct Row {
    name: &'static str,
    requests: u64,
    secs: f64,
    errors: u64,
    unexpected: u64,
    wrong: u64,
    retries: u64,
    by_op: [u64; 4],
    rss_before: u64,
    rss_after: u64,
    alive: bool,
    samples: Vec<String>,
}

impl Row {
    fn growth(&self) -> f64 {
        if self.rss_before == 0 {
            return f64::INFINITY;
        }
        (self.rss_after as f64 - self.rss_before as f64) * 100.0 / self.rss_before as f64
    }

    fn failed(&self) -> bool {
        self.errors + self.unexpected + self.wrong > 0 || !self.alive || self.growth() > MAX_GROWTH_PCT
    }
}

struct Options {
    seconds: u64,
    threads: usize,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        seconds: 60,
        threads: 4,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |what: &str| -> Result<u64> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .with_context(|| format!("{what} needs a positive number"))
        };
        match a.as_str() {
            "--seconds" => o.seconds = num("--seconds")?,
            "--threads" => o.threads = usize::try_from(num("--threads")?)?.min(64),
            _ => bail!("usage: cargo xtask soak [--seconds N (default 60)] [--threads T (default 4)]"),
        }
    }
    Ok(o)
}

/// Builds the examples in release, soaks each in turn, prints the table.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let opts = parse_args(args)?;
    let st = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release"])
        .args(SERVERS.iter().flat_map(|s| ["-p", s]))
        .status()
        .context("cannot run cargo build")?;
    if !st.success() {
        bail!("building the login examples (release) failed");
    }
    // Follow CARGO_TARGET_DIR when it is set, as cargo just did.
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).map_or_else(
        || root.join("target"),
        |d| if d.is_absolute() { d } else { root.join(d) },
    );
    let log_dir = target.join("soak");
    std::fs::create_dir_all(&log_dir)?;
    let warmup = Duration::from_secs((opts.seconds / 10).clamp(2, 10));
    println!(
        "soak: {} servers one after the other, {} client threads each, {} s warm-up + {} s measured (logs in {})",
        SERVERS.len(),
        opts.threads,
        warmup.as_secs(),
        opts.seconds,
        log_dir.display()
    );

    let mut rows = Vec::new();
    for name in SERVERS {
        let server = start(&target.join("release").join(name), &log_dir, name)?;
        rows.push(soak_one(name, server, &opts, warmup)?);
    }

    println!(
        "\n{:<12} {:>9} {:>8} {:>6} {:>10} {:>6} {:>10} {:>10} {:>7}  result",
        "server", "requests", "req/s", "errors", "unexpected", "wrong", "RSS before", "RSS after", "growth"
    );
    for r in &rows {
        println!(
            "{:<12} {:>9} {:>8.0} {:>6} {:>10} {:>6} {:>7} kB {:>7} kB {:>6.1}%  {}",
            r.name,
            r.requests,
            r.requests as f64 / r.secs,
            r.errors,
            r.unexpected,
            r.wrong,
            r.rss_before,
            r.rss_after,
            r.growth(),
            if r.failed() { "FAIL" } else { "ok" }
        );
    }
    println!();
    for r in &rows {
        let [reads, tampered, logins, logouts] = r.by_op;
        println!(
            "{:<12} mix: {reads} logged-in reads, {tampered} tampered reads, {logins} logins, {logouts} logouts; \
             {} keep-alive reconnects{}",
            r.name,
            r.retries,
            if r.alive { "" } else { "; SERVER DIED" }
        );
        for s in &r.samples {
            println!("{:<12}   e.g. {s}", "");
        }
    }
    let failed: Vec<_> = rows.iter().filter(|r| r.failed()).map(|r| r.name).collect();
    if !failed.is_empty() {
        bail!(
            "soak failed for {} (errors, unexpected statuses, wrong answers, a dead server or RSS growth > {MAX_GROWTH_PCT}%)",
            failed.join(", ")
        );
    }
    println!("soak: all servers passed");
    Ok(())
}

fn start(bin: &Path, log_dir: &Path, name: &'static str) -> Result<Server> {
    let port = free_port()?;
    let mut cmd = Command::new(bin);
    cmd.env("SECRET_KEY", KEY)
        .env("PORT", port.to_string())
        .env("RUST_LOG", "info");
    let log = log_dir.join(format!("{name}.log"));
    Server::start(name, port, cmd, log, Stop::Kill, Duration::from_secs(30))
}

fn soak_one(name: &'static str, mut server: Server, opts: &Options, warmup: Duration) -> Result<Row> {
    let stats = Stats::default();
    let stop = AtomicBool::new(false);
    let port = server.port;
    let pid = server.pid();
    let (rss_before, rss_after, counted_from, secs) = std::thread::scope(|s| {
        for t in 0..opts.threads {
            let (stats, stop) = (&stats, &stop);
            s.spawn(move || worker(port, t, stats, stop));
        }
        std::thread::sleep(warmup);
        let before = rss_kb(pid);
        let counted_from = stats.requests.load(Relaxed);
        let t0 = Instant::now();
        std::thread::sleep(Duration::from_secs(opts.seconds));
        let after = rss_kb(pid);
        let secs = t0.elapsed().as_secs_f64();
        stop.store(true, Relaxed);
        (before, after, counted_from, secs)
    });
    let alive = server.alive();
    let rss_before = rss_before.with_context(|| format!("cannot read VmRSS of {name} (pid {pid})"))?;
    let rss_after = rss_after.unwrap_or(0);
    let samples = stats.samples.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(Row {
        name,
        // Requests finished after the stop flag are not in the measured window.
        requests: stats.requests.load(Relaxed).saturating_sub(counted_from),
        secs,
        errors: stats.errors.load(Relaxed),
        unexpected: stats.unexpected.load(Relaxed),
        wrong: stats.wrong.load(Relaxed),
        retries: stats.retries.load(Relaxed),
        by_op: std::array::from_fn(|i| stats.by_op[i].load(Relaxed)),
        rss_before,
        rss_after,
        alive,
        samples,
    })
}

/// `VmRSS` of a process in kB.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One client thread: a user of its own, logging in, reading, logging out until told to stop.
fn worker(port: u16, t: usize, stats: &Stats, stop: &AtomicBool) {
    let user = format!("soak-{t} <b>&\"x'</b>");
    let want = format!("Logged in as {}", escape(&user));
    let login_form = format!("username={}", form_encode(&user));
    let mut conn = Conn::new(port);
    let mut cookie: Option<String> = None;
    let mut step = 0usize;
    while !stop.load(Relaxed) {
        // Until a login has worked, every step is a login.
        let op = if cookie.is_none() {
            Op::Login
        } else {
            MIX[step % MIX.len()]
        };
        step += 1;
        let c = cookie.as_deref().map(|c| format!("session={c}"));
        let sent = match op {
            Op::Read => conn.send("GET", "/", c.as_deref(), None),
            Op::Tampered => {
                let t = c.as_deref().map(tamper);
                conn.send("GET", "/", t.as_deref(), None)
            }
            Op::Login => conn.send("POST", "/login", None, Some(&login_form)),
            Op::Logout => conn.send("GET", "/logout", c.as_deref(), None),
        };
        stats.requests.fetch_add(1, Relaxed);
        stats.by_op[op as usize].fetch_add(1, Relaxed);
        let r = match sent {
            Ok((r, retried)) => {
                if retried {
                    stats.retries.fetch_add(1, Relaxed);
                }
                r
            }
            Err(e) => {
                stats.errors.fetch_add(1, Relaxed);
                stats.sample(format!("error: {e:#}"));
                conn = Conn::new(port);
                continue;
            }
        };
        let (want_status, ok) = match op {
            Op::Read => (200, r.body.contains(&want)),
            Op::Tampered => (200, r.body.contains(NOT_LOGGED_IN)),
            // The deletion: `session=; Expires=Thu, 01 Jan 1970 ...`.
            Op::Logout => (302, r.session_cookie.as_deref() == Some("")),
            Op::Login => {
                let new = r.session_cookie.clone().filter(|v| !v.is_empty());
                let ok = new.is_some();
                if r.status == 302 && ok {
                    cookie = new;
                }
                (302, ok)
            }
        };
        if r.status != want_status {
            stats.unexpected.fetch_add(1, Relaxed);
            stats.sample(format!("{} answered {} (expected {want_status})", op.name(), r.status));
        } else if !ok {
            stats.wrong.fetch_add(1, Relaxed);
            stats.sample(format!("{} answered {:?}", op.name(), r.body.trim()));
        }
    }
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Read => "GET / (logged in)",
            Op::Tampered => "GET / (tampered)",
            Op::Login => "POST /login",
            Op::Logout => "GET /logout",
        }
    }
}

/// MarkupSafe's escape, as the seed app's `escape()` writes it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Changes one character in the middle of the payload (the signature then fails).
fn tamper(cookie_header: &str) -> String {
    let mut bytes = cookie_header.as_bytes().to_vec();
    let start = "session=".len();
    let i = start + (cookie_header[start..].find('.').unwrap_or(0)) / 2;
    if let Some(b) = bytes.get_mut(i) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// What the checks need from a response.
struct Resp {
    status: u16,
    session_cookie: Option<String>,
    body: String,
}

/// One keep-alive HTTP/1.1 connection, reopened when the server closes it.
struct Conn {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn new(port: u16) -> Self {
        Self { port, stream: None }
    }

    /// Sends a request; a reused connection that fails is retried once on a fresh one (the flag says so).
    fn send(&mut self, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Result<(Resp, bool)> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", self.port);
        if let Some(c) = cookie {
            req.push_str(&format!("Cookie: {c}\r\n"));
        }
        if form.is_some() {
            req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        let body = form.unwrap_or("");
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let reused = self.stream.is_some();
        match self.exchange(req.as_bytes()) {
            Ok(r) => Ok((r, false)),
            Err(_) if reused => {
                self.stream = None;
                self.exchange(req.as_bytes()).map(|r| (r, true))
            }
            Err(e) => Err(e),
        }
    }

    fn exchange(&mut self, req: &[u8]) -> Result<Resp> {
        let mut stream = match self.stream.take() {
            Some(s) => s,
            None => {
                let s = TcpStream::connect(("127.0.0.1", self.port)).context("connect")?;
                s.set_read_timeout(Some(IO_TIMEOUT))?;
                s.set_write_timeout(Some(IO_TIMEOUT))?;
                s.set_nodelay(true)?;
                BufReader::new(s)
            }
        };
        stream.get_mut().write_all(req).context("write request")?;
        let (resp, keep) = read_response(&mut stream)?;
        if keep {
            self.stream = Some(stream);
        }
        Ok(resp)
    }
}

/// Reads one response (Content-Length, chunked, or until close). Returns it and whether the connection stays open.
fn read_response(r: &mut BufReader<TcpStream>) -> Result<(Resp, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line).context("read status line")? == 0 {
        bail!("connection closed before a response");
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let (mut length, mut chunked, mut keep, mut session_cookie) = (None, false, true, None);
    loop {
        line.clear();
        if r.read_line(&mut line).context("read header")? == 0 {
            bail!("connection closed inside the headers");
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else { continue };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        match k.as_str() {
            "content-length" => length = Some(v.parse::<usize>().context("bad content-length")?),
            "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
            "connection" => keep = !v.eq_ignore_ascii_case("close"),
            "set-cookie" => {
                if let Some(val) = v.split(';').next().and_then(|p| p.strip_prefix("session=")) {
                    session_cookie = Some(val.trim().to_owned());
                }
            }
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line).context("read chunk size")?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16).context("bad chunk")?;
            if size == 0 {
                // trailers, up to the empty line
                loop {
                    line.clear();
                    if r.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..]).context("read chunk")?;
            line.clear();
            r.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body).context("read body")?;
    } else {
        r.read_to_end(&mut body).context("read body to close")?;
        keep = false;
    }
    Ok((
        Resp {
            status,
            session_cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        },
        keep,
    ))
}
