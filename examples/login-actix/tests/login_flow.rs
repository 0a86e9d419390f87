//! The login flow over real HTTP on loopback, with a tiny HTTP/1.1 client (one request per connection).
#![allow(clippy::unwrap_used, reason = "a test helper that fails should fail loudly")]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use session_actix::{SecretKey, SessionConfig};

/// The app running on its own thread and port; stopped on drop.
struct Running {
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<thread::JoinHandle<()>>,
}

impl Running {
    fn start() -> Self {
        let key = SecretKey::parse("a-demo-secret-key-1234").unwrap();
        let config = SessionConfig::builder().secret_key(key).build().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::channel();
        let thread = thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = login_actix::serve(listener, config).await.unwrap();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            });
        });
        Self {
            addr,
            handle: rx.recv().unwrap(),
            thread: Some(thread),
        }
    }

    /// Sends one request; returns (status, headers as lowercase-name/value pairs, body).
    fn request(&self, method: &str, path: &str, cookie: Option<&str>, form: Option<&str>) -> Reply {
        let mut s = TcpStream::connect(self.addr).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(c) = cookie {
            req += &format!("Cookie: {c}\r\n");
        }
        if let Some(f) = form {
            req += &format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                f.len()
            );
        }
        req += "\r\n";
        req += form.unwrap_or_default();
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_owned(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.handle.stop(true));
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `name=value` of the `Set-Cookie` header.
    fn cookie(&self) -> String {
        self.header("set-cookie").unwrap().split(';').next().unwrap().to_owned()
    }
}

#[test]
fn login_logout_and_tampering() {
    let app = Running::start();

    let r = app.request("GET", "/", None, None);
    assert_eq!((r.status, r.body.as_str()), (200, "You are not logged in"));
    let r = app.request("GET", "/login", None, None);
    assert!(r.body.contains(r#"<form method="post">"#));

    let r = app.request("POST", "/login", None, Some("username=%3Cb%3Ealice"));
    assert_eq!((r.status, r.header("location")), (302, Some("/")));
    let set_cookie = r.header("set-cookie").unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    let cookie = r.cookie();

    let r = app.request("GET", "/", Some(&cookie), None);
    assert_eq!((r.status, r.body.as_str()), (200, "Logged in as &lt;b&gt;alice"));
    assert_eq!(r.header("vary"), Some("Cookie"));

    let r = app.request("GET", "/logout", Some(&cookie), None);
    assert_eq!((r.status, r.header("location")), (302, Some("/")));
    let cleared = r.cookie();
    assert_eq!(cleared, "session=");
    let r = app.request("GET", "/", Some(&cleared), None);
    assert_eq!(r.body, "You are not logged in");

    // Change the first character of the signature: just "not logged in", no error.
    let mut tampered = cookie.clone().into_bytes();
    let sig = cookie.rfind('.').unwrap() + 1;
    tampered[sig] = if tampered[sig] == b'A' { b'B' } else { b'A' };
    let r = app.request("GET", "/", Some(std::str::from_utf8(&tampered).unwrap()), None);
    assert_eq!((r.status, r.body.as_str()), (200, "You are not logged in"));
}

#[test]
fn a_session_too_large_for_a_cookie_is_an_error_not_a_redirect() {
    let app = Running::start();
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    let name: String = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let r = app.request("POST", "/login", None, Some(&format!("username={name}")));
    assert_eq!(r.status, 500);
    assert!(r.header("location").is_none() && r.header("set-cookie").is_none());
}
