//! The seed app's login flow, checked over real HTTP on loopback: what every login example's test runs.
//! A tiny blocking HTTP/1.1 client (one request per connection) keeps the examples free of client crates.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};

use crate::{LOGIN_FORM, NOT_LOGGED_IN, TOO_LARGE};

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers in order (names as sent).
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: String,
}

impl Reply {
    /// Every value of a header (case-insensitive name), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of the cookie `name` set by this response, if any.
    pub fn set_cookie_value(&self, name: &str) -> Option<String> {
        self.all("set-cookie").into_iter().find_map(|h| {
            let (k, v) = h.split(';').next()?.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_owned())
        })
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of the first `Set-Cookie`.
    pub fn cookie(&self) -> Option<String> {
        self.header("set-cookie")
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the whole response.
///
/// # Errors
/// On connection failures or a response that is not HTTP/1.1.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> std::io::Result<Reply> {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        request.push_str(&format!("Cookie: {c}\r\n"));
    }
    let body = form.unwrap_or_default();
    if form.is_some() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw).ok_or_else(|| std::io::Error::other("malformed HTTP response"))
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
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

/// Text that does not compress, so a session holding it really is too large for a cookie.
pub fn noise(len: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

/// Runs the seed app's whole flow against a server at `addr` and panics on the first difference: the form,
/// not logged in, login (302 + cookie), logged in (HTML-escaped, `Vary: Cookie`), a tampered cookie is not
/// logged in, logout deletes the cookie, and a session too large for a cookie is a 500 with [`TOO_LARGE`],
/// never a redirect.
///
/// # Panics
/// When the server does not behave as the seed app does.
pub fn login_flow(addr: SocketAddr) {
    let get = |path: &str, cookie: Option<&str>| send(addr, "GET", path, cookie, None).expect("GET");
    let home = get("/", None);
    assert_eq!((home.status, home.body.as_str()), (200, NOT_LOGGED_IN));
    assert!(
        home.header("content-type").is_some_and(|c| c.starts_with("text/html")),
        "{home:?}"
    );
    assert_eq!(get("/login", None).body, LOGIN_FORM);

    let login = send(addr, "POST", "/login", None, Some("username=a%3Cb%3E+%26+c")).expect("POST");
    assert_eq!((login.status, login.header("location")), (302, Some("/")), "{login:?}");
    assert!(
        login
            .header("set-cookie")
            .is_some_and(|c| c.contains("HttpOnly") && c.contains("Path=/")),
        "{login:?}"
    );
    let cookie = login.cookie().expect("a session cookie");
    let home = get("/", Some(&cookie));
    assert_eq!(home.body, "Logged in as a&lt;b&gt; &amp; c");
    assert_eq!(home.header("vary"), Some("Cookie"));

    // A tampered cookie (one payload character changed, old signature) is just "not logged in".
    let (payload, rest) = cookie
        .trim_start_matches("session=")
        .split_once('.')
        .expect("payload.ts.sig");
    let last = if payload.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("session={}{last}.{rest}", &payload[..payload.len() - 1]);
    assert_eq!(get("/", Some(&tampered)).body, NOT_LOGGED_IN);

    let logout = get("/logout", Some(&cookie));
    assert_eq!((logout.status, logout.header("location")), (302, Some("/")));
    let cleared = logout.cookie().expect("a deletion cookie");
    assert_eq!(cleared, "session=");
    assert!(logout.header("set-cookie").is_some_and(|c| c.contains("01 Jan 1970")));
    assert_eq!(get("/", Some(&cleared)).body, NOT_LOGGED_IN);

    // Too large for a cookie: an error response, never a redirect that pretends the login worked.
    let big = send(addr, "POST", "/login", None, Some(&format!("username={}", noise(6000)))).expect("POST");
    assert_eq!((big.status, big.body.as_str()), (500, TOO_LARGE));
    assert!(
        big.header("location").is_none() && big.header("set-cookie").is_none(),
        "{big:?}"
    );
}
