//! The login flow over real HTTP on loopback, against the example started in-process on 127.0.0.1:0.
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A parsed HTTP/1.1 response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of the session's `Set-Cookie`.
    fn session_cookie(&self) -> String {
        let set_cookie = self.header("set-cookie").expect("a Set-Cookie header");
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }
}

/// One request on a fresh connection (`Connection: close`), read to the end.
async fn send(addr: SocketAddr, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Reply {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        request.push_str(&format!("Cookie: {c}\r\n"));
    }
    let body = form.unwrap_or_default();
    if form.is_some() {
        request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| l.split_once(':').unwrap())
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Reply { status, headers, body }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

/// Text that does not compress (so the session really is too large for a cookie).
fn noise(len: usize) -> String {
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

#[tokio::test]
async fn login_logout_tamper_and_too_large() {
    let key = session_hyper::SecretKey::parse("a-demo-secret-key-1234").unwrap();
    let config = login_common::session_config(key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(login_hyper::serve(listener, config, async {
        let _ = stopped.await;
    }));

    let home = send(addr, "GET", "/", None, None).await;
    assert_eq!((home.status, home.body.as_str()), (200, login_common::NOT_LOGGED_IN));
    assert!(home.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(
        send(addr, "GET", "/login", None, None).await.body,
        login_common::LOGIN_FORM
    );

    let login = send(addr, "POST", "/login", None, Some("username=a%3Cb%3E+%26+c")).await;
    assert_eq!((login.status, login.header("location")), (302, Some("/")));
    let cookie = login.session_cookie();
    assert!(login.header("set-cookie").unwrap().contains("HttpOnly; Path=/"));
    let home = send(addr, "GET", "/", Some(&cookie), None).await;
    assert_eq!(home.body, "Logged in as a&lt;b&gt; &amp; c");
    assert_eq!(home.header("vary"), Some("Cookie"));

    // A tampered cookie (payload of another user, old signature) is just "not logged in".
    let (payload, rest) = cookie.trim_start_matches("session=").split_once('.').unwrap();
    let last = if payload.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("session={}{last}.{rest}", &payload[..payload.len() - 1]);
    assert_eq!(
        send(addr, "GET", "/", Some(&tampered), None).await.body,
        login_common::NOT_LOGGED_IN
    );

    let logout = send(addr, "GET", "/logout", Some(&cookie), None).await;
    assert_eq!((logout.status, logout.header("location")), (302, Some("/")));
    let cleared = logout.session_cookie();
    assert_eq!(cleared, "session=");
    assert_eq!(
        send(addr, "GET", "/", Some(&cleared), None).await.body,
        login_common::NOT_LOGGED_IN
    );

    // Too large for a cookie: an error response, never a redirect that pretends the login worked.
    let big = send(addr, "POST", "/login", None, Some(&format!("username={}", noise(6000)))).await;
    assert_eq!((big.status, big.body.as_str()), (500, login_common::TOO_LARGE));
    assert!(big.header("location").is_none() && big.header("set-cookie").is_none());

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
