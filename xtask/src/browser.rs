//! `cargo xtask browser`: the demo driven by a real headless browser (Debian's `chromium` through
//! `chromedriver`, W3C WebDriver over loopback HTTP): log in on axum, see it on actix-web and hyper by
//! following the pages' links, log out on hyper, logged out on all three.
//!
//! The WebDriver client is the dozen endpoints this needs, over `std::net` (no client crate, as the examples'
//! own loopback client): the protocol is JSON over HTTP/1.1.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde_json::{Value as J, json};

use crate::server::{Server, Stop, free_port};

const KEY: &str = "browser-demo-shared-secret-key-01";
const USER: &str = "Zoë";
/// WebDriver's element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Installs `chromium` and `chromium-driver` when `chromedriver` or `chromium` is missing.
fn ensure_browser() -> Result<()> {
    crate::apt::ensure("the browser test", &["chromium", "chromium-driver"], || {
        crate::apt::runs("chromedriver", &["--version"]) && crate::apt::runs("chromium", &["--version"])
    })
}

/// A base port with the next two free as well (the demo listens on base, base+1, base+2).
fn free_port_triple() -> Result<u16> {
    for _ in 0..50 {
        let base = free_port()?;
        if base <= u16::MAX - 2 && (1..3).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return Ok(base);
        }
    }
    bail!("no three consecutive free ports on 127.0.0.1")
}

