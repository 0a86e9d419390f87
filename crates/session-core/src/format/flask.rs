//! Flask (`SecureCookieSessionInterface`): `payload.timestamp.signature`, itsdangerous' `TimestampSigner`
//! (HMAC-SHA1, `hmac` key derivation, salt `cookie-session`) over URL-safe base64 of the tagged JSON, or `.` +
//! base64 of its zlib stream when that is shorter by more than one byte. Cookie `session`, 31 days.

use std::borrow::Cow;

use smallvec::smallvec;

use super::seam::{
    Claimed, Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed,
    SessionText, Settings, Spec,
};
use crate::data::{EntriesRef, SessionData};
use crate::error::{Result, SessionError};
use crate::json::{from_tagged_json, map_to_tagged_json};
use crate::key::Keyring;
use crate::payload::{Compression, decode_payload, encode_payload};
use crate::signer::{SignerOptions, TimestampSigner};
use crate::value::Value;

/// Flask's `PERMANENT_SESSION_LIFETIME` default: 31 days.
pub const LIFETIME_SECS: u64 = 31 * 24 * 60 * 60;

/// Flask's place in the registry.
pub(crate) static SPEC: Spec = Spec {
    name: "flask",
    aliases: &[],
    framework: "Flask 3.1 (itsdangerous 2.2, Werkzeug 3.1)",
    encrypted: false,
    signature: None,
    tagged: true,
    timestamped: true,
    text: SessionText::Tagged,
    defaults,
    rules: Rules {
        delete: DeleteWhen::Modified,
        refresh: Refresh::Permanent,
        expiry: ExpiryRule::Permanent,
        vary: true,
        delete_absent: true,
        order: CookieOrder::WritesFirst,
        reserved: &[],
    },
    build: |s: &Settings<'_>| -> Result<Box<dyn Codec>> {
        Ok(Box::new(
            Flask::new(s.keyring, s.signer.clone(), s.compression).named(s.cookie_name),
        ))
    },
    peek: |cookie: &str, max: usize| -> Result<Peeked> {
        decode_unverified(cookie, max).map(|(v, t, c)| (v, Some(t), c))
    },
};

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "session",
        lifetime: LIFETIME_SECS,
        same_site: None,
        secure: false,
        http_only: true,
        refresh_each_request: true,
        signer: SignerOptions::default(),
        compression: Compression::Flask,
    }
}

/// Flask's serializer: `URLSafeTimedSerializer` + `TaggedJSONSerializer`.
#[derive(Debug, Clone)]
pub(crate) struct Flask {
    signer: TimestampSigner,
    pub(crate) compression: Compression,
    name: String,
}

impl Flask {
    pub(crate) fn new(keyring: &Keyring, options: SignerOptions, compression: Compression) -> Self {
        Self {
            signer: TimestampSigner::new(keyring, options),
            compression,
            name: String::new(),
        }
    }

    /// The cookie this codec reads and writes.
    pub(crate) fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    pub(crate) fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let v = self.signer.unsign(cookie, now, max_age)?;
        let json = decode_payload(v.payload, limits.decompressed)?;
        // SecureCookieSession(data) starts from `data or ()`: any falsy value is an empty session.
        let data = SessionData::decode(json, true, true, limits.values)?;
        Ok(Decoded {
            data,
            timestamp: Some(v.timestamp),
            key: v.key,
            compressed: v.payload.starts_with('.'),
            rewrite: false,
        })
    }
}

impl Codec for Flask {
    fn boxed_clone(&self) -> Box<dyn Codec> {
        Box::new(self.clone())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn open_main(&self, value: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        self.decode(value, now, max_age, limits)
    }

    /// Flask refreshes only a permanent session, which holds the key `_permanent`; a cookie whose payload does
    /// not contain `permanent` (nor a backslash: an escape could spell it) holds no permanent session, verified
    /// or not, so an untouched request sends nothing for it. A compressed payload, fallback keys (a re-sign) or a
    /// payload that is not base64 are opened as usual.
    fn untouched_may_write(&self, claimed: &Claimed) -> bool {
        let Some(value) = claimed.main.as_deref() else {
            return true;
        };
        if self.signer.has_fallbacks() || value.starts_with('.') {
            return true;
        }
        let payload = value.split_once('.').map_or(value, |(p, _)| p).as_bytes();
        // Any backslash (an escape may spell the key), or the word itself; cookie-sized text is searched by
        // its `p`s rather than through a substring searcher's set-up.
        let may_be_permanent = |json: &[u8]| {
            memchr::memchr(b'\\', json).is_some()
                || memchr::memchr_iter(b'p', json).any(|i| json[i..].starts_with(b"permanent"))
        };
        // A cookie-sized payload decodes on the stack.
        let mut buf = [0u8; 384];
        if payload.len() <= 512 {
            if let Some(n) = crate::payload::b64_decode_lenient_slice(payload, &mut buf) {
                return may_be_permanent(&buf[..n]);
            }
        }
        crate::payload::b64_decode_lenient(payload).map_or(true, |json| may_be_permanent(&json))
    }

    fn serialize(&self, data: EntriesRef<'_>) -> Vec<u8> {
        map_to_tagged_json(&data).into_bytes()
    }

    fn seal_serialized(&self, serialized: &[u8], now: u64, _expires: Option<u64>) -> Result<Sealed<'_>> {
        let value = self.signer.sign(&encode_payload(serialized, self.compression), now);
        Ok(smallvec![(Cow::Borrowed(self.name.as_str()), value)])
    }

    fn set_compression(&mut self, compression: Compression) {
        self.compression = compression;
    }
}

pub(crate) fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, u64, bool)> {
    let (value, _sig) = cookie
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("no '.' separator"))?;
    let (payload, ts) = value
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("timestamp missing"))?;
    let timestamp = crate::signer::decode_timestamp(ts)?;
    let json = decode_payload(payload, max_decompressed)?;
    Ok((from_tagged_json(&json)?, timestamp, payload.starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flask's `default_config`: `SESSION_COOKIE_NAME` "session", `PERMANENT_SESSION_LIFETIME` 31 days,
    /// `SESSION_COOKIE_HTTPONLY`, no `SameSite`, not `Secure`, `SESSION_REFRESH_EACH_REQUEST`.
    #[test]
    fn defaults_are_flasks() {
        let d = defaults();
        assert_eq!((d.cookie_name, d.lifetime), ("session", 2_678_400));
        assert!(d.http_only && !d.secure && d.same_site.is_none() && d.refresh_each_request);
    }
}
