//! The seed app ("Sessions" in Flask's quickstart) as data: the three login examples only wire these pages
//! to their framework, so all of them (and `interop/flask_app.py`) answer with the same text.

pub mod check;
pub mod demo;

use anyhow::Context as _;
use session_core::{Format, SecretKey, SessionConfig};

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

/// Reads `SESSION_FORMAT`: whose cookies to share, any name of `Format::ALL` (`flask`, the default;
/// `starlette` or `fastapi`; `django`; `rails`; `actix-private`; `actix-signed`; `express`; `iron-session`;
/// `authjs`; `next-auth-v4`; `gorilla`; `laravel`; `laravel-gcm`).
///
/// # Errors
/// When `SESSION_FORMAT` is set to another name.
pub fn format_from_env() -> anyhow::Result<Format> {
    match std::env::var("SESSION_FORMAT") {
        Ok(f) if !f.is_empty() => Format::from_name(&f).context("SESSION_FORMAT is not usable"),
        _ => Ok(Format::Flask),
    }
}

/// The session configuration every example uses: the defaults of the format `SESSION_FORMAT` names (Flask's
/// by default) with the given key, and the cookie name `SESSION_COOKIE_NAME` when set (default: the format's,
/// `session` or Django's `sessionid`; iron-session has none, so it must be set).
///
/// # Errors
/// When `SESSION_FORMAT` or `SESSION_COOKIE_NAME` is invalid (the message says why).
///
/// `SESSION_ENCRYPTION_KEY` (key text, like `SECRET_KEY`) is the encryption key paired with `SECRET_KEY`
/// (`SessionConfigBuilder::encryption_key`): gorilla/sessions' block key, 16, 24 or 32 bytes; unset, gorilla
/// cookies are signed only. Other formats ignore it.
///
/// `SESSION_MIGRATE_FROM` (a format name) with `SESSION_MIGRATE_KEY` (key text) and optionally
/// `SESSION_MIGRATE_COOKIE_NAME` also reads that format's cookie and writes it back in this one
/// (`SessionConfigBuilder::migrate_from`).
pub fn session_config(key: SecretKey) -> anyhow::Result<SessionConfig> {
    let mut builder = SessionConfig::builder().format(format_from_env()?).secret_key(key);
    if let Ok(text) = std::env::var("SESSION_ENCRYPTION_KEY") {
        if !text.is_empty() {
            let block = SecretKey::parse(&text).context("SESSION_ENCRYPTION_KEY is not usable")?;
            builder = builder.encryption_key(block);
        }
    }
    if let Ok(name) = std::env::var("SESSION_COOKIE_NAME") {
        if !name.is_empty() {
            builder = builder.cookie_name(name);
        }
    }
    if let Ok(from) = std::env::var("SESSION_MIGRATE_FROM") {
        if !from.is_empty() {
            let from = Format::from_name(&from).context("SESSION_MIGRATE_FROM is not usable")?;
            let key = std::env::var("SESSION_MIGRATE_KEY").context("SESSION_MIGRATE_FROM needs SESSION_MIGRATE_KEY")?;
            let key = SecretKey::parse(&key).context("SESSION_MIGRATE_KEY is not usable")?;
            builder = builder.migrate_from(from, session_core::Keyring::new(key));
            if let Ok(name) = std::env::var("SESSION_MIGRATE_COOKIE_NAME") {
                builder = builder.migrate_cookie_name(name);
            }
        }
    }
    builder
        .build()
        .context("the settings SESSION_FORMAT, SESSION_COOKIE_NAME and SESSION_ENCRYPTION_KEY give are not usable")
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
