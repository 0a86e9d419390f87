//! The seed app ("Sessions" in Flask's quickstart) as data: the three login examples only wire these pages
//! to their framework, so all of them (and `interop/flask_app.py`) answer with the same text.

pub mod check;
pub mod demo;

use anyhow::Context as _;
use session_core::{SecretKey, SessionConfig};

/// The session key holding the logged-in user's name (as in the seed app).
pub const USERNAME: &str = "username";

/// The login form served by `GET /login`.
pub const LOGIN_FORM: &str = r#"
        <form method="post">
            <p><input type=text name=username>
            <p><input type=submit value=Login>
        </form>
    "#;

/// Body of `GET /` when nobody is logged in.
pub const NOT_LOGGED_IN: &str = "You are not logged in";

/// Body of `GET /` for a logged-in user: the name is HTML-escaped, as the seed's `escape()` does.
pub fn logged_in_as(username: &str) -> String {
    format!("Logged in as {}", escape(username))
}

/// MarkupSafe's `escape()`: `& < > " '` become `&amp; &lt; &gt; &#34; &#39;` (the exact bytes Flask writes).
pub fn escape(text: &str) -> String {
    html_escape::encode_safe(text)
        .replace("&quot;", "&#34;")
        .replace("&#x27;", "&#39;")
        .replace("&#x2F;", "/")
}

/// Body for a session that could not be saved because it is too large for a cookie.
pub const TOO_LARGE: &str = "The session is too large to be stored in a cookie; nothing was saved.";

/// Reads `SECRET_KEY` (text, `hex:` or `base64:`; at least 16 bytes). Without it, generates a random key and
/// prints a warning that logins will not survive a restart.
///
/// # Errors
/// When `SECRET_KEY` is set but invalid (the message says why).
pub fn secret_key_from_env(app: &str) -> anyhow::Result<SecretKey> {
    match std::env::var("SECRET_KEY") {
        Ok(text) if !text.is_empty() => SecretKey::parse(&text).context("SECRET_KEY is not usable"),
        _ => {
            eprintln!(
                "warning: {app}: SECRET_KEY is not set; using a random key, so logins will not survive a restart \
                 (generate one with `cargo run -p session-cli -- keygen`)"
            );
            Ok(SecretKey::generate())
        }
    }
}

/// Reads `PORT`, defaulting to `default`.
///
/// # Errors
/// When `PORT` is set but not a port number.
pub fn port_from_env(default: u16) -> anyhow::Result<u16> {
    match std::env::var("PORT") {
        Ok(p) if !p.is_empty() => p.parse().with_context(|| format!("PORT={p:?} is not a port number")),
        _ => Ok(default),
    }
}

/// The session configuration every example uses: Flask's defaults with the given key.
///
/// # Errors
/// Never in practice (Flask's defaults are valid); kept fallible because configuration can fail.
pub fn session_config(key: SecretKey) -> anyhow::Result<SessionConfig> {
    Ok(SessionConfig::builder().secret_key(key).build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_matches_markupsafe() {
        assert_eq!(escape(r#"<b>&"'/x"#), "&lt;b&gt;&amp;&#34;&#39;/x");
        assert_eq!(logged_in_as("alice"), "Logged in as alice");
    }
}