/// Runs the browser test and prints one line per step.
pub(crate) fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    ensure_browser()?;
    let st = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "-p", "demo"])
        .status()?;
    if !st.success() {
        bail!("building the demo failed");
    }
    let base = free_port_triple()?;
    let mut demo = Command::new(root.join("target/debug/demo"));
    demo.env("SECRET_KEY", KEY).env("DEMO_PORT", base.to_string());
    let log = |name: &str| root.join(format!("target/browser/{name}.log"));
    let mut demo = Server::spawn("the demo", base, demo, log("demo"), Stop::Group)?;
    let driver_port = free_port()?;
    let mut driver = Command::new("chromedriver");
    driver.arg(format!("--port={driver_port}"));
    let _driver = Server::start(
        "chromedriver",
        driver_port,
        driver,
        log("chromedriver"),
        Stop::Group,
        Duration::from_secs(60),
    )?;
    for port in [base, base + 1, base + 2] {
        demo.wait_for(port, Duration::from_secs(60))?;
    }

    let profile = root.join("target/browser/profile");
    let _ = std::fs::remove_dir_all(&profile);
    let wd = WebDriver::new(driver_port, &profile)?;
    let result = scenario(&wd, base);
    wd.close();
    result?;
    println!("browser: passed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn scenario(wd: &WebDriver, base: u16) -> Result<()> {
    let [axum, actix, hyper] = [base, base + 1, base + 2].map(|p| format!("http://127.0.0.1:{p}/demo"));
    let step = |what: &str| println!("browser: {what}");

    wd.go(&axum)?;
    wd.expect_text("#served-by", "Served by axum")?;
    wd.expect_text("#status", "You are not logged in")?;
    wd.type_into("#username", USER)?;
    wd.click("#login-button")?;
    wd.expect_text("#flashes", "You were logged in")?;
    wd.expect_text("#status", &format!("Logged in as {USER}"))?;
    wd.expect_text("#signed", "verified by the current key")?;
    step("logged in on axum; the flash 'You were logged in' is shown where the browser landed");

    wd.click(&format!("a.peer[href=\"http://127.0.0.1:{}/demo\"]", base + 1))?;
    wd.expect_text("#served-by", "Served by actix-web")?;
    wd.expect_text("#status", &format!("Logged in as {USER}"))?;
    wd.expect_text("#session", r#""username":"Zo\u00eb""#)?; // Flask writes ensure_ascii JSON
    step("followed the link to actix-web: logged in, decoded session shown");

    wd.click(&format!("a.peer[href=\"http://127.0.0.1:{}/demo\"]", base + 2))?;
    wd.expect_text("#served-by", "Served by hyper")?;
    wd.expect_text("#status", &format!("Logged in as {USER}"))?;
    step("followed the link to hyper: logged in");

    wd.click("#logout-button")?;
    wd.expect_text("#flashes", "You were logged out")?;
    wd.expect_text("#status", "You are not logged in")?;
    step("logged out on hyper (CSRF-protected form)");

    for (url, name) in [(&axum, "axum"), (&actix, "actix-web"), (&hyper, "hyper")] {
        wd.go(url)?;
        wd.expect_text("#served-by", &format!("Served by {name}"))?;
        wd.expect_text("#status", "You are not logged in")?;
    }
    step("logged out on axum, actix-web and hyper");
    Ok(())
}

/// One WebDriver session on a local chromedriver.
struct WebDriver {
    port: u16,
    session: String,
}

impl WebDriver {
    fn new(port: u16, profile: &Path) -> Result<Self> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--user-data-dir={}", profile.display())],
            },
        }}});
        let mut wd = Self {
            port,
            session: String::new(),
        };
        let reply = wd
            .call("POST", "/session", Some(&caps))
            .context("cannot start a browser session")?;
        wd.session = reply["sessionId"]
            .as_str()
            .context("chromedriver returned no session id")?
            .to_owned();
        Ok(wd)
    }

    fn close(&self) {
        let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
    }

    fn call(&self, method: &str, path: &str, body: Option<&J>) -> Result<J> {
        let body = body.map(J::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes())?;
        let content = read_response(&mut stream)?;
        let reply: J = serde_json::from_slice(&content).context("WebDriver response is not JSON")?;
        let value = reply.get("value").cloned().unwrap_or(J::Null);
        if let Some(error) = value.get("error").and_then(J::as_str) {
            let message = value.get("message").and_then(J::as_str).unwrap_or_default();
            let message = message.lines().next().unwrap_or_default();
            bail!("WebDriver {method} {path}: {error}: {message}");
        }
        Ok(value)
    }

    fn at(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    fn go(&self, url: &str) -> Result<()> {
        self.call("POST", &self.at("/url"), Some(&json!({ "url": url })))?;
        Ok(())
    }

    fn find(&self, css: &str) -> Result<String> {
        let v = self.call(
            "POST",
            &self.at("/element"),
            Some(&json!({"using": "css selector", "value": css})),
        )?;
        v.get(ELEMENT)
            .and_then(J::as_str)
            .map(str::to_owned)
            .with_context(|| format!("no element {css}"))
    }

    fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css)?;
        self.call("POST", &self.at(&format!("/element/{id}/click")), Some(&json!({})))?;
        Ok(())
    }

    fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let id = self.find(css)?;
        self.call(
            "POST",
            &self.at(&format!("/element/{id}/value")),
            Some(&json!({ "text": text })),
        )?;
        Ok(())
    }

    /// Waits (up to 10 s, for the navigation a click started) until the element's text contains `want`.
    fn expect_text(&self, css: &str, want: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(id) = self.find(css) {
                if let Ok(v) = self.call("GET", &self.at(&format!("/element/{id}/text")), None) {
                    last = v.as_str().unwrap_or_default().to_owned();
                    if last.contains(want) {
                        return Ok(());
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let url = self.call("GET", &self.at("/url"), None).unwrap_or(J::Null);
        bail!("on {url}: {css} shows {last:?}, expected it to contain {want:?}")
    }
}

/// Reads one HTTP/1.1 response body: by `Content-Length`, chunked, or to the end of the stream
/// (chromedriver may keep the connection open after answering).
fn read_response(stream: &mut TcpStream) -> Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            bail!("WebDriver closed the connection before the headers ended");
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(length) = length {
        while body.len() < length {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        body.truncate(length);
        return Ok(body);
    }
    if head.contains("transfer-encoding: chunked") {
        loop {
            if let Some(done) = dechunk(&body) {
                return Ok(done);
            }
            let n = stream.read(&mut buf)?;
            if n == 0 {
                bail!("malformed chunked WebDriver response");
            }
            body.extend_from_slice(&buf[..n]);
        }
    }
    stream.read_to_end(&mut body)?;
    Ok(body)
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&data[..eol]).ok()?.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
