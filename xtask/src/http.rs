//! Loopback HTTP for interop, soak and the HTTP benchmarks: the examples' own one-request client
//! (`login_common::check`), addressed by port, plus form encoding.

use anyhow::{Context as _, Result};

pub(crate) use login_common::check::Reply as Response;

/// Sends one request to `127.0.0.1:port` (a fresh connection, `Connection: close`).
pub(crate) fn request(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Result<Response> {
    login_common::check::send(([127, 0, 0, 1], port).into(), method, path, cookie, form)
        .with_context(|| format!("{method} {path} on port {port}"))
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub(crate) fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
