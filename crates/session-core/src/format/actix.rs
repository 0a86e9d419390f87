//! actix-session's `CookieSessionStore` behind the seam: its state (an object of JSON texts) in the `cookie`
//! crate's private jar (AES-256-GCM, its default) or signed jar (HMAC-SHA-256), with the codec
//! [`CookieJarCodec`]. Cookie `id`, a browser-session cookie (`BrowserSession`; a lifetime adds an expiry as
//! `PersistentSession` does), `SameSite=Lax`, HttpOnly, written only when the session changed. actix-session
//! also sets `Secure` by default: set `secure(true)` to match.

use std::borrow::Cow;

use smallvec::smallvec;

use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
};
use crate::data::EntriesRef;
use crate::encrypted::{
    ACTIX_DEFAULT_COOKIE_NAME, CookieJarCodec, JarMode, actix_state_to_map, map_to_actix_state, signed_state_unverified,
};
use crate::error::Result;
use crate::payload::Compression;
use crate::set_cookie::SameSite;
use crate::signer::SignerOptions;
use crate::value::Value;

const RULES: Rules = Rules {
    delete: DeleteWhen::CookiePresent,
    refresh: Refresh::Always,
    expiry: ExpiryRule::IfLifetime,
    vary: true,
    delete_absent: true,
    order: CookieOrder::WritesFirst,
    reserved: &[],
};

/// The private jar's place in the registry.
pub(crate) static PRIVATE: Spec = Spec {
    name: "actix-private",
    aliases: &["actix"],
    framework: "actix-session 0.11 CookieSessionStore, private jar (cookie 0.16)",
    encrypted: true,
    signature: Some("AES-256-GCM under the key's second half, the cookie name as associated data"),
    tagged: false,
    timestamped: false,
    text: SessionText::Wrapped,
    defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        Ok(Box::new(Jar(CookieJarCodec::new(
            s.keyring,
            JarMode::Private,
            s.cookie_name,
        )?)))
    },
    peek: |_: &str, _: usize| -> Result<Peeked> { Err(super::seam::peek_needs_key("actix-private")) },
};

/// The signed jar's place in the registry.
pub(crate) static SIGNED: Spec = Spec {
    name: "actix-signed",
    aliases: &[],
    framework: "actix-session 0.11 CookieSessionStore, signed jar (cookie 0.16)",
    encrypted: false,
    signature: Some("HMAC-SHA256 under the key's first half (the cookie crate's signed jar)"),
    tagged: false,
    timestamped: false,
    text: SessionText::Wrapped,
    defaults,
    rules: RULES,
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        Ok(Box::new(Jar(CookieJarCodec::new(
            s.keyring,
            JarMode::Signed,
            s.cookie_name,
        )?)))
    },
    peek: |cookie: &str, _: usize| -> Result<Peeked> {
        let state = signed_state_unverified(cookie)?;
        Ok((Value::Dict(actix_state_to_map(&state)?), None, false))
    },
};

/// actix-session's defaults.
pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: ACTIX_DEFAULT_COOKIE_NAME,
        lifetime: 0,
        same_site: Some(SameSite::Lax),
        secure: false,
        http_only: true,
        refresh_each_request: false,
        signer: SignerOptions::default(),
        compression: Compression::Never,
    }
}

/// A jar codec behind the seam.
#[derive(Debug, Clone)]
struct Jar(CookieJarCodec);

impl Codec for Jar {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        self.0.cookie_name()
    }

    /// actix-session has no server-side expiry: no age check.
    fn open_main(&self, value: &str, _now: u64, _max_age: Option<u64>, _limits: Limits) -> Result<Decoded> {
        let d = self.0.decode(value)?;
        Ok(Decoded {
            data: d.data.into(),
            timestamp: None,
            key: d.key,
            compressed: false,
            rewrite: d.needs_rewrite,
        })
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        map_to_actix_state(&data).into_bytes()
    }

    fn seal_serialized(&self, serialized: &[u8], _now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        let value = self.0.encode_state(&String::from_utf8_lossy(serialized))?;
        Ok(smallvec![(Cow::Borrowed(self.0.cookie_name()), value)])
    }
}

#[cfg(test)]
mod tests {
    use crate::format::Format;
    use crate::value::{Map, Value};

    /// Inspecting an actix-session signed cookie shows the session its state holds (each state value parsed
    /// from its JSON text), with no timestamp and no compression; the private jar needs the key.
    #[test]
    fn signed_cookies_show_their_session_unverified() {
        let mut jar = cookie::CookieJar::new();
        let key = cookie::Key::from(&(0..64).collect::<Vec<u8>>());
        jar.signed_mut(&key)
            .add(cookie::Cookie::new("id", r#"{"user_id":"42","name":"\"Zoë\""}"#));
        let theirs = jar.delta().next().unwrap().encoded().to_string();
        let value = theirs.strip_prefix("id=").unwrap();
        let mut want = Map::new();
        want.insert("user_id".into(), Value::Int(42));
        want.insert("name".into(), Value::Str("Zoë".into()));
        assert_eq!(
            Format::ActixSigned.decode_unverified(value, 1 << 16).unwrap(),
            (Value::Dict(want), None, false)
        );
        let forged = format!("{}{{\"a\":1}}", "A".repeat(44));
        let err = Format::ActixSigned.decode_unverified(&forged, 1 << 16).unwrap_err();
        assert_eq!(err.kind(), "bad_payload");
        let err = Format::ActixPrivate.decode_unverified(value, 1 << 16).unwrap_err();
        assert_eq!(err.kind(), "config");
    }
}
