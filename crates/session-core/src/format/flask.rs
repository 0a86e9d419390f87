//! Flask (`SecureCookieSessionInterface`): `payload.timestamp.signature`, itsdangerous' `TimestampSigner`
//! (HMAC-SHA1, `hmac` key derivation, salt `cookie-session`) over URL-safe base64 of the tagged JSON, or `.` +
//! base64 of its zlib stream when that is shorter by more than one byte. Cookie `session`, 31 days.

use std::borrow::Cow;

use smallvec::smallvec;

use super::seam::{
    Codec, CookieOrder, Decoded, Defaults, DeleteWhen, ExpiryRule, Limits, Peeked, Refresh, Rules, Sealed, SessionText,
    Settings, Spec,
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
