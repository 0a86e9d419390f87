//! The encrypted formats as profiles behind [`crate::Format`]: their defaults as the frameworks ship them, the
//! seam's codec built from a configuration, and when a response writes the cookie.

use super::{
    ACTIX_DEFAULT_COOKIE_NAME, CookieJarCodec, JarMode, RAILS_DEFAULT_COOKIE_NAME, RailsCodec, RailsDigest,
    map_to_actix_state, rails_session_json,
};
use crate::config::{SameSite, SessionConfig};
use crate::cookies::render;
use crate::error::{Result, SessionError};
use crate::format::{Decoded, Defaults, Format};
use crate::key::Keyring;
use crate::lifecycle::ResponseCookie;
use crate::payload::Compression;
use crate::session::Session;
use crate::signer::{Digest, SignerOptions};
use crate::value::Entries;

/// Rails' defaults: cookie `_app_session` (Rails names it `_<app>_session`), no `expire_after` (a browser-session
/// cookie with `"exp":null`; a lifetime adds `exp` and `Expires`), `SameSite=Lax`, HttpOnly, SHA-256 derivation.
pub(crate) fn rails_defaults() -> Defaults {
    Defaults {
        cookie_name: RAILS_DEFAULT_COOKIE_NAME,
        lifetime: 0,
        same_site: Some(SameSite::Lax),
        refresh_each_request: false,
        signer: SignerOptions {
            digest: Digest::Sha256,
            ..SignerOptions::default()
        },
        compression: Compression::Never,
    }
}

/// actix-session's defaults: cookie `id`, a browser-session cookie (`BrowserSession`; a lifetime adds an
/// expiry as `PersistentSession` does), `SameSite=Lax`, HttpOnly, written only when the session changed.
/// actix-session also sets `Secure` by default: set `secure(true)` to match.
pub(crate) fn actix_defaults() -> Defaults {
    Defaults {
        cookie_name: ACTIX_DEFAULT_COOKIE_NAME,
        lifetime: 0,
        same_site: Some(SameSite::Lax),
        refresh_each_request: false,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// The seam's codec for an encrypted format.
#[derive(Debug, Clone)]
pub(crate) enum EncryptedWire {
    /// Rails, with `expire_after` in seconds (0: none).
    Rails(RailsCodec, u64),
    /// actix-session's private or signed jar.
    Jar(CookieJarCodec),
}

impl EncryptedWire {
    /// # Errors
    /// `Config` for a digest Rails cannot derive with, `InvalidKey` for a `cookie::Key` that is not 64 bytes.
    pub(crate) fn new(
        format: Format,
        keyring: &Keyring,
        options: &SignerOptions,
        cookie_name: &str,
        expire_after: u64,
    ) -> Result<Self> {
        match format {
            Format::Rails => {
                let digest = match options.digest {
                    Digest::Sha1 => RailsDigest::Sha1,
                    Digest::Sha256 => RailsDigest::Sha256,
                    other => {
                        return Err(SessionError::Config(format!(
                            "Rails derives its key with sha256 (Rails 7) or sha1 (Rails 5.2 to 6.1), not {other:?}"
                        )));
                    }
                };
                Ok(Self::Rails(RailsCodec::new(keyring, cookie_name, digest), expire_after))
            }
            Format::ActixPrivate => CookieJarCodec::new(keyring, JarMode::Private, cookie_name).map(Self::Jar),
            Format::ActixSigned => CookieJarCodec::new(keyring, JarMode::Signed, cookie_name).map(Self::Jar),
            other => Err(SessionError::Config(format!("{other} is not an encrypted format"))),
        }
    }

    /// The session as the framework serializes it (Rails: ActiveSupport's JSON; actix: its state).
    pub(crate) fn to_json(&self, data: &impl Entries) -> String {
        match self {
            Self::Rails(..) => rails_session_json(data),
            Self::Jar(_) => map_to_actix_state(data),
        }
    }

    /// # Errors
    /// When the nonce source fails.
    pub(crate) fn encode_json(&self, json: &str, now: u64) -> Result<String> {
        match self {
            Self::Rails(codec, expire_after) => {
                let exp = (*expire_after > 0)
                    .then(|| i64::try_from(now.saturating_add(*expire_after)).unwrap_or(i64::MAX / 1000) * 1000);
                codec.encode_json(json, exp)
            }
            Self::Jar(codec) => codec.encode_state(json),
        }
    }

    /// # Errors
    /// The codec's refusals (see [`RailsCodec::decode`] and [`CookieJarCodec::decode`]).
    pub(crate) fn decode(&self, cookie: &str, now: u64) -> Result<Decoded> {
        let (data, key, rewrite) = match self {
            Self::Rails(codec, _) => {
                let d = codec.decode(cookie, now)?;
                (d.data, d.key, d.needs_rewrite)
            }
            Self::Jar(codec) => {
                let d = codec.decode(cookie)?;
                (d.data, d.key, d.needs_rewrite)
            }
        };
        Ok(Decoded {
            data: data.into(),
            timestamp: None,
            key,
            compressed: false,
            rewrite,
        })
    }
}

impl SessionConfig {
    /// When an encrypted format's cookie is written: as for every format, when the session changed, on every
    /// request with `refresh_each_request`, or to re-encrypt a cookie opened by a fallback key (or Rails' other
    /// digest, or a migrated cookie); a modified empty session deletes the cookie. With a lifetime, the cookie
    /// carries `Expires` (and Rails' envelope the same `exp`).
    pub(crate) fn save_encrypted(&self, session: &Session, accessed: bool, now: u64) -> Result<ResponseCookie> {
        let c = &self.0;
        let mut out = ResponseCookie {
            set_cookie: None,
            vary_cookie: accessed,
        };
        let attrs = self.attributes();
        if session.is_empty() {
            if session.is_modified() && session.cookie_present {
                out.set_cookie = Some(render(&c.cookie_name, "", &attrs, Some(0), true));
                out.vary_cookie = true;
            }
            return Ok(out);
        }
        let asked = session.is_modified() || session.is_renewed();
        let rewrite = self.rewrite_due(session);
        if !(asked || c.refresh_each_request || rewrite) {
            return Ok(out);
        }
        let expires = (c.lifetime > 0).then(|| now.saturating_add(c.lifetime));
        let value = c.codec.try_encode(session.data(), now)?;
        let header = render(&c.cookie_name, &value, &attrs, expires, false);
        self.fit(session, header, asked, out)
    }
}
