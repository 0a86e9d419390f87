//! What every live login check shares (`interop.rs` for the signed profiles, `encrypted.rs` for actix-session):
//! the key and user, starting a seed-app server, and the steps of a login crossing servers (log in, read the
//! page with the cookies, tamper, log out). A session may be several cookies (cookie-session's `session` and
//! `session.sig`), so a login answers a [`Jar`] of every cookie it set and later requests send all of them.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::http::{Response, form_encode, request};
use crate::server::{Server, Stop, free_port};

/// The key every server of a profile shares (as `SECRET_KEY`).
pub(crate) const KEY: &str = "interop-shared-secret-key-0001";
const USER: &str = "Zoë <b>&\"x'</b>";
/// MarkupSafe's escape of `USER` (what every server must show).
pub(crate) const USER_ESCAPED: &str = "Zoë &lt;b&gt;&amp;&#34;x&#39;&lt;/b&gt;";
/// The page of `GET /` without a session.
pub(crate) const NOT_LOGGED_IN: &str = "You are not logged in";

/// Starts a server on a free loopback port (with `KEY` as `SECRET_KEY` unless the command sets its own), its
/// output in `target/interop/NAME.log`.
pub(crate) fn start(root: &Path, name: &'static str, mut cmd: Command) -> Result<Server> {
    let port = free_port()?;
    if !cmd.get_envs().any(|(k, _)| k == "SECRET_KEY") {
        cmd.env("SECRET_KEY", KEY);
    }
    cmd.env("PORT", port.to_string()).env("RUST_LOG", "info");
    let log = root.join(format!("target/interop/{name}.log"));
    Server::start(name, port, cmd, log, Stop::Kill, Duration::from_secs(60))
}

/// The cookies a response set, as `name=value` pairs in the order of its `Set-Cookie` headers (a later one of
/// the same name replaces the earlier, as in a browser), sent back together as one `Cookie` header.
#[derive(Debug, Clone, Default)]
pub(crate) struct Jar(Vec<(String, String)>);

impl Jar {
    /// Every cookie `r` set.
    pub(crate) fn from_response(r: &Response) -> Self {
        let mut jar = Self::default();
        for h in r.all("set-cookie") {
            let pair = h.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                jar.set(name.trim(), value.trim());
            }
        }
        jar
    }

    /// Sets (or replaces) one cookie.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => value.clone_into(&mut slot.1),
            None => self.0.push((name.to_owned(), value.to_owned())),
        }
    }

    /// The value of the cookie `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The `Cookie` header carrying every cookie: `a=1; b=2`.
    pub(crate) fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The same cookies with the value of `name` tampered ([`tamper`]); its companions (a `.sig`) unchanged.
    pub(crate) fn tampered(&self, name: &str) -> Self {
        let mut jar = self.clone();
        if let Some(v) = self.get(name) {
            jar.set(name, &tamper(v));
        }
        jar
    }
}

/// Posts the login form; the answer must be a redirect setting a non-empty cookie `name`. Returns every
/// cookie it set.
pub(crate) fn login(s: &Server, name: &str) -> Result<Jar> {
    let r = request(
        s.port,
        "POST",
        "/login",
        None,
        Some(&format!("username={}", form_encode(USER))),
    )?;
    if r.status != 302 {
        bail!("POST /login answered {} (expected 302): {}", r.status, r.body);
    }
    let jar = Jar::from_response(&r);
    if jar.get(name).is_none_or(str::is_empty) {
        bail!("POST /login set no {name} cookie (it set {:?})", jar.header());
    }
    Ok(jar)
}

/// `GET /` with the `Cookie` header `cookie` must answer 200 with `want` in the page.
pub(crate) fn check_page(s: &Server, cookie: Option<&str>, want: &str) -> Result<()> {
    let r = request(s.port, "GET", "/", cookie, None)?;
    if r.status != 200 || !r.body.contains(want) {
        bail!("GET /: {} {:?}, expected {want:?}", r.status, r.body.trim());
    }
    Ok(())
}

