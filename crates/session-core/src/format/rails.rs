//! Rails' encrypted cookie store (`ActionDispatch::Session::CookieStore`, Rails 5.2 and later) behind the seam:
//! AES-256-GCM under a PBKDF2 key from `secret_key_base` (the codec is [`RailsCodec`]), the session in the
//! `_rails` envelope with its purpose (the cookie name) and the expiry the response carries as `exp`. Cookie
//! `_app_session` (Rails names it `_<app>_session`), no `expire_after` by default (a browser-session cookie
//! with `"exp":null`), `SameSite=Lax`, HttpOnly, the SHA-256 derivation of Rails 7.

use std::borrow::Cow;

use smallvec::smallvec;

use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
};
use crate::data::EntriesRef;
use crate::encrypted::{RAILS_DEFAULT_COOKIE_NAME, RailsCodec, RailsDigest, rails_session_json};
use crate::error::{Result, SessionError};
use crate::payload::Compression;
use crate::set_cookie::SameSite;
use crate::signer::{Digest, SignerOptions};

/// Rails' place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "rails",
    aliases: &[],
    framework: "Rails 5.2-7 encrypted cookie store (actionpack)",
    encrypted: true,
    signature: Some("AES-256-GCM under a PBKDF2 key from secret_key_base (the digest picks SHA-256 or SHA-1)"),
    tagged: false,
    timestamped: false,
    text: SessionText::Json,
    defaults,
    rules: Rules {
        delete: DeleteWhen::CookiePresent,
        refresh: Refresh::Always,
        expiry: ExpiryRule::IfLifetime,
        vary: true,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        let digest = match s.signer.digest {
            Digest::Sha1 => RailsDigest::Sha1,
            Digest::Sha256 => RailsDigest::Sha256,
            other => {
                return Err(SessionError::Config(format!(
                    "Rails derives its key with sha256 (Rails 7) or sha1 (Rails 5.2 to 6.1), not {other:?}"
                )));
            }
        };
        Ok(Box::new(Rails(RailsCodec::new(s.keyring, s.cookie_name, digest))))
    },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("rails")) },
};

/// Rails' defaults: no lifetime (a lifetime adds `exp` and `Expires`), `SameSite=Lax`, SHA-256 derivation.
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: RAILS_DEFAULT_COOKIE_NAME,
        lifetime: 0,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
        refresh_each_request: false,
        signer: SignerOptions {
            digest: Digest::Sha256,
            ..SignerOptions::default()
        },
        compression: Compression::Never,
    }
}

/// The Rails codec behind the seam.
#[derive(Debug, Clone)]
struct Rails(RailsCodec);

impl Codec for Rails {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        self.0.cookie_name()
    }

    /// No timestamp inside: Rails checks its sealed `exp`.
    fn open_main(&self, value: &str, now: u64, _max_age: Option<u64>, _limits: Limits) -> Result<Decoded> {
        let d = self.0.decode(value, now)?;
        Ok(Decoded {
            data: d.data.into(),
            timestamp: None,
            key: d.key,
            compressed: false,
            rewrite: d.needs_rewrite,
        })
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        rails_session_json(&data).into_bytes()
    }

    /// `exp` is the cookie's expiry in milliseconds (the lifecycle caps it at the end of year 9999).
    fn seal_serialized(&self, serialized: &[u8], _now: u64, expires: Option<u64>) -> Result<Sealed<'_>> {
        let exp = expires.map(|e| i64::try_from(e.min(crate::signer::MAX_TIMESTAMP)).unwrap_or(0) * 1000);
        let value = self.0.encode_json(&String::from_utf8_lossy(serialized), exp)?;
        Ok(smallvec![(Cow::Borrowed(self.0.cookie_name()), value)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rails 7.0's defaults: `_app_session` unless the app names its cookie, no expiry, `SameSite=Lax`,
    /// `HttpOnly`, and the key generator's PBKDF2 over SHA-256 (`key_generator_hash_digest_class`; Rails 6.1
    /// and earlier used SHA-1, which a configuration sets with `Digest::Sha1`).
    #[test]
    fn defaults_are_rails_7s() {
        let d = defaults();
        assert_eq!((d.cookie_name, d.lifetime), (RAILS_DEFAULT_COOKIE_NAME, 0));
        assert_eq!(d.signer.digest, Digest::Sha256);
        assert_eq!(d.same_site, Some(SameSite::Lax));
        assert!(d.http_only && !d.secure && !d.refresh_each_request);
    }
}
