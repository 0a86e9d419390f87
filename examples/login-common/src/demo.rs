//! The demo pages (`/demo`), shared by the three Rust servers and mirrored by `interop/flask_app.py`: which
//! framework served the page, links to the same page on the others, the decoded session cookie (content, when
//! it was signed, which key verified it), flashed messages, and a CSRF-protected login and logout form.
//!
//! Routes, on every server: `GET /demo` (the page), `POST /demo/login` (form `username` + `csrf_token`; stores
//! the name, flashes [`LOGGED_IN`], redirects to `/demo`), `POST /demo/logout` (form `csrf_token`; removes the
//! name, flashes [`LOGGED_OUT`], redirects). A refused CSRF token is a 400 with Flask-WTF's reason.

use session_core::{Csrf, KeyId, SecretKey, SessionConfig, SessionHandle, wire::json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{USERNAME, escape};

/// The message flashed by `POST /demo/login`.
pub const LOGGED_IN: &str = "You were logged in";
/// The message flashed by `POST /demo/logout`.
pub const LOGGED_OUT: &str = "You were logged out";

/// Another server of the demo: its framework's name and base URL (`http://127.0.0.1:3001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The framework, as shown (`actix-web`).
    pub name: String,
    /// The base URL, without a trailing slash.
    pub url: String,
}

/// One demo server: its session configuration, CSRF settings (same key), and its peers.
#[derive(Debug, Clone)]
pub struct Site {
    /// The session configuration.
    pub config: SessionConfig,
    /// The CSRF settings (Flask-WTF's defaults, the session key).
    pub csrf: Csrf,
    /// The framework serving the pages (`axum`, `actix-web`, `hyper`).
    pub framework: &'static str,
    /// The other servers, linked from every page.
    pub peers: Vec<Peer>,
}

impl Site {
    /// A site for `framework` with Flask's session defaults and Flask-WTF's CSRF defaults on `key`.
    ///
    /// # Errors
    /// When the session configuration is invalid.
    pub fn new(framework: &'static str, key: &SecretKey) -> anyhow::Result<Self> {
        Ok(Self {
            config: crate::session_config(key.clone())?,
            csrf: Csrf::new(key),
            framework,
            peers: Vec::new(),
        })
    }

    /// Sets the peers linked from every page.
    #[must_use]
    pub fn with_peers(mut self, peers: Vec<Peer>) -> Self {
        self.peers = peers;
        self
    }

    /// The `GET /demo` page for this request's session. Reads the session as the cookie carried it, then pops
    /// the flashed messages (so they are shown once), then makes the CSRF token for the forms.
    pub fn page(&self, session: &SessionHandle) -> String {
        let snapshot = session.snapshot();
        let content = json::map_to_tagged_json(snapshot.data());
        let signed = match (snapshot.issued_at(), snapshot.verified_by()) {
            (Some(ts), Some(key)) => {
                let when = i64::try_from(ts)
                    .ok()
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .and_then(|t| t.format(&Rfc3339).ok())
                    .unwrap_or_else(|| ts.to_string());
                let by = match key {
                    KeyId::Current => "the current key".to_owned(),
                    other => format!("a fallback key ({other})"),
                };
                format!("signed at {when} (Unix {ts}), verified by {by}")
            }
            _ => "no valid session cookie came with this request".to_owned(),
        };
        let flashes: String = session
            .take_flashes_with_categories()
            .iter()
            .map(|(category, message)| format!("<li class=\"{}\">{}</li>", escape(category), escape(message)))
            .collect();
        let user = session.get::<String>(USERNAME).ok().flatten();
        let token = self.csrf.token(session);
        let status = match &user {
            Some(name) => crate::logged_in_as(name),
            None => crate::NOT_LOGGED_IN.to_owned(),
        };
        let form = match user {
            Some(_) => format!(
                "<form id=\"logout\" method=\"post\" action=\"/demo/logout\">\
                 <input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">\
                 <button id=\"logout-button\" type=\"submit\">Log out</button></form>"
            ),
            None => format!(
                "<form id=\"login\" method=\"post\" action=\"/demo/login\">\
                 <input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">\
                 <input id=\"username\" type=\"text\" name=\"username\">\
                 <button id=\"login-button\" type=\"submit\">Log in</button></form>"
            ),
        };
        let peers: String = self
            .peers
            .iter()
            .map(|p| {
                format!(
                    " <a class=\"peer\" href=\"{}/demo\">{}</a>",
                    escape(&p.url),
                    escape(&p.name)
                )
            })
            .collect();
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{fw}: flask-sessions-rs demo</title></head>\
             <body>\n<p id=\"served-by\">Served by <b>{fw}</b></p>\n<nav>The same page on:{peers}</nav>\n\
             <ul id=\"flashes\">{flashes}</ul>\n<p id=\"status\">{status}</p>\n{form}\n\
             <h2>Session cookie</h2>\n<pre id=\"session\">{content}</pre>\n<p id=\"signed\">{signed}</p>\n\
             </body></html>\n",
            fw = escape(self.framework),
            content = escape(&content),
        )
    }
}

/// `POST /demo/login` after its CSRF token was accepted: stores the name and flashes [`LOGGED_IN`].
///
/// # Errors
/// When the name cannot be stored (never for a string).
pub fn log_in(session: &SessionHandle, username: &str) -> session_core::Result<()> {
    session.insert(USERNAME, username)?;
    session.flash(LOGGED_IN);
    Ok(())
}

/// `POST /demo/logout` after its CSRF token was accepted: removes the name and flashes [`LOGGED_OUT`].
pub fn log_out(session: &SessionHandle) {
    session.remove(USERNAME);
    session.flash(LOGGED_OUT);
}

/// The signed CSRF token in a demo page's forms (for clients that post the form without a browser).
pub fn token_in(page: &str) -> Option<&str> {
    let start = page.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let len = page[start..].find('"')?;
    Some(&page[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_shows_flash_once_and_the_session() {
        let key = SecretKey::parse("0123456789abcdef").unwrap();
        let site = Site::new("axum", &key).unwrap().with_peers(vec![Peer {
            name: "hyper".into(),
            url: "http://127.0.0.1:3002".into(),
        }]);
        let first = SessionHandle::new(site.config.clone(), vec![], 1_700_000_000);
        log_in(&first, "Zoë").unwrap();
        let cookie = first.finish().unwrap().set_cookies().first().cloned().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let next = SessionHandle::new(site.config.clone(), vec![cookie], 1_700_000_005);
        let page = site.page(&next);
        assert!(page.contains("Served by <b>axum</b>"), "{page}");
        assert!(page.contains("href=\"http://127.0.0.1:3002/demo\">hyper</a>"), "{page}");
        assert!(page.contains("<li class=\"message\">You were logged in</li>"), "{page}");
        assert!(page.contains("Logged in as Zoë"), "{page}");
        assert!(
            page.contains("2023-11-14T22:13:20Z (Unix 1700000000), verified by the current key"),
            "{page}"
        );
        let token = token_in(&page).unwrap();
        assert_eq!(site.csrf.validate(&next, Some(token)), Ok(()));
        let cookie = next.finish().unwrap().set_cookies().first().cloned().unwrap();
        let after = SessionHandle::new(
            site.config.clone(),
            vec![cookie.split(';').next().unwrap().to_owned()],
            1_700_000_009,
        );
        let page = site.page(&after);
        assert!(
            !page.contains(LOGGED_IN) && page.contains("Logged in as Zoë"),
            "a flash is shown once: {page}"
        );
    }
}