/// `GET /logout` with the cookies of a login must redirect and delete the cookie `name`.
pub(crate) fn logout(s: &Server, name: &str, jar: &Jar) -> Result<()> {
    let r = request(s.port, "GET", "/logout", Some(&jar.header()), None)?;
    if r.status != 302 {
        bail!("GET /logout answered {}", r.status);
    }
    // Flask: `session=; Expires=Thu, 01 Jan 1970 ...`; Starlette: `session=null; ... expires=Thu, 01 Jan 1970
    // ...`; Django: `sessionid=""; expires=Thu, 01 Jan 1970 ...; Max-Age=0`; cookie-session: `session=; path=/;
    // expires=Thu, 01 Jan 1970 ...` (and its `session.sig`); iron-session and Auth.js: `<name>=; Max-Age=0; ...`
    // (no Expires); gorilla: `<name>=<the emptied session, encoded>; Path=/; Expires=Thu, 01 Jan 1970 00:00:01
    // GMT; Max-Age=0` (`Max-Age=0` deletes the cookie whatever its value).
    let deletion = r.all("set-cookie").into_iter().any(|h| {
        let value = h
            .strip_prefix(&format!("{name}="))
            .and_then(|rest| rest.split(';').next());
        let max_age_0 = h.split(';').any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        let expired = h.contains("01 Jan 1970 00:00:00 GMT") || max_age_0;
        (matches!(value, Some("" | "null" | "\"\"")) && expired) || (value.is_some() && max_age_0)
    });
    if !deletion {
        bail!("GET /logout sent no deletion cookie: {:?}", r.all("set-cookie"));
    }
    Ok(())
}

/// `GET /logout` with the cookies of a login must redirect, and the page with the cookies the browser keeps
/// afterwards (those it set replaced, those it expired gone) must say that no one is logged in.
pub(crate) fn logout_to_page(s: &Server, jar: &Jar) -> Result<()> {
    let r = request(s.port, "GET", "/logout", Some(&jar.header()), None)?;
    if r.status != 302 {
        bail!("GET /logout answered {}", r.status);
    }
    let mut after = jar.clone();
    for h in r.all("set-cookie") {
        let Some((name, value)) = h.split(';').next().unwrap_or_default().split_once('=') else {
            continue;
        };
        let expired = h.split(';').any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        if expired {
            after.0.retain(|(n, _)| n != name.trim());
        } else {
            after.set(name.trim(), value.trim());
        }
    }
    check_page(s, Some(&after.header()), NOT_LOGGED_IN).map_err(|e| anyhow::anyhow!("after logout: {e:#}"))
}

/// Changes one character in the middle of the payload (Flask, Starlette: before the first `.`; Django: `:`;
/// Auth.js' JWE: its protected header, before the first `.`; cookie-session's and actix-session's values have
/// neither: the middle of the value). An iron-session seal (`Fe26.2*...*<MAC>~2`) is changed inside its MAC, the
/// last `*` part: iron-session 8 answers 500 to a changed prefix or expiry instead of ignoring the cookie.
pub(crate) fn tamper(cookie: &str) -> String {
    let mut bytes = cookie.as_bytes().to_vec();
    let i = match cookie.rfind('*') {
        Some(star) => star + (cookie.len() - star) / 2,
        None => cookie.find(['.', ':']).unwrap_or(cookie.len()) / 2,
    };
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(set_cookies: &[&str]) -> Response {
        Response {
            status: 302,
            headers: set_cookies
                .iter()
                .map(|c| ("Set-Cookie".to_owned(), (*c).to_owned()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn a_jar_keeps_every_cookie_and_tampers_only_the_named_one() {
        let r = reply(&[
            "session=eyJ1IjoiYSJ9; path=/; httponly",
            "session.sig=b4Yeo70T2zWz; path=/; httponly",
        ]);
        let jar = Jar::from_response(&r);
        assert_eq!(jar.header(), "session=eyJ1IjoiYSJ9; session.sig=b4Yeo70T2zWz");
        let bad = jar.tampered("session");
        assert_ne!(bad.get("session"), jar.get("session"));
        assert_eq!(bad.get("session.sig"), jar.get("session.sig"));
    }

    #[test]
    fn an_iron_seal_is_tampered_inside_its_mac() {
        let seal = "Fe26.2*1*aa*bb*cc*1700000000000*dd*ABCDEFGHIJ~2";
        let bad = tamper(seal);
        assert_ne!(bad, seal);
        let (kept, mac) = bad.rsplit_once('*').unwrap_or_default();
        assert_eq!(kept, "Fe26.2*1*aa*bb*cc*1700000000000*dd");
        assert!(mac.ends_with("~2") && mac != "ABCDEFGHIJ~2", "{mac}");
    }

    #[test]
    fn a_later_cookie_of_the_same_name_replaces_the_earlier() {
        let jar = Jar::from_response(&reply(&["a=1", "b=2", "a=3; Path=/"]));
        assert_eq!(jar.header(), "a=3; b=2");
    }
}
